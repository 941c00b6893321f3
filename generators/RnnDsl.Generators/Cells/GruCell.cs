using System.Collections.Generic;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Cells;

/// <summary>
/// Keras <c>GRU</c>: three gate blocks z, r, h (PyTorch's r, z, n: the first two swapped) and one state vector.
/// With reset_after (the default, and PyTorch's form) the bias is two rows, input then recurrent, and the reset gate
/// scales the recurrent projection: <c>h̃ = activation(x·W_h + b_h + r·(h·U_h + b'_h))</c>; without, one row and
/// <c>h̃ = activation(x·W_h + (r·h)·U_h + b_h)</c>. <c>h[t] = z·h[t-1] + (1 - z)·h̃</c>.
/// </summary>
internal static class GruCell
{
    public static CellSpec Describe(GruDeclaration declaration) => new(
        CellKind.Gru,
        KerasClassName: "GRU",
        KerasLayerName: "gru",
        KerasCellName: "gru_cell",
        TorchModule: "nn.GRU",
        Gates: 3,
        KerasGateOrder: "z,r,h",
        TorchGateOrder: "r,z,n",
        StateVectors: new EquatableArray<string>(new[] { "h" }),
        Activation: (ActivationKind)declaration.Activation)
    {
        RecurrentActivation = (ActivationKind)declaration.RecurrentActivation,
        ResetAfter = declaration.ResetAfter,
        SeparateRecurrentGradient = true,
        StepScratch = 3,
        Settings = new EquatableArray<string>(new[]
        {
            "recurrent_activation=" + Emit.Format.Keras((ActivationKind)declaration.RecurrentActivation),
            "reset_after=" + (declaration.ResetAfter ? "true" : "false"),
        }),
    };

    /// <summary>kernel [InputWidth, 3·Units], recurrent_kernel [Units, 3·Units], bias [2, 3·Units] with reset_after, else [3·Units].</summary>
    public static IEnumerable<WeightSpec> Weights(CellSpec cell, RecurrentNames names, int inputWidth, int units, long offset) =>
        CellWeights.Of(cell, names, inputWidth, units, offset, biasRows: cell.ResetAfter ? 2 : 1, Initializer.Zeros, inPyTorch: cell.ResetAfter); // nn.GRU is the reset_after form only
}
