using RnnDsl.Generators.Emit;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Cells;

/// <summary>
/// The step and backward step of <see cref="GruCell"/>, in both forms. The recurrence hands it <c>gate</c> (the
/// step's three gate blocks z, r, h, holding x[t] · kernel + input bias), <c>recurrence</c> (the step's recurrent
/// projection: with reset_after the backward step needs it; without, it is scratch), <c>state</c> and <c>previous</c>.
/// </summary>
internal sealed class GruEmitter : CellEmitter
{
    public static readonly GruEmitter Instance = new();

    private static string Gate(LayerSpec layer) => Format.Keras(layer.Cell!.RecurrentActivation);

    private static string Act(LayerSpec layer) => Format.Keras(layer.Cell!.Activation);

    public override string Equation(LayerSpec layer) => layer.Cell!.ResetAfter
        ? "/// <c>[z, r] = " + Gate(layer) + "(x[t] · kernel + bias + h[previous] · recurrent_kernel + recurrent bias)</c> (blocks of Units),\n"
            + "/// <c>h̃ = " + Act(layer) + "(x[t] · kernel_h + bias_h + r · (h[previous] · recurrent_kernel_h + recurrent bias_h))</c> (reset_after),\n"
            + "/// <c>h[t] = z · h[previous] + (1 - z) · h̃</c>; h is 0 before the first step read."
        : "/// <c>[z, r] = " + Gate(layer) + "(x[t] · kernel + h[previous] · recurrent_kernel + bias)</c> (blocks of Units),\n"
            + "/// <c>h̃ = " + Act(layer) + "(x[t] · kernel_h + (r · h[previous]) · recurrent_kernel_h + bias_h)</c> (reset before the product, Keras 1),\n"
            + "/// <c>h[t] = z · h[previous] + (1 - z) · h̃</c>; h is 0 before the first step read.";

    public override string StepComment(LayerSpec layer) =>
        "// The recurrence, in reading order: the recurrent projection of h[previous], the gates z and r, the candidate h̃, then h[t].";

    public override string PreActivation(LayerSpec layer) => "z, r and h̃ before their activations";

    /// <summary>With reset_after, the recurrent projection h[previous] · recurrent_kernel + recurrent bias; without, r scales h[previous] before its product, so each sequence multiplies on its own.</summary>
    public override string? BatchedProductTarget(LayerSpec layer) => layer.Cell!.ResetAfter ? "recurrent" : null;

    public override string? BatchedProductStart(LayerSpec layer, string row) => "bias.Slice(GateWidth, GateWidth).CopyTo(" + row + ");";

    public override void WriteStep(IndentedWriter writer, ModelSpec model, LayerSpec layer, StepForm form)
    {
        RuntimeNames n = model.Names;
        bool after = layer.Cell!.ResetAfter;
        if (!form.ProductDone)
        {
            if (after)
            {
                writer.Line("// recurrence = h[previous] · recurrent_kernel + recurrent bias (bias row 1)");
                writer.Line(BatchedProductStart(layer, "recurrence")!);
            }
            else
            {
                writer.Line("// recurrence = h[previous] · recurrent_kernel, for z and r");
                writer.Line("recurrence.Clear();");
            }

            using (writer.BlockIf(form.PreviousMayBeEmpty, "if (!previous.IsEmpty)"))
            {
                writer.Line(RecurrentProduct(n, form, "previous", "recurrence"));
            }

            writer.Line();
        }

        writer.Line(n.Span + "<float> updateGate = gate.Slice(0, Units);");
        writer.Line(n.Span + "<float> resetGate = gate.Slice(Units, Units);");
        writer.Line(n.Span + "<float> candidate = gate.Slice(2 * Units, Units);");
        writer.Line(n.Span + "<float> gatesZr = gate.Slice(0, 2 * Units);");
        writer.Line("// z and r: " + Gate(layer) + " of both projections together");
        writer.Line(n.TensorPrimitives + ".Add(gatesZr, recurrence.Slice(0, 2 * Units), gatesZr);");
        Activate(writer, n, layer.Cell.RecurrentActivation, "gatesZr");
        writer.Line();
        if (after)
        {
            writer.Line("// h̃ = " + Act(layer) + "(x[t] · kernel_h + bias_h + r · recurrence_h)");
            writer.Line(n.TensorPrimitives + ".MultiplyAdd(resetGate, recurrence.Slice(2 * Units, Units), candidate, candidate);");
        }
        else
        {
            writer.Line("// h̃ = " + Act(layer) + "(x[t] · kernel_h + bias_h + (r · h[previous]) · recurrent_kernel_h), with r · h[previous] held in state for now");
            using (writer.BlockIf(form.PreviousMayBeEmpty, "if (!previous.IsEmpty)"))
            {
                writer.Line(n.TensorPrimitives + ".Multiply(resetGate, previous, state);");
                writer.Line("recurrence.Clear();");
                writer.Line(RecurrentProduct(n, form, "state", "recurrence") + " // its h block is (r · h[previous]) · recurrent_kernel_h");
                writer.Line(n.TensorPrimitives + ".Add(candidate, recurrence.Slice(2 * Units, Units), candidate);");
            }
        }

        Activate(writer, n, layer.Cell.Activation, "candidate");
        writer.Line();
        writer.Line("// h[t] = z · h[previous] + (1 - z) · h̃ = h̃ + z · (h[previous] - h̃)");
        if (form.PreviousMayBeEmpty)
        {
            using (writer.Block("if (previous.IsEmpty)"))
            {
                writer.Line(n.TensorPrimitives + ".Multiply(updateGate, candidate, state);");
                writer.Line(n.TensorPrimitives + ".Subtract(candidate, state, state);");
            }
        }

        using (writer.BlockIf(form.PreviousMayBeEmpty, "else"))
        {
            writer.Line(n.TensorPrimitives + ".Subtract(previous, candidate, state);");
            writer.Line(n.TensorPrimitives + ".MultiplyAdd(updateGate, state, candidate, state);");
        }
    }

