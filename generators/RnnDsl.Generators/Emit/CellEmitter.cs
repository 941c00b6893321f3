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

    /// <summary>The lines of one step that is read (not padding).</summary>
    public abstract void WriteStep(IndentedWriter writer, ModelSpec model, LayerSpec layer);

    /// <summary>The lines of one step's backward pass (not padding).</summary>
    public abstract void WriteBackwardStep(IndentedWriter writer, ModelSpec model, LayerSpec layer);

    /// <summary>The pre-activation the backward pass differentiates, for its summary.</summary>
    public abstract string PreActivation(LayerSpec layer);

    /// <summary><c>destination += x · recurrent_kernel</c>, from the packed panels where the recurrence packs them.</summary>
    protected static string RecurrentProduct(RuntimeNames names, LayerSpec layer, string x, string destination) =>
        RecurrenceEmitter.PacksRecurrentKernel(layer)
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
