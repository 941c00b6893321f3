using System;
using System.Collections;
using System.Collections.Generic;

namespace RnnDsl;

/// <summary>What a weight array is to its layer.</summary>
public enum WeightRole
{
    /// <summary>An embedding table, <c>[vocabulary, dimension]</c>.</summary>
    Embeddings,

    /// <summary>The input kernel, <c>[input, units]</c> (gate blocks side by side for gated cells); PyTorch stores it transposed.</summary>
    Kernel,

    /// <summary>The recurrent kernel, <c>[units, units]</c>; PyTorch stores it transposed.</summary>
    RecurrentKernel,

    /// <summary>A bias vector. For recurrent cells PyTorch keeps two (<c>bias_ih</c> and <c>bias_hh</c>) that add up to it.</summary>
    Bias,
}

/// <summary>
/// One array of a model's flat parameter buffer: its names in Keras and PyTorch, its shape, and where it sits.
/// Generated models list theirs in <see cref="IRnnModel.Weights"/>, in Keras <c>get_weights()</c> order.
/// </summary>
public sealed class WeightInfo
{
    private readonly int[] _shape;

    /// <summary>Describes one array; the generated code creates these.</summary>
    public WeightInfo(string layer, string direction, string name, string kerasPath, string torchName, WeightRole role, int[] shape, int offset, int gates = 1, string kerasGateOrder = "", string torchGateOrder = "")
    {
        ArgumentNullException.ThrowIfNull(shape);
        Layer = layer;
        Direction = direction;
        Name = name;
        KerasPath = kerasPath;
        TorchName = torchName;
        Role = role;
        _shape = (int[])shape.Clone();
        Offset = offset;
        Gates = gates;
        KerasGateOrder = kerasGateOrder;
        TorchGateOrder = torchGateOrder;
        long length = 1;
        foreach (int size in shape)
        {
            length *= size;
        }

        Length = checked((int)length);
    }

    /// <summary>The Keras layer name, as <c>Summary()</c> shows it: <c>embedding</c>, <c>bidirectional</c>, <c>dense_1</c>.</summary>
    public string Layer { get; }

    /// <summary><c>forward</c> or <c>backward</c> inside a Bidirectional layer; empty otherwise.</summary>
    public string Direction { get; }

    /// <summary>The Keras weight name: <c>embeddings</c>, <c>kernel</c>, <c>recurrent_kernel</c>, <c>bias</c>.</summary>
    public string Name { get; }

    /// <summary>The Keras 3 variable path: <c>bidirectional/forward_simple_rnn/simple_rnn_cell/kernel</c>.</summary>
    public string KerasPath { get; }

    /// <summary>
    /// The <c>state_dict</c> key of the matching PyTorch module (prefixed by the Keras layer name):
    /// <c>embedding.weight</c>, <c>simple_rnn.weight_ih_l0</c>, <c>bidirectional.weight_hh_l0_reverse</c>, <c>dense.bias</c>.
    /// A recurrent bias names <c>bias_ih</c>; PyTorch's <c>bias_hh</c> adds to it. Empty where PyTorch has no such layer
    /// (a GRU with <c>ResetAfter = false</c>).
    /// </summary>
    public string TorchName { get; }

    /// <summary>What the array is to its layer.</summary>
    public WeightRole Role { get; }

    /// <summary>The Keras shape, C order.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>Where the array starts in the parameter buffer.</summary>
    public int Offset { get; }

    /// <summary>The number of values.</summary>
    public int Length { get; }

    /// <summary>Gate blocks side by side along the last axis (1 for an array without gates).</summary>
    public int Gates { get; }

    /// <summary>The order of the gate blocks in Keras (such as <c>i,f,c,o</c>); empty without gates.</summary>
    public string KerasGateOrder { get; }

    /// <summary>The order of the same gates in PyTorch (such as <c>i,f,g,o</c>); empty without gates.</summary>
    public string TorchGateOrder { get; }

    /// <inheritdoc/>
    public override string ToString() => KerasPath + " [" + string.Join(", ", _shape) + "] at " + Offset;
}

/// <summary>A model's weight arrays in Keras <c>get_weights()</c> order; they cover the parameter buffer back to back.</summary>
public sealed class WeightManifest : IReadOnlyList<WeightInfo>
{
    private readonly WeightInfo[] _weights;

    /// <summary>Lists the arrays; each must start where the one before it ends, from 0.</summary>
    /// <exception cref="ArgumentException">The arrays leave a gap or overlap.</exception>
    public WeightManifest(params WeightInfo[] weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        long next = 0;
        foreach (WeightInfo weight in weights)
        {
            if (weight.Offset != next)
            {
                throw new ArgumentException($"{weight.KerasPath} starts at {weight.Offset}; the arrays before it end at {next}.", nameof(weights));
            }

            next += weight.Length;
        }

        _weights = (WeightInfo[])weights.Clone();
        ParameterCount = checked((int)next);
    }

    /// <summary>The total number of values: the length of the parameter buffer.</summary>
    public int ParameterCount { get; }

    /// <inheritdoc/>
    public int Count => _weights.Length;

    /// <inheritdoc/>
    public WeightInfo this[int index] => _weights[index];

    /// <summary>The array with this Keras 3 variable path, or null.</summary>
    public WeightInfo? FindByKerasPath(string path) => Array.Find(_weights, w => w.KerasPath == path);

    /// <summary>The array with this PyTorch state_dict key, or null.</summary>
    public WeightInfo? FindByTorchName(string name) => name.Length == 0 ? null : Array.Find(_weights, w => w.TorchName == name);

    /// <inheritdoc/>
    public IEnumerator<WeightInfo> GetEnumerator() => ((IEnumerable<WeightInfo>)_weights).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