    public override void WriteBackwardStep(IndentedWriter writer, ModelSpec model, LayerSpec layer, bool productDone)
    {
        RuntimeNames n = model.Names;
        writer.Line(n.ReadOnlySpan + "<float> gate = gates.Slice(t * GateWidth, GateWidth);");
        writer.Line(n.ReadOnlySpan + "<float> updateGate = gate.Slice(0, Units);");
        writer.Line(n.ReadOnlySpan + "<float> resetGate = gate.Slice(Units, Units);");
        writer.Line(n.ReadOnlySpan + "<float> candidate = gate.Slice(2 * Units, Units);");
        writer.Line(n.Span + "<float> dUpdateGate = dGate.Slice(0, Units);");
        writer.Line(n.Span + "<float> dResetGate = dGate.Slice(Units, Units);");
        writer.Line(n.Span + "<float> dCandidate = dGate.Slice(2 * Units, Units);");
        writer.Line();
        writer.Line("// h[t] = h̃ + z · (h[previous] - h̃): dz = dh · (h[previous] - h̃), dh̃ = dh · (1 - z), dh[previous] += dh · z.");
        using (writer.Block("if (previous >= 0)"))
        {
            writer.Line(n.TensorPrimitives + ".Subtract(states.Slice(previous * Units, Units), candidate, dUpdateGate);");
        }

        using (writer.Block("else"))
        {
            writer.Line(n.TensorPrimitives + ".Negate(candidate, dUpdateGate);");
        }

        writer.Line();
        writer.Line(n.TensorPrimitives + ".Multiply(dUpdateGate, dh, dUpdateGate);");
        Derivative(writer, n, layer.Cell!.RecurrentActivation, "updateGate", "dUpdateGate");
        writer.Line(n.TensorPrimitives + ".Multiply(dh, updateGate, dCandidate);");
        using (writer.Block("if (previous >= 0)"))
        {
            writer.Line(n.Span + "<float> dPrevious = dStates.Slice(previous * Units, Units);");
            writer.Line(n.TensorPrimitives + ".Add(dPrevious, dCandidate, dPrevious);");
        }

        writer.Line();
        writer.Line(n.TensorPrimitives + ".Subtract(dh, dCandidate, dCandidate);");
        Derivative(writer, n, layer.Cell.Activation, "candidate", "dCandidate");
        writer.Line();
        if (layer.Cell.ResetAfter)
        {
            writer.Line("// r scales the recurrent projection: dr = dh̃ · recurrence_h; that projection's gradient is dh̃ · r, z's and r's are theirs.");
            writer.Line(n.TensorPrimitives + ".Multiply(dCandidate, recurrent.Slice(t * GateWidth + 2 * Units, Units), dResetGate);");
            Derivative(writer, n, layer.Cell.RecurrentActivation, "resetGate", "dResetGate");
            writer.Line("dGate.Slice(0, 2 * Units).CopyTo(dRecurrence);");
            writer.Line(n.TensorPrimitives + ".Multiply(dCandidate, resetGate, dRecurrence.Slice(2 * Units, Units));");
        }
        else
        {
            writer.Line("// h̃'s recurrent part is (r · h[previous]) · recurrent_kernel_h: its kernel gradient is (r · h[previous])ᵀ dh̃, here, step by step;");
            writer.Line("// d(r · h[previous]) = dh̃ · recurrent_kernel_hᵀ (held in dResetGate) gives dr = that · h[previous] and adds that · r to dh[previous].");
            writer.Line("dRecurrence.Slice(0, 2 * Units).Clear();");
            writer.Line("dCandidate.CopyTo(dRecurrence.Slice(2 * Units, Units));");
            writer.Line("dResetGate.Clear();");
            writer.Line(n.LinearAlgebra + ".MultiplyAdd(dRecurrence, recurrentKernelT, dResetGate);");
            using (writer.Block("if (previous >= 0)"))
            {
                writer.Line(n.ReadOnlySpan + "<float> previousState = states.Slice(previous * Units, Units);");
                writer.Line(n.Span + "<float> dPrevious = dStates.Slice(previous * Units, Units);");
                writer.Line(n.TensorPrimitives + ".MultiplyAdd(dResetGate, resetGate, dPrevious, dPrevious);");
                writer.Line(n.TensorPrimitives + ".Multiply(resetGate, previousState, dh); // dh is spent: it holds r · h[previous] now");
                writer.Line(n.LinearAlgebra + ".AddTransposedProduct(dh, dRecurrence, dRecurrentKernel, GateWidth);");
                writer.Line(n.TensorPrimitives + ".Multiply(dResetGate, previousState, dResetGate);");
            }

            using (writer.Block("else"))
            {
                writer.Line("dResetGate.Clear(); // r multiplied h = 0");
            }

            writer.Line();
            Derivative(writer, n, layer.Cell.RecurrentActivation, "resetGate", "dResetGate");
            writer.Line("// The projection h[previous] · recurrent_kernel fed z and r only: its gradient is theirs, and none for h̃.");
            writer.Line("dGate.Slice(0, 2 * Units).CopyTo(dRecurrence);");
            writer.Line("dRecurrence.Slice(2 * Units, Units).Clear();");
        }

        if (!productDone)
        {
            using (writer.Block("if (previous >= 0)"))
            {
                writer.Line(n.LinearAlgebra + ".MultiplyAdd(dRecurrence, recurrentKernelT, dStates.Slice(previous * Units, Units));");
            }
        }
    }
}
