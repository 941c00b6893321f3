using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// What a cell writes itself; everything else about a recurrent layer (the input projection, the reading order,
/// masking, the BPTT loop, the weight-gradient products, the merge of two directions) is written once by
/// <see cref="RecurrenceEmitter"/> (and, over a batch, <see cref="BatchEmitter"/>). The forward loop hands a cell <c>state</c>, the step's projected input
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

    /// <summary>
    /// The lines of one step's backward pass (not padding). Unless <paramref name="productDone"/>, they end by passing the
    /// gradient back to h[previous] through recurrent_kernelᵀ; over a batch that product is done for every sequence at once.
    /// </summary>
    public abstract void WriteBackwardStep(IndentedWriter writer, ModelSpec model, LayerSpec layer, bool productDone);

    /// <summary>The pre-activation the backward pass differentiates, for its summary.</summary>
    public abstract string PreActivation(LayerSpec layer);

    /// <summary>
    /// Where a recurrence over a batch adds <c>h[previous] · recurrent_kernel</c> for every sequence at once, before the
    /// cell's step (<see cref="StepForm.Batched"/>) runs on each: the name of the per-step buffer, or null when the
    /// cell needs something of the step before it can multiply (GRU without reset_after multiplies <c>r · h[previous]</c>).
    /// </summary>
    public virtual string? BatchedProductTarget(LayerSpec layer) => layer.Cell!.GatesInState ? "states" : "gates";

    /// <summary>The line that fills one row of <see cref="BatchedProductTarget"/> before the product adds to it, or null when it already holds the input projection.</summary>
    public virtual string? BatchedProductStart(LayerSpec layer, string row) => null;

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
internal sealed record StepForm(bool PackedKernel, bool PreviousMayBeEmpty, bool ProductDone = false)
{
    public static StepForm Recurrence(bool packedKernel) => new(packedKernel, PreviousMayBeEmpty: true);

    public static StepForm Streaming { get; } = new(PackedKernel: false, PreviousMayBeEmpty: false);

    /// <summary>
    /// In a recurrence over a batch, where <c>h[previous] · recurrent_kernel</c> was added for every sequence at once
    /// (into <see cref="CellEmitter.BatchedProductTarget"/>) before the step: the cell writes the rest.
    /// </summary>
    public static StepForm Batched { get; } = new(PackedKernel: true, PreviousMayBeEmpty: true, ProductDone: true);
}
