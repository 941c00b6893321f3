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
        Activation: (ActivationKind)declaration.Activation)
    {
        GatesInState = true,
    };

    /// <summary>kernel [InputWidth, Units], recurrent_kernel [Units, Units], bias [Units].</summary>
    public static IEnumerable<WeightSpec> Weights(CellSpec cell, RecurrentNames names, int inputWidth, int units, long offset) =>
        CellWeights.Of(cell, names, inputWidth, units, offset, biasRows: 1, Initializer.Zeros);
}
