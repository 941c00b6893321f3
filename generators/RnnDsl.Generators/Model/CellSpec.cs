using RnnDsl.Generators.Helpers;

namespace RnnDsl.Generators.Model;

/// <summary>The recurrent cells RnnDsl knows; <see cref="Cells.CellRegistry"/> maps each to its description and emitter.</summary>
internal enum CellKind
{
    SimpleRnn,
}

/// <summary>
/// A recurrent cell as data: its Keras and PyTorch names, how many gate blocks its fused weights hold
/// (and in which order each library stores them), the state vectors it carries from step to step, and its
/// activation. The shared recurrence (input projection, reading order, masking, the BPTT skeleton and the
/// weight-gradient products) is written once for every cell from this description; the cell's own emitter
/// writes only its step and its backward step.
/// </summary>
internal sealed record CellSpec(
    CellKind Kind,
    string KerasClassName,
    string KerasLayerName,
    string KerasCellName,
    string TorchModule,
    int Gates,
    string KerasGateOrder,
    string TorchGateOrder,
    EquatableArray<string> StateVectors,
    ActivationKind Activation);
