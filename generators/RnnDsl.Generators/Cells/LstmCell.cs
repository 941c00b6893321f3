using System.Collections.Generic;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Cells;

/// <summary>
/// Keras <c>LSTM</c>: four gate blocks i, f, c, o (PyTorch's i, f, g, o: the same order) and two state vectors,
/// h and the cell state c. <c>c[t] = f·c[t-1] + i·c̃</c>, <c>h[t] = o·activation(c[t])</c>; i, f and o use the
/// recurrent activation, c̃ the activation. PyTorch's <c>nn.LSTM</c> holds the arrays transposed, with the bias
/// split in two that add up.
/// </summary>
internal static class LstmCell
{
    public static CellSpec Describe(LstmDeclaration declaration) => new(
        CellKind.Lstm,
        KerasClassName: "LSTM",
        KerasLayerName: "lstm",
        KerasCellName: "lstm_cell",
        TorchModule: "nn.LSTM",
        Gates: 4,
        KerasGateOrder: "i,f,c,o",
        TorchGateOrder: "i,f,g,o",
        StateVectors: new EquatableArray<string>(new[] { "h", "c" }),
        Activation: (ActivationKind)declaration.Activation)
    {
        RecurrentActivation = (ActivationKind)declaration.RecurrentActivation,
        UnitForgetBias = declaration.UnitForgetBias,
        Settings = new EquatableArray<string>(new[]
        {
            "recurrent_activation=" + Emit.Format.Keras((ActivationKind)declaration.RecurrentActivation),
            "unit_forget_bias=" + (declaration.UnitForgetBias ? "true" : "false"),
        }),
    };

    /// <summary>kernel [InputWidth, 4·Units], recurrent_kernel [Units, 4·Units], bias [4·Units] (the forget block ones with unit_forget_bias).</summary>
    public static IEnumerable<WeightSpec> Weights(CellSpec cell, RecurrentNames names, int inputWidth, int units, long offset) =>
        CellWeights.Of(cell, names, inputWidth, units, offset, biasRows: 1, cell.UnitForgetBias ? Initializer.UnitForgetBias : Initializer.Zeros);
}
