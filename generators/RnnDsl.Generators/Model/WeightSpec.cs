using System.Collections.Generic;
using System.Linq;
using RnnDsl.Generators.Emit;
using RnnDsl.Generators.Helpers;

namespace RnnDsl.Generators.Model;

/// <summary>How Keras initialises a weight array by default.</summary>
internal enum Initializer
{
    /// <summary>uniform(-0.05, 0.05), for embeddings.</summary>
    Uniform,
    GlorotUniform,
    Orthogonal,
    Zeros,

    /// <summary>Zeros, but ones for an LSTM's forget-gate block (Keras <c>unit_forget_bias=True</c>).</summary>
    UnitForgetBias,
}

/// <summary>What a weight array is to its layer; mirrors the runtime <c>RnnDsl.WeightRole</c> enum.</summary>
internal enum WeightRole
{
    Embeddings,
    Kernel,
    RecurrentKernel,
    Bias,
}

/// <summary>
/// One axis of a weight array: its size, and the name of the constant the generated code calls it by
/// (<c>Units</c>, <c>InputWidth</c>, <c>Dimension</c>, <c>VocabularySize</c>), or null where the code writes the number.
/// Every method that slices weights by <see cref="WeightSpec.LengthExpression"/> declares those constants first
/// (<c>const int Units = 64;</c>), and <c>VocabularySize</c> is the model's own constant: a symbol here is a promise
/// that the emitted method defines it.
/// </summary>
internal sealed record Dimension(string? Symbol, int Size)
{
    public string Expression => Symbol ?? Format.Int(Size);
}

/// <summary>
/// One array of the flat parameter buffer: where it sits, its shape, how Keras initialises it, and the names
/// Keras and PyTorch give it. This is the single description of the parameter layout: the parameter count,
/// the offset constants, initialisation, every slice the emitted code takes, <c>Summary()</c> and the public
/// weight manifest are all computed from it.
/// </summary>
internal sealed record WeightSpec(
    string Layer,
    string Direction,
    string Name,
    WeightRole Role,
    EquatableArray<Dimension> Shape,
    long Offset,
    Initializer Initializer)
{
    public const string Forward = "forward";
    public const string Backward = "backward";

    /// <summary>The name of the offset constant: <c>BidirectionalForwardKernelOffset</c>.</summary>
    public string ConstantName { get; init; } = string.Empty;

    /// <summary>The Keras 3 variable path: <c>bidirectional/forward_simple_rnn/simple_rnn_cell/kernel</c>.</summary>
    public string KerasPath { get; init; } = string.Empty;

    /// <summary>The PyTorch <c>state_dict</c> key of the matching module: <c>bidirectional.weight_ih_l0_reverse</c>.</summary>
    public string TorchName { get; init; } = string.Empty;

    /// <summary>Gate blocks along the last axis (1 when the array has no gates).</summary>
    public int Gates { get; init; } = 1;

    /// <summary>The Keras order of those gate blocks, and PyTorch's order of the same gates (empty when there are none).</summary>
    public string KerasGateOrder { get; init; } = string.Empty;

    public string TorchGateOrder { get; init; } = string.Empty;

    public long Length
    {
        get
        {
            long length = 1;
            foreach (Dimension dimension in Shape)
            {
                length = Checked.Multiply(length, dimension.Size);
            }

            return length;
        }
    }

    /// <summary>The length as the generated code writes it: <c>InputWidth * Units</c>.</summary>
    public string LengthExpression => string.Join(" * ", Shape.Select(d => d.Expression));

    /// <summary>The shape for comments: <c>[64, 32]</c>, or <c>32</c> for a vector.</summary>
    public string ShapeText => Shape.Count == 1 ? Format.Int(Shape[0].Size) : "[" + string.Join(", ", Shape.Select(d => Format.Int(d.Size))) + "]";

    /// <summary>The name with its direction, for comments: <c>forward recurrent_kernel</c>.</summary>
    public string DescribedName => Direction.Length == 0 ? Name : Direction + " " + Name;

    /// <summary>The total length of <paramref name="weights"/>, or of one direction's arrays.</summary>
    public static long TotalLength(IEnumerable<WeightSpec> weights, string? direction)
    {
        long total = 0;
        foreach (WeightSpec weight in weights)
        {
            if (direction is null || weight.Direction == direction)
            {
                total = Checked.Add(total, weight.Length);
            }
        }

        return total;
    }

    /// <summary>
    /// Where each array of one direction starts inside that direction's slice, as the generated code writes it:
    /// <c>0</c>, <c>InputWidth * Units</c>, <c>InputWidth * Units + Units * Units</c>.
    /// </summary>
    public static string RelativeOffset(IEnumerable<WeightSpec> direction, WeightSpec weight)
    {
        var before = new List<string>();
        foreach (WeightSpec other in direction)
        {
            if (other == weight)
            {
                return before.Count == 0 ? "0" : string.Join(" + ", before);
            }

            before.Add(other.LengthExpression);
        }

        throw new KeyNotFoundException(weight.Name + " is not in this direction");
    }
}
