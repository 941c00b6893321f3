using RnnDsl.Generators.Emit;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Cells;

/// <summary>
/// The step and backward step of <see cref="LstmCell"/>. The recurrence hands it <c>gate</c> (the step's four gate
/// blocks, holding x[t] · kernel + bias), <c>state</c>/<c>cell</c> (h[t] and c[t] to write) and <c>previous</c>/<c>previousCell</c>.
/// </summary>
internal sealed class LstmEmitter : CellEmitter
{
    public static readonly LstmEmitter Instance = new();

    private static string Gate(LayerSpec layer) => Format.Keras(layer.Cell!.RecurrentActivation);

    private static string Act(LayerSpec layer) => Format.Keras(layer.Cell!.Activation);

    public override string Equation(LayerSpec layer) =>
        "/// <c>[i, f, c̃, o] = x[t] · kernel + h[previous] · recurrent_kernel + bias</c> (four blocks of Units), then <c>i, f, o = " + Gate(layer) + "(…)</c>,\n"
        + "/// <c>c̃ = " + Act(layer) + "(…)</c>, <c>c[t] = f · c[previous] + i · c̃</c>, <c>h[t] = o · " + Act(layer) + "(c[t])</c>; h and c are 0 before the first step read.";

    public override string StepComment(LayerSpec layer) =>
        "// The recurrence, in reading order: the gates from gates[t] + h[previous] · recurrent_kernel, then c[t] and h[t].";

    public override string PreActivation(LayerSpec layer) => "the four blocks of x[t] · kernel + h[previous] · recurrent_kernel + bias";

    public override void WriteStep(IndentedWriter writer, ModelSpec model, LayerSpec layer, StepForm form)
    {
        RuntimeNames n = model.Names;
        if (!form.PreviousMayBeEmpty)
        {
            writer.Line("// gate += h[previous] · recurrent_kernel");
        }

        if (!form.ProductDone)
        {
            using (writer.BlockIf(form.PreviousMayBeEmpty, "if (!previous.IsEmpty)"))
            {
                writer.Line(RecurrentProduct(n, form, "previous", "gate"));
            }

            writer.Line();
        }

        writer.Line(n.Span + "<float> inputGate = gate.Slice(0, Units);");
        writer.Line(n.Span + "<float> forgetGate = gate.Slice(Units, Units);");
        writer.Line(n.Span + "<float> cellCandidate = gate.Slice(2 * Units, Units);");
        writer.Line(n.Span + "<float> outputGate = gate.Slice(3 * Units, Units);");
        Activate(writer, n, layer.Cell!.RecurrentActivation, "gate.Slice(0, 2 * Units)", "i and f");
        Activate(writer, n, layer.Cell.Activation, "cellCandidate", "c̃");
        Activate(writer, n, layer.Cell.RecurrentActivation, "outputGate", "o");
        writer.Line();
        writer.Line("// c[t] = f · c[previous] + i · c̃");
        writer.Line(n.TensorPrimitives + ".Multiply(inputGate, cellCandidate, cell);");
        using (writer.BlockIf(form.PreviousMayBeEmpty, "if (!previousCell.IsEmpty)"))
        {
            writer.Line(n.TensorPrimitives + ".MultiplyAdd(forgetGate, previousCell, cell, cell);");
        }

        writer.Line();
        writer.Line("// h[t] = o · " + Act(layer) + "(c[t])");
        writer.Line("cell.CopyTo(state);");
        Activate(writer, n, layer.Cell.Activation, "state");
        writer.Line(n.TensorPrimitives + ".Multiply(state, outputGate, state);");
    }

    public override void WriteBackwardStep(IndentedWriter writer, ModelSpec model, LayerSpec layer, bool productDone)
    {
        RuntimeNames n = model.Names;
        ActivationKind gates = layer.Cell!.RecurrentActivation;
        ActivationKind act = layer.Cell.Activation;
        writer.Line(n.ReadOnlySpan + "<float> gate = gates.Slice(t * GateWidth, GateWidth);");
        writer.Line(n.ReadOnlySpan + "<float> inputGate = gate.Slice(0, Units);");
        writer.Line(n.ReadOnlySpan + "<float> forgetGate = gate.Slice(Units, Units);");
        writer.Line(n.ReadOnlySpan + "<float> cellCandidate = gate.Slice(2 * Units, Units);");
        writer.Line(n.ReadOnlySpan + "<float> outputGate = gate.Slice(3 * Units, Units);");
        writer.Line(n.Span + "<float> dInputGate = dGate.Slice(0, Units);");
        writer.Line(n.Span + "<float> dForgetGate = dGate.Slice(Units, Units);");
        writer.Line(n.Span + "<float> dCellCandidate = dGate.Slice(2 * Units, Units);");
        writer.Line(n.Span + "<float> dOutputGate = dGate.Slice(3 * Units, Units);");
        writer.Line();
        writer.Line("// " + Act(layer) + "(c[t]) again, held in dOutputGate until that is written: h[t] = o · " + Act(layer) + "(c[t]).");
        writer.Line("cells.Slice(t * Units, Units).CopyTo(dOutputGate);");
        Activate(writer, n, act, "dOutputGate");
        writer.Line();
        writer.Line("// dc[t] += dh · o · " + Act(layer) + "'(c[t]), with dInputGate as scratch");
        writer.Line(n.TensorPrimitives + ".Multiply(dh, outputGate, dInputGate);");
        Derivative(writer, n, act, "dOutputGate", "dInputGate");
        writer.Line(n.TensorPrimitives + ".Add(dc, dInputGate, dc);");
        writer.Line();
        writer.Line("// The gates' pre-activations: do = dh · " + Act(layer) + "(c[t]), di = dc · c̃, dc̃ = dc · i, df = dc · c[previous], each through its activation.");
        writer.Line(n.TensorPrimitives + ".Multiply(dOutputGate, dh, dOutputGate);");
        Derivative(writer, n, gates, "outputGate", "dOutputGate");
        writer.Line(n.TensorPrimitives + ".Multiply(dc, cellCandidate, dInputGate);");
        Derivative(writer, n, gates, "inputGate", "dInputGate");
        writer.Line(n.TensorPrimitives + ".Multiply(dc, inputGate, dCellCandidate);");
        Derivative(writer, n, act, "cellCandidate", "dCellCandidate");
        using (writer.Block("if (previous >= 0)"))
        {
            writer.Line(n.TensorPrimitives + ".Multiply(dc, cells.Slice(previous * Units, Units), dForgetGate);");
            Derivative(writer, n, gates, "forgetGate", "dForgetGate");
            writer.Line();
            writer.Line(productDone
                ? "// Back to the step read before: dc[previous] += dc · f (dh[previous] += dGates[t] · recurrent_kernelᵀ is done for the batch)."
                : "// Back to the step read before: dc[previous] += dc · f, dh[previous] += dGates[t] · recurrent_kernelᵀ.");
            writer.Line(n.Span + "<float> dPreviousCell = dCells.Slice(previous * Units, Units);");
            writer.Line(n.TensorPrimitives + ".MultiplyAdd(dc, forgetGate, dPreviousCell, dPreviousCell);");
            if (!productDone)
            {
                writer.Line(n.LinearAlgebra + ".MultiplyAdd(dGate, recurrentKernelT, dStates.Slice(previous * Units, Units));");
            }
        }
    }
}
