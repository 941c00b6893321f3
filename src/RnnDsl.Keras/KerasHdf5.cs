using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PureHDF;

namespace RnnDsl;

/// <summary>
/// Keras's HDF5 weight layouts, read with PureHDF:
/// <list type="bullet">
/// <item>Keras 3 <c>model.save_weights("x.weights.h5")</c> (and <c>model.weights.h5</c> in a <c>.keras</c> archive):
/// one group per layer under <c>/layers</c>, named after the layer's class in snake case and numbered within the model
/// (<c>simple_rnn</c>, <c>simple_rnn_1</c>, <c>bidirectional</c>), with the layer's variables as datasets <c>vars/0</c>,
/// <c>vars/1</c>, … in <c>layer.weights</c> order; a recurrent layer keeps them in its <c>cell</c> group, a Bidirectional
/// layer in <c>forward_layer</c> and <c>backward_layer</c>.</item>
/// <item>Keras 2 <c>model.save_weights("x.h5")</c> (and <c>model.save("x.h5")</c>, under <c>/model_weights</c>): the root's
/// <c>layer_names</c> attribute lists the layers; each layer's group has a <c>weight_names</c> attribute listing its
/// datasets (<c>simple_rnn/simple_rnn_cell/kernel:0</c>) in <c>get_weights()</c> order.</item>
/// </list>
/// Layers are matched by name; when the file's names are not this model's (Keras 2 numbers layers across a whole
/// session), by order. Every array's shape is checked, and a layer of the file with weights this model has no place for
/// is an error, as is one of the model's layers missing from the file.
/// </summary>
internal static partial class KerasHdf5
{
    [GeneratedRegex("(.)([A-Z][a-z]+)")]
    private static partial Regex WordStart();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex Boundary();

