using System.Collections.Generic;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Cells;

/// <summary>
/// Keras <c>SimpleRNN</c>: one gate, one state vector h, <c>h[t] = activation(x[t] · kernel + h[t-1] · recurrent_kernel + bias)</c>.
/// PyTorch's <c>nn.RNN</c> holds the same arrays transposed, with the bias split in two that add up.
/// </summary>
internal static class SimpleRnnCell
{
    public static CellSpec Describe(SimpleRnnDeclaration declaration) => new(
        CellKind.SimpleRnn,
        KerasClassName: "SimpleRNN",
        KerasLayerName: "simple_rnn",
        KerasCellName: "simple_rnn_cell",
        TorchModule: "nn.RNN",
        Gates: 1,
        KerasGateOrder: string.Empty,
        TorchGateOrder: string.Empty,
        StateVectors: new EquatableArray<string>(new[] { "h" }),
        Activation: (ActivationKind)declaration.Activation);

    /// <summary>kernel [InputWidth, Units], recurrent_kernel [Units, Units], bias [Units].</summary>
    public static IEnumerable<WeightSpec> Weights(CellSpec cell, RecurrentNames names, int inputWidth, int units, long offset)
    {
        var inputs = new Dimension("InputWidth", inputWidth);
        var state = new Dimension("Units", units);
        var arrays = new (string Name, string Constant, string Torch, WeightRole Role, Dimension[] Shape, Initializer Initializer)[]
        {
            ("kernel", "Kernel", "weight_ih", WeightRole.Kernel, new[] { inputs, state }, Initializer.GlorotUniform),
            ("recurrent_kernel", "RecurrentKernel", "weight_hh", WeightRole.RecurrentKernel, new[] { state, state }, Initializer.Orthogonal),
            ("bias", "Bias", "bias_ih", WeightRole.Bias, new[] { state }, Initializer.Zeros),
        };
        foreach (var array in arrays)
        {
            var weight = new WeightSpec(names.Layer, names.Direction, array.Name, array.Role, new EquatableArray<Dimension>(array.Shape), offset, array.Initializer)
            {
                ConstantName = names.ConstantName(array.Constant),
                KerasPath = names.KerasPath(cell, array.Name),
                TorchName = names.TorchName(array.Torch),
                Gates = cell.Gates,
                KerasGateOrder = cell.KerasGateOrder,
                TorchGateOrder = cell.TorchGateOrder,
            };
            offset = Checked.Add(offset, weight.Length);
            yield return weight;
        }
    }
}
