using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace RnnDsl;

/// <summary>
/// Maps arrays read from Keras and PyTorch files onto a model's parameter buffer, and back, going only by the
/// model's weight manifest (each array's names, Keras shape, role and gate layout): no layout is restated per
/// layer kind here. Readers fill a scratch buffer; the model's parameters change only once everything checked out.
/// </summary>
internal static partial class WeightMapping
{
    [GeneratedRegex("^arr_([0-9]+)$")]
    private static partial Regex PositionalName();

    // ---- Keras: arrays in get_weights() order, or named by their variable paths ----

    /// <summary>Matches arrays to the manifest: <c>arr_0…</c> by position, other names by Keras variable path.</summary>
    public static float[] FromKerasArrays(IRnnModel model, IReadOnlyList<NamedArray> arrays, string source)
    {
        WeightManifest manifest = model.Weights;
        var ordered = new NamedArray?[manifest.Count];
        bool positional = arrays.Count > 0 && arrays.All(a => PositionalName().IsMatch(a.Name));
        if (positional)
        {
            if (arrays.Count != manifest.Count)
            {
                throw Errors.Invalid(source, $"the file holds {arrays.Count} arrays; this model's get_weights() has {manifest.Count}: {List(manifest)}");
            }

            foreach (NamedArray array in arrays)
            {
                bool small = int.TryParse(PositionalName().Match(array.Name).Groups[1].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index);
                if (!small || index >= manifest.Count)
                {
                    throw Errors.Invalid(source, $"array {array.Name} is past the model's {manifest.Count} weights: {List(manifest)}");
                }

                ordered[index] = array;
            }
        }
        else
        {
            foreach (NamedArray array in arrays)
            {
                int index = FindByKerasName(manifest, array.Name);
                if (index < 0)
                {
                    throw Errors.Invalid(source, $"array {array.Name} is not a weight of this model; its weights are {List(manifest)}");
                }

                if (ordered[index] is not null)
                {
                    throw Errors.Invalid(source, $"arrays {ordered[index]!.Name} and {array.Name} are both {manifest[index].KerasPath}");
                }

                ordered[index] = array;
            }
        }

        var scratch = new float[manifest.ParameterCount];
        for (int i = 0; i < manifest.Count; i++)
        {
            WeightInfo weight = manifest[i];
            NamedArray array = ordered[i] ?? throw Errors.Invalid(source, $"{weight.KerasPath} {Shape(weight.Shape)} is missing");
            if (!array.Shape.SequenceEqual(weight.Shape))
            {
                throw Errors.Invalid(source, $"array {array.Name} is {weight.KerasPath}: expected shape {Shape(weight.Shape)}, found {array.ShapeText}");
            }

            array.Values.CopyTo(scratch.AsSpan(weight.Offset, weight.Length));
        }

        return scratch;
    }

