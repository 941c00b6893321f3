using RnnDsl.Generators.Emit;
using RnnDsl.Generators.Helpers;

namespace RnnDsl.Generators.Model;

/// <summary>
/// The weight descriptions of the layers that are not cells; recurrent layers take theirs from their cell
/// (<see cref="Cells.CellRegistry.Weights"/>).
/// </summary>
internal static class LayerWeights
{
    /// <summary>Keras <c>Embedding</c>: embeddings <c>[input_dim, output_dim]</c>, uniform(-0.05, 0.05); PyTorch <c>nn.Embedding.weight</c>.</summary>
    public static EquatableArray<WeightSpec> Embedding(string kerasName, int inputDim, int outputDim, long offset)
    {
        var table = new WeightSpec(kerasName, string.Empty, "embeddings", WeightRole.Embeddings,
            new EquatableArray<Dimension>(new[] { new Dimension("VocabularySize", inputDim), new Dimension("Dimension", outputDim) }), offset, Initializer.Uniform)
        {
            ConstantName = Format.Pascal(kerasName) + "EmbeddingsOffset",
            KerasPath = kerasName + "/embeddings",
            TorchName = kerasName + ".weight",
        };
        return new EquatableArray<WeightSpec>(new[] { table });
    }

    /// <summary>
    /// Keras <c>Dense</c>: kernel <c>[input, units]</c> glorot_uniform, bias <c>[units]</c> zeros; PyTorch <c>nn.Linear</c>
    /// holds the kernel transposed as <c>weight</c>.
    /// </summary>
    public static EquatableArray<WeightSpec> Dense(string kerasName, int inputWidth, int units, long offset)
    {
        string identifier = Format.Pascal(kerasName);
        var inputs = new Dimension("InputWidth", inputWidth);
        var outputs = new Dimension("Units", units);
        var kernel = new WeightSpec(kerasName, string.Empty, "kernel", WeightRole.Kernel, new EquatableArray<Dimension>(new[] { inputs, outputs }), offset, Initializer.GlorotUniform)
        {
            ConstantName = identifier + "KernelOffset",
            KerasPath = kerasName + "/kernel",
            TorchName = kerasName + ".weight",
        };
        var bias = new WeightSpec(kerasName, string.Empty, "bias", WeightRole.Bias, new EquatableArray<Dimension>(new[] { outputs }), Checked.Add(offset, kernel.Length), Initializer.Zeros)
        {
            ConstantName = identifier + "BiasOffset",
            KerasPath = kerasName + "/bias",
            TorchName = kerasName + ".bias",
        };
        return new EquatableArray<WeightSpec>(new[] { kernel, bias });
    }
}
