using RnnDsl.Generators.Emit;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Cells;

/// <summary>The step and backward step of <see cref="SimpleRnnCell"/>: <c>h[t] = activation(a[t])</c>, <c>a[t] = x[t] · kernel + h[previous] · recurrent_kernel + bias</c>.</summary>
internal sealed class SimpleRnnEmitter : CellEmitter
{
    public static readonly SimpleRnnEmitter Instance = new();

    public override string Equation(LayerSpec layer) =>
        "/// <c>h[t] = " + Format.Keras(layer.Cell!.Activation) + "(x[t] · kernel + h[previous] · recurrent_kernel + bias)</c>, with h = 0 before the first step read.";

    public override string StepComment(LayerSpec layer) =>
        "// The recurrence, in reading order: states[t] = " + Format.Keras(layer.Cell!.Activation) + "(states[t] + h[previous] · recurrent_kernel).";

    public override string PreActivation(LayerSpec layer) => "a[t] = x[t] · kernel + h[previous] · recurrent_kernel + bias";

    public override void WriteStep(IndentedWriter writer, ModelSpec model, LayerSpec layer, StepForm form)
    {
        if (!form.PreviousMayBeEmpty)
        {
            writer.Line("// state += h[previous] · recurrent_kernel, then the activation");
        }

        if (!form.ProductDone)
        {
            using (writer.BlockIf(form.PreviousMayBeEmpty, "if (!previous.IsEmpty)"))
            {
                writer.Line(model.Names.LinearAlgebra + ".MultiplyAdd(previous, recurrentKernel, state);");
            }
        }

        string? activate = Format.ActivationCall(model.Names, layer.Cell!.Activation, "state");
        if (activate is not null)
        {
            if (!form.ProductDone)
            {
                writer.Line();
            }

            writer.Line(activate);
        }
    }

    public override void WriteBackwardStep(IndentedWriter writer, ModelSpec model, LayerSpec layer, bool productDone)
    {
        string? derivative = Format.DerivativeCall(model.Names, layer.Cell!.Activation, "states.Slice(t * Units, Units)", "dh");
        if (derivative is not null)
        {
            writer.Line(derivative + " // dh is now da[t]");
        }

        if (!productDone)
        {
            using (writer.Block("if (previous >= 0)"))
            {
                writer.Line(model.Names.LinearAlgebra + ".MultiplyAdd(dh, recurrentKernelT, dStates.Slice(previous * Units, Units));");
            }
        }
    }
}
