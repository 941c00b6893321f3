using System.Collections.Generic;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

internal enum Initializer
{
    Uniform,
    GlorotUniform,
    Orthogonal,
    Zeros,
}

/// <summary>One weight array of a layer: where it sits in the flat buffer and how Keras initialises it.</summary>
internal sealed record WeightBlock(string ConstantName, string KerasName, int Rows, int Columns, int Offset, Initializer Initializer)
{
    public int Length => Columns == 0 ? Rows : Rows * Columns;

    public string Shape => Columns == 0 ? Format.Int(Rows) : "[" + Format.Int(Rows) + ", " + Format.Int(Columns) + "]";
}

/// <summary>The parameter layout: Keras <c>model.get_weights()</c> order, each array in C order.</summary>
internal static class Weights
{
    public static IEnumerable<WeightBlock> Of(LayerSpec layer)
    {
        int offset = layer.ParameterOffset;
        switch (layer.Kind)
        {
            case LayerKind.Embedding:
                yield return new WeightBlock(layer.Identifier + "EmbeddingsOffset", "embeddings", layer.InputWidth, layer.Units, offset, Initializer.Uniform);
                break;
            case LayerKind.SimpleRnn:
                foreach (string direction in layer.Bidirectional ? new[] { "Forward", "Backward" } : new[] { string.Empty })
                {
                    string prefix = layer.Identifier + direction;
                    string kerasPrefix = direction.Length == 0 ? string.Empty : direction.ToLowerInvariant() + " ";
                    yield return new WeightBlock(prefix + "KernelOffset", kerasPrefix + "kernel", layer.InputWidth, layer.Units, offset, Initializer.GlorotUniform);
                    offset += layer.InputWidth * layer.Units;
                    yield return new WeightBlock(prefix + "RecurrentKernelOffset", kerasPrefix + "recurrent_kernel", layer.Units, layer.Units, offset, Initializer.Orthogonal);
                    offset += layer.Units * layer.Units;
                    yield return new WeightBlock(prefix + "BiasOffset", kerasPrefix + "bias", layer.Units, 0, offset, Initializer.Zeros);
                    offset += layer.Units;
                }

                break;
            case LayerKind.Dense:
                yield return new WeightBlock(layer.Identifier + "KernelOffset", "kernel", layer.InputWidth, layer.Units, offset, Initializer.GlorotUniform);
                yield return new WeightBlock(layer.Identifier + "BiasOffset", "bias", layer.Units, 0, offset + layer.InputWidth * layer.Units, Initializer.Zeros);
                break;
        }
    }
}
