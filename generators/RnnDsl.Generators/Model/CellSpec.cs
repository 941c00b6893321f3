using RnnDsl.Generators.Helpers;

namespace RnnDsl.Generators.Model;

/// <summary>The recurrent cells RnnDsl knows; <see cref="Cells.CellRegistry"/> maps each to its description and emitter.</summary>
internal enum CellKind
{
    SimpleRnn,
    Lstm,
    Gru,
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
    ActivationKind Activation)
{
    /// <summary>
    /// The state is the activation of the cell's one gate (SimpleRNN), so the recurrence computes the gate in the state
    /// buffer and its gradient in the state's gradient; otherwise the gates have a buffer of their own.
    /// </summary>
    public bool GatesInState { get; init; }

    /// <summary>The activation of the gates (Keras <c>recurrent_activation</c>); the cells without gates ignore it.</summary>
    public ActivationKind RecurrentActivation { get; init; } = ActivationKind.Sigmoid;

    /// <summary>
    /// The recurrent projection <c>h[previous] · recurrent_kernel</c> enters the gates differently from the input projection
    /// (GRU: the reset gate scales part of it), so its gradient is a buffer of its own rather than the gates' gradient.
    /// </summary>
    public bool SeparateRecurrentGradient { get; init; }

    /// <summary>
    /// Floats per unit the cell keeps for each step besides the gates and its state vectors, for its backward step
    /// (GRU with reset_after: the recurrent projection, 3 per unit); 0 for none.
    /// </summary>
    public int StepScratch { get; init; }

    /// <summary>LSTM: the forget gate's bias starts at ones (Keras <c>unit_forget_bias</c>).</summary>
    public bool UnitForgetBias { get; init; }

    /// <summary>GRU: the reset gate scales the recurrent projection (Keras <c>reset_after</c>; PyTorch's form).</summary>
    public bool ResetAfter { get; init; }

    /// <summary>The Keras config settings of the cell beyond units, activation and the RNN options, as <c>key=value</c>.</summary>
    public EquatableArray<string> Settings { get; init; } = EquatableArray<string>.Empty;
}
