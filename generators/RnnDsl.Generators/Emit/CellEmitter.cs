using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// What a cell writes itself; everything else about a recurrent layer (the input projection, the reading order,
/// masking, the BPTT loop, the weight-gradient products, the merge of two directions) is written once by
/// <see cref="RecurrenceEmitter"/>. The forward loop hands a cell <c>state</c>, the step's projected input
/// <c>x[t] · kernel + bias</c>, and <c>previous</c>, the state after the step read before (empty before the first);
/// the backward loop hands it <c>dh</c>, the gradient of the step's output, to turn into the gradient of its
/// pre-activation and pass back to <c>previous</c>.
/// </summary>
internal abstract class CellEmitter
{
    /// <summary>The cell's equation for the recurrence method's summary, as one doc-comment line.</summary>
    public abstract string Equation(LayerSpec layer);

    /// <summary>The comment above the recurrence loop, saying what a step computes.</summary>
    public abstract string StepComment(LayerSpec layer);

    /// <summary>The lines of one step that is read (not padding), in the <paramref name="form"/> of where they go.</summary>
    public abstract void WriteStep(IndentedWriter writer, ModelSpec model, LayerSpec layer, StepForm form);

    /// <summary>The lines of one step's backward pass (not padding).</summary>
    public abstract void WriteBackwardStep(IndentedWriter writer, ModelSpec model, LayerSpec layer);

    /// <summary>The pre-activation the backward pass differentiates, for its summary.</summary>
    public abstract string PreActivation(LayerSpec layer);

    /// <summary><c>destination += x · recurrent_kernel</c>, from the packed panels where the recurrence packed them.</summary>
    protected static string RecurrentProduct(RuntimeNames names, StepForm form, string x, string destination) =>
        form.PackedKernel
            ? names.LinearAlgebra + ".MultiplyAddPanels(" + x + ", " + RecurrenceEmitter.PackedRecurrentKernel + ", " + destination + ");"
            : names.LinearAlgebra + ".MultiplyAdd(" + x + ", recurrentKernel, " + destination + ");";

    /// <summary>Applies an activation in place, with an optional comment; nothing for the identity.</summary>
    protected static void Activate(IndentedWriter writer, RuntimeNames names, ActivationKind activation, string span, string? what = null)
    {
        string? call = Format.ActivationCall(names, activation, span);
        if (call is not null)
        {
            writer.Line(call + (what is null ? string.Empty : " // " + what));
        }
    }

    /// <summary>Turns the gradient of an activation's output into its input's, in place; nothing for the identity.</summary>
    protected static void Derivative(IndentedWriter writer, RuntimeNames names, ActivationKind activation, string output, string gradient)
    {
        string? call = Format.DerivativeCall(names, activation, output, gradient);
        if (call is not null)
        {
            writer.Line(call);
        }
    }
}

/// <summary>
/// Where a cell's step is written. In a recurrence over a whole sequence, <c>previous</c> (and any other state vector's
/// previous span) is empty before the first step read, and recurrent_kernel may be packed in column panels
/// (<c>packedRecurrentKernel</c>, once per sequence). In a model's <c>Step</c>, <c>previous</c> is always the
/// stream's state (zeros after <c>CreateState</c>) and recurrent_kernel is read as it is.
/// </summary>
internal sealed record StepForm(bool PackedKernel, bool PreviousMayBeEmpty)
{
    public static StepForm Recurrence(bool packedKernel) => new(packedKernel, PreviousMayBeEmpty: true);

    public static StepForm Streaming { get; } = new(PackedKernel: false, PreviousMayBeEmpty: false);
}