    public static float[] Read(IRnnModel model, Stream stream, string source)
    {
        CheckLength(stream, source);
        IH5Group root;
        try
        {
            root = H5File.Open(stream, leaveOpen: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Errors.Invalid(source, "this HDF5 file cannot be read: " + e.Message);
        }

        try
        {
            IH5Group weights = root.LinkExists("model_weights") ? (IH5Group)root.Get("model_weights") : root;
            var layers = weights.AttributeExists("layer_names") ? Keras2Layers(weights, source, model.Parameters.Length) : Keras3Layers(model, root, source);
            return Assign(model, layers, source);
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw Errors.Invalid(source, "this HDF5 file is not a Keras weight file this reader understands, or it is corrupted: " + e.Message);
        }
        finally
        {
            (root as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Refuses a file shorter than its superblock's end-of-file address. HDF5 readers only fail on a cut that reaches
    /// data they need, and a cut file can end in space nothing reads; the superblock says how long the file is.
    /// Superblock versions 0 and 1 keep the address after three offsets from byte 24 (version 1: 28), versions 2 and 3
    /// after two from byte 12 (https://docs.hdfgroup.org/hdf5/develop/_f_m_t3.html#Superblock).
    /// </summary>
    private static void CheckLength(Stream stream, string source)
    {
        long start = stream.Position;
        var header = new byte[64];
        int got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        stream.Position = start;
        if (got < 16)
        {
            throw Errors.Truncated(source, "in the HDF5 superblock", 16, got);
        }

        byte version = header[8];
        int offsetSize = version <= 1 ? header[13] : header[9];
        int at = version switch
        {
            0 => 24 + (2 * offsetSize),
            1 => 28 + (2 * offsetSize),
            _ => 12 + (2 * offsetSize),
        };
        if (offsetSize != 8 || at + 8 > got)
        {
            return; // an unusual superblock: leave it to the reader
        }

        ulong end = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(at));
        long length = stream.Length - start;
        if ((ulong)length < end)
        {
            throw Errors.Truncated(source, "(HDF5 end of file)", (long)end, length);
        }
    }

    /// <summary>One layer of the file: its name there, and its arrays in get_weights() order.</summary>
    private sealed record FileLayer(string Name, List<NamedArray> Arrays);

    /// <summary>Keras's <c>to_snake_case</c> of a class name: <c>SimpleRNN</c> → <c>simple_rnn</c>.</summary>
    internal static string SnakeCase(string className) => Boundary().Replace(WordStart().Replace(className, "$1_$2"), "$1_$2").ToLowerInvariant();

    private static List<FileLayer> Keras3Layers(IRnnModel model, IH5Group root, string source)
    {
        if (!root.LinkExists("layers"))
        {
            throw Errors.Invalid(source, "expected a Keras 3 weight file (a /layers group) or a Keras 2 one (a layer_names attribute); found neither");
        }

        var group = (IH5Group)root.Get("layers");
        var found = new List<FileLayer>();
        foreach (IH5Object child in group.Children())
        {
            if (child is IH5Group layer)
            {
                var arrays = new List<NamedArray>();
                Collect(layer, "layers/" + layer.Name, arrays, source, model.Parameters.Length);
                found.Add(new FileLayer(layer.Name, arrays));
            }
        }

        // Keras 3 names the groups after the layers' classes, numbered within the model; rename them to the model's layer names.
        var counters = new Dictionary<string, int>();
        var renamed = new List<FileLayer>();
        foreach (LayerConfig layer in model.Architecture)
        {
            string snake = SnakeCase(layer.ClassName);
            counters.TryGetValue(snake, out int count);
            counters[snake] = count + 1;
            string stored = count == 0 ? snake : snake + "_" + count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            FileLayer? match = found.Find(f => f.Name == stored);
            if (match is not null)
            {
                found.Remove(match);
                renamed.Add(match with { Name = layer.Name });
            }
        }

        renamed.AddRange(found);
        return renamed;
    }

    /// <summary>Every dataset under <paramref name="group"/>: forward before backward, variables by number.</summary>
    private static void Collect(IH5Group group, string path, List<NamedArray> arrays, string source, long maxValues)
    {
        static (int, long, string) Order(IH5Object o) => o.Name switch
        {
            "forward_layer" => (0, 0, o.Name),
            "backward_layer" => (1, 0, o.Name),
            _ when long.TryParse(o.Name, out long n) => (2, n, o.Name),
            _ => (3, 0, o.Name),
        };

        foreach (IH5Object child in group.Children().OrderBy(Order))
        {
            switch (child)
            {
                case IH5Dataset dataset:
                    arrays.Add(ReadArray(dataset, path + "/" + child.Name, source, maxValues));
                    break;
                case IH5Group inner:
                    Collect(inner, path + "/" + child.Name, arrays, source, maxValues);
                    break;
            }
        }
    }

    private static List<FileLayer> Keras2Layers(IH5Group weights, string source, long maxValues)
    {
        var layers = new List<FileLayer>();
        foreach (string name in Strings(weights.Attribute("layer_names")))
        {
            if (!weights.LinkExists(name))
            {
                throw Errors.Invalid(source, $"layer_names lists {name}, but the file has no group {name}");
            }

            var group = (IH5Group)weights.Get(name);
            var arrays = new List<NamedArray>();
            if (group.AttributeExists("weight_names"))
            {
                foreach (string weight in Strings(group.Attribute("weight_names")))
                {
                    if (!group.LinkExists(weight))
                    {
                        throw Errors.Invalid(source, $"layer {name} lists weight {weight}, but the file has no dataset {name}/{weight}");
                    }

                    arrays.Add(ReadArray((IH5Dataset)group.Get(weight), name + "/" + weight, source, maxValues));
                }
            }

            layers.Add(new FileLayer(name, arrays));
        }

        return layers;
    }

    /// <summary>
    /// A list of names. tf.keras writes an empty list (a layer without weights, such as an InputLayer or Dropout) as an
    /// empty float64 array, which has no strings to read.
    /// </summary>
    private static string[] Strings(IH5Attribute attribute) =>
        attribute.Type.Class is H5DataTypeClass.FloatingPoint or H5DataTypeClass.FixedPoint || attribute.Space.Dimensions.Aggregate(1UL, (a, b) => a * b) == 0
            ? Array.Empty<string>()
            : attribute.Read<string[]>();

    private static NamedArray ReadArray(IH5Dataset dataset, string path, string source, long maxValues)
    {
        int[] shape = dataset.Space.Dimensions.Select(d => d > (ulong)Array.MaxLength ? throw Errors.Invalid(source, $"{path} has a dimension of {d}") : (int)d).ToArray();
        if (shape.Aggregate(1L, (a, b) => Math.Min(a * b, long.MaxValue / int.MaxValue)) > maxValues)
        {
            throw Errors.Invalid(source, $"{path} has shape [{string.Join(", ", shape)}]: more values than the whole model ({maxValues})");
        }

        if (dataset.Type.Class != H5DataTypeClass.FloatingPoint)
        {
            throw Errors.Invalid(source, $"{path} holds {dataset.Type.Class} values; expected floats");
        }

        float[] values = dataset.Type.Size switch
        {
            4 => dataset.Read<float[]>(),
            8 => Array.ConvertAll(dataset.Read<double[]>(), v => (float)v),
            _ => throw Errors.Invalid(source, $"{path} holds {dataset.Type.Size * 8}-bit floats; expected 32 or 64"),
        };
        return new NamedArray(path, shape, values);
    }

    /// <summary>Pairs the file's layers with the model's (by name, else by order) and checks and places every array.</summary>
    private static float[] Assign(IRnnModel model, List<FileLayer> fileLayers, string source)
    {
        WeightManifest manifest = model.Weights;
        var ourLayers = manifest.Select(w => w.Layer).Distinct().ToList();
        var theirLayers = fileLayers.Where(l => l.Arrays.Count > 0).ToList();
        bool byName = ourLayers.All(name => theirLayers.Exists(l => l.Name == name));
        if (!byName && theirLayers.Count != ourLayers.Count)
        {
            throw Errors.Invalid(source, $"the file has {theirLayers.Count} layers with weights ({string.Join(", ", theirLayers.Select(l => l.Name))}); this model has {ourLayers.Count} ({string.Join(", ", ourLayers)})");
        }

        var scratch = new float[manifest.ParameterCount];
        for (int i = 0; i < ourLayers.Count; i++)
        {
            string layer = ourLayers[i];
            FileLayer theirs = byName ? theirLayers.Find(l => l.Name == layer)! : theirLayers[i];
            var weights = manifest.Where(w => w.Layer == layer).ToList();
            string which = theirs.Name == layer ? "layer " + layer : $"layer {theirs.Name} (this model's {layer})";
            if (theirs.Arrays.Count != weights.Count)
            {
                throw Errors.Invalid(source, $"{which} has {theirs.Arrays.Count} arrays ({string.Join(", ", theirs.Arrays.Select(a => a.Name + " " + a.ShapeText))}); expected {weights.Count}: {string.Join(", ", weights.Select(w => w.KerasPath + " " + WeightMapping.Shape(w.Shape)))}");
            }

            for (int k = 0; k < weights.Count; k++)
            {
                NamedArray array = theirs.Arrays[k];
                WeightInfo weight = weights[k];
                if (!array.Shape.SequenceEqual(weight.Shape))
                {
                    throw Errors.Invalid(source, $"{array.Name} is {weight.KerasPath}: expected shape {WeightMapping.Shape(weight.Shape)}, found {array.ShapeText}"
                        + " (is the file for another model? Keras stores this model's layers as " + string.Join(", ", ourLayers) + ")");
                }

                array.Values.CopyTo(scratch.AsSpan(weight.Offset, weight.Length));
            }
        }

        if (byName)
        {
            FileLayer? extra = theirLayers.Find(l => !ourLayers.Contains(l.Name));
            if (extra is not null)
            {
                throw Errors.Invalid(source, $"layer {extra.Name} of the file has weights ({string.Join(", ", extra.Arrays.Select(a => a.Name))}) but this model has no such layer; its layers with weights are {string.Join(", ", ourLayers)}");
            }
        }

        return scratch;
    }
}