    /// <summary>The manifest index of the weight a Keras variable name denotes (a path, with or without a <c>:0</c> suffix or a model prefix), or -1.</summary>
    public static int FindByKerasName(WeightManifest manifest, string name)
    {
        string path = name.EndsWith(":0", StringComparison.Ordinal) ? name[..^2] : name;
        for (int i = 0; i < manifest.Count; i++)
        {
            string known = manifest[i].KerasPath;
            if (path == known || path.EndsWith("/" + known, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The arrays in get_weights() order, named <c>arr_0…</c> as <c>np.savez(path, *model.get_weights())</c> names them.</summary>
    public static List<(string Name, IReadOnlyList<int> Shape, float[] Values)> ToKerasArrays(IRnnModel model)
    {
        var arrays = new List<(string, IReadOnlyList<int>, float[])>();
        ReadOnlySpan<float> parameters = model.Parameters;
        for (int i = 0; i < model.Weights.Count; i++)
        {
            WeightInfo weight = model.Weights[i];
            arrays.Add(("arr_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), weight.Shape, parameters.Slice(weight.Offset, weight.Length).ToArray()));
        }

        return arrays;
    }

    // ---- PyTorch: state_dict keys, transposed kernels, two recurrent biases, gate orders ----

    /// <summary>The prefix of each layer's keys: the given ones, in layer order, or the Keras layer names.</summary>
    public static Dictionary<string, string> Prefixes(WeightManifest manifest, string[]? prefixes)
    {
        WeightInfo? missing = manifest.FirstOrDefault(w => w.TorchName.Length == 0);
        if (missing is not null)
        {
            throw new NotSupportedException($"Layer {missing.Layer} has no PyTorch equivalent ({missing.KerasPath}: a GRU with ResetAfter = false, the Keras 1 form; "
                + "nn.GRU is the ResetAfter = true form), so this model has no PyTorch state_dict. Keras files (.npz) and SaveWeights keep it.");
        }

        var layers = new List<string>();
        foreach (WeightInfo weight in manifest)
        {
            if (!layers.Contains(weight.Layer))
            {
                layers.Add(weight.Layer);
            }
        }

        if (prefixes is null || prefixes.Length == 0)
        {
            return layers.ToDictionary(layer => layer, layer => layer);
        }

        if (prefixes.Length != layers.Count)
        {
            throw new ArgumentException($"{prefixes.Length} module prefixes given; this model has {layers.Count} layers with weights, one prefix each, in order: {string.Join(", ", layers)}.", nameof(prefixes));
        }

        for (int i = 0; i < prefixes.Length; i++)
        {
            if (prefixes[i] is null)
            {
                throw new ArgumentNullException(nameof(prefixes), $"The prefix for layer {layers[i]} (position {i}) is null; give \"\" for keys without a prefix.");
            }
        }

        return layers.Select((layer, i) => (layer, i)).ToDictionary(p => p.layer, p => prefixes[p.i]);
    }

    /// <summary>The state_dict key of <paramref name="weight"/> under <paramref name="prefix"/>: its torch name with the layer name replaced.</summary>
    public static string TorchKey(WeightInfo weight, string prefix)
    {
        string parameter = weight.TorchName[(weight.Layer.Length + 1)..];
        return prefix.Length == 0 ? parameter : prefix + "." + parameter;
    }

    /// <summary>A recurrent cell's bias: PyTorch splits it into <c>bias_ih</c> and <c>bias_hh</c>.</summary>
    private static bool IsRecurrentBias(WeightManifest manifest, WeightInfo weight) =>
        weight.Role == WeightRole.Bias && manifest.Any(w => w.Layer == weight.Layer && w.Direction == weight.Direction && w.Role == WeightRole.RecurrentKernel);

    /// <summary>The key of PyTorch's <c>bias_hh</c> beside a recurrent bias (whose torch name is its <c>bias_ih</c>): only the parameter part changes, not the prefix.</summary>
    private static string HiddenBiasKey(WeightInfo weight, string prefix)
    {
        string parameter = weight.TorchName[(weight.Layer.Length + 1)..].Replace("bias_ih", "bias_hh", StringComparison.Ordinal);
        return prefix.Length == 0 ? parameter : prefix + "." + parameter;
    }

    /// <summary>
    /// For each Keras gate block, the PyTorch block that holds the same gate. Gates are matched by letter; the one
    /// left over on each side is the candidate, which the libraries letter differently (Keras <c>c</c>/<c>h</c>,
    /// PyTorch <c>g</c>/<c>n</c>).
    /// </summary>
    public static int[] GatePermutation(WeightInfo weight)
    {
        if (weight.Gates == 1)
        {
            return new[] { 0 };
        }

        string[] keras = weight.KerasGateOrder.Split(',');
        string[] torch = weight.TorchGateOrder.Split(',');
        var map = new int[weight.Gates];
        var used = new bool[weight.Gates];
        int unmatched = -1;
        for (int k = 0; k < keras.Length; k++)
        {
            int t = Array.IndexOf(torch, keras[k]);
            map[k] = t;
            if (t >= 0)
            {
                used[t] = true;
            }
            else
            {
                unmatched = k;
            }
        }

        if (unmatched >= 0)
        {
            map[unmatched] = Array.IndexOf(used, false);
        }

        return map;
    }

    /// <summary>
    /// For each column of a Keras kernel or bias row (gate blocks side by side), the row of PyTorch's transposed kernel or
    /// the index of its bias that holds the same gate and unit: the gate blocks reordered by <see cref="GatePermutation"/>.
    /// Import and export both go through it, so they cannot disagree.
    /// </summary>
    private static int[] TorchColumns(WeightInfo weight)
    {
        int[] gates = GatePermutation(weight);
        int columns = weight.Shape[^1];
        int units = columns / weight.Gates;
        var torch = new int[columns];
        for (int c = 0; c < columns; c++)
        {
            torch[c] = (gates[c / units] * units) + (c % units);
        }

        return torch;
    }

    /// <summary>The torch shape of a weight: kernels transposed (<c>[G·units, input]</c>), everything else as in Keras.</summary>
    public static int[] TorchShape(WeightInfo weight) => weight.Role is WeightRole.Kernel or WeightRole.RecurrentKernel
        ? new[] { weight.Shape[1], weight.Shape[0] }
        : weight.Shape.Count == 2 && weight.Role == WeightRole.Bias ? new[] { weight.Shape[1] } : weight.Shape.ToArray();

    public static float[] FromStateDict(IRnnModel model, Dictionary<string, NamedArray> tensors, string[]? prefixes, string source)
    {
        WeightManifest manifest = model.Weights;
        Dictionary<string, string> prefixOf = Prefixes(manifest, prefixes);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var scratch = new float[manifest.ParameterCount];
        NamedArray Take(string key, WeightInfo weight, string what)
        {
            if (!tensors.TryGetValue(key, out NamedArray? tensor))
            {
                string have = string.Join(", ", tensors.Keys.Take(12)) + (tensors.Count > 12 ? ", …" : string.Empty);
                throw Errors.Invalid(source, $"tensor {key} ({what} of Keras {weight.KerasPath}) is missing; the file has {have}"
                    + (prefixes is null || prefixes.Length == 0 ? ". If the modules are named differently, pass one prefix per layer" : string.Empty));
            }

            int[] expected = TorchShape(weight);
            if (!tensor.Shape.SequenceEqual(expected))
            {
                throw Errors.Invalid(source, $"tensor {key} ({what} of Keras {weight.KerasPath} {Shape(weight.Shape)}): expected shape {Shape(expected)}, found {tensor.ShapeText}");
            }

            used.Add(key);
            return tensor;
        }

        foreach (WeightInfo weight in manifest)
        {
            string key = TorchKey(weight, prefixOf[weight.Layer]);
            Span<float> target = scratch.AsSpan(weight.Offset, weight.Length);
            if (weight.Role is WeightRole.Kernel or WeightRole.RecurrentKernel)
            {
                NamedArray tensor = Take(key, weight, "the transpose");
                int[] torch = TorchColumns(weight);
                int rows = weight.Shape[0];
                for (int r = 0; r < rows; r++)
                {
                    for (int c = 0; c < torch.Length; c++)
                    {
                        target[(r * torch.Length) + c] = tensor.Values[(torch[c] * rows) + r];
                    }
                }
            }
            else if (IsRecurrentBias(manifest, weight))
            {
                NamedArray input = Take(key, weight, "the input part");
                NamedArray hidden = Take(HiddenBiasKey(weight, prefixOf[weight.Layer]), weight, "the recurrent part");
                int[] torch = TorchColumns(weight);
                for (int c = 0; c < torch.Length; c++)
                {
                    if (weight.Shape.Count == 2)
                    {
                        target[c] = input.Values[torch[c]];
                        target[torch.Length + c] = hidden.Values[torch[c]];
                    }
                    else
                    {
                        // PyTorch adds its two biases; Keras keeps their sum.
                        target[c] = input.Values[torch[c]] + hidden.Values[torch[c]];
                    }
                }
            }
            else
            {
                Take(key, weight, "the same array").Values.CopyTo(target);
            }
        }

        foreach (string key in tensors.Keys)
        {
            if (!used.Contains(key))
            {
                throw Errors.Invalid(source, $"tensor {key} is not a weight of this model; it expects {string.Join(", ", used)}");
            }
        }

        return scratch;
    }

    /// <summary>The state_dict of the matching torch modules: what <c>load_state_dict(strict=True)</c> accepts.</summary>
    public static List<(string Name, int[] Shape, float[] Values)> ToStateDict(IRnnModel model, string[]? prefixes)
    {
        WeightManifest manifest = model.Weights;
        Dictionary<string, string> prefixOf = Prefixes(manifest, prefixes);
        ReadOnlySpan<float> parameters = model.Parameters;
        var tensors = new List<(string, int[], float[])>();
        foreach (WeightInfo weight in manifest)
        {
            string key = TorchKey(weight, prefixOf[weight.Layer]);
            ReadOnlySpan<float> source = parameters.Slice(weight.Offset, weight.Length);
            int[] shape = TorchShape(weight);
            if (weight.Role is WeightRole.Kernel or WeightRole.RecurrentKernel)
            {
                int[] torch = TorchColumns(weight);
                int rows = weight.Shape[0];
                var values = new float[weight.Length];
                for (int r = 0; r < rows; r++)
                {
                    for (int c = 0; c < torch.Length; c++)
                    {
                        values[(torch[c] * rows) + r] = source[(r * torch.Length) + c];
                    }
                }

                tensors.Add((key, shape, values));
            }
            else if (IsRecurrentBias(manifest, weight))
            {
                int[] torch = TorchColumns(weight);
                var input = new float[torch.Length];
                var hidden = new float[torch.Length]; // one Keras bias: all of it in bias_ih, zeros in bias_hh
                for (int c = 0; c < torch.Length; c++)
                {
                    input[torch[c]] = source[c];
                    hidden[torch[c]] = weight.Shape.Count == 2 ? source[torch.Length + c] : 0f;
                }

                tensors.Add((key, shape, input));
                tensors.Add((HiddenBiasKey(weight, prefixOf[weight.Layer]), shape, hidden));
            }
            else
            {
                tensors.Add((key, shape, source.ToArray()));
            }
        }

        return tensors;
    }

    public static string Shape(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";

    private static string List(WeightManifest manifest) => string.Join(", ", manifest.Select(w => w.KerasPath + " " + Shape(w.Shape)));
}
