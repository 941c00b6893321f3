using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// The mask in the generated code: computed once per sequence by <c>ComputeMask</c> (the one place that knows what
/// marks padding), held in a scratch span <c>mask</c> (1 where a step counts, 0 at padding), and read by every
/// masked site: the recurrences, the merge of two directions, and the loss.
/// </summary>
internal static class MaskEmitter
{
    public const string Name = "mask";

    /// <summary>The scratch the mask takes: one float per step.</summary>
    public static ScratchBuffer Buffer(ModelSpec model) =>
        new(Name, 1, 0, "1 where a step counts, 0 at padding (" + model.Mask.Describe() + ")") { HasGradient = false };

    /// <summary>The argument that carries the mask into a layer's method (with a trailing separator), or nothing.</summary>
    public static string Argument(LayerSpec layer) => layer.Masked ? Name + ", " : string.Empty;

    /// <summary>The parameter that receives the mask (with a trailing separator), or nothing.</summary>
    public static string Parameter(ModelSpec model, LayerSpec layer) => layer.Masked ? model.Names.ReadOnlySpan + "<float> " + Name + ", " : string.Empty;

    /// <summary>The condition that step <paramref name="step"/> is padding.</summary>
    public static string IsPadding(string step) => Name + "[" + step + "] == 0";

    /// <summary>The Keras option that declares the mask, for comments.</summary>
    private static string KerasName(MaskSpec mask) => mask.Kind switch
    {
        MaskKind.TokenZero => "Keras <c>mask_zero=True</c>",
        _ => "no mask",
    };

    /// <summary>The line that fills <c>mask</c> for the sequence, after the scratch is carved.</summary>
    public static void WriteCompute(IndentedWriter writer, ModelSpec model)
    {
        if (model.Mask.IsMasked)
        {
            writer.Line();
            writer.Line("// Which steps are padding, once for the whole sequence.");
            writer.Line("ComputeMask(" + ModelEmitter.Input(model).Name + ", " + Name + ");");
        }
    }

    /// <summary><c>ComputeMask</c>, <c>ComputeOutputMask</c> and <c>LossTermCount</c>: the mask and what it means for the loss.</summary>
    public static void WriteMembers(IndentedWriter writer, ModelSpec model)
    {
        RuntimeNames n = model.Names;
        (string input, string inputType) = ModelEmitter.Input(model);
        bool maskedRows = model.OutputIsSequence && model.Mask.IsMasked;
        string steps = model.TokenInput ? "tokens.Length" : "StepsOf(inputs.Length)";

        writer.Line(maskedRows
            ? "/// <summary>Whether padding steps are left out of the loss and metrics: yes, this model masks " + model.Mask.Describe() + " and outputs a row per step.</summary>"
            : "/// <summary>Whether padding steps are left out of the loss and metrics: no, " + (model.Mask.IsMasked ? "the output has one row per sequence." : "this model masks nothing.") + "</summary>");
        writer.Line("public bool MasksPaddingSteps => " + (maskedRows ? "true" : "false") + ";");
        writer.Line();
        writer.Line("/// <summary>How many output rows of this sequence count in the loss: the batch mean divides by their total.</summary>");
        if (!maskedRows)
        {
            writer.Line(!model.OutputIsSequence
                ? "public int LossTermCount(" + inputType + " " + input + ") => 1;"
                : "public int LossTermCount(" + inputType + " " + input + ") => " + steps + ";");
        }
        else
        {
            using (writer.Block("public int LossTermCount(" + inputType + " tokens)"))
            {
                writer.Line(n.Span + "<float> " + Name + " = " + n.ThreadScratch + ".Get(tokens.Length);");
                writer.Line("ComputeMask(tokens, " + Name + ");");
                writer.Line("return (int)" + n.TensorPrimitives + ".Sum(" + Name + ");");
            }
        }

        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Keras's output mask: whether each output row counts in the loss and metrics"
            + (maskedRows ? " (not at padding steps)." : (model.OutputIsSequence ? " (every row does: nothing is masked)." : " (the one row does).")));
        writer.Line("/// </summary>");
        using (writer.Block("public void ComputeOutputMask(" + inputType + " " + input + ", " + n.Span + "<bool> counted)"))
        {
            writer.Line(n.ModelInput + ".CheckLength(counted.Length, OutputLength(" + steps + ") / OutputWidth, " + n.NameOf("counted") + ");");
            if (!maskedRows)
            {
                writer.Line("counted.Fill(true);");
            }
            else
            {
                writer.Line(n.Span + "<float> " + Name + " = " + n.ThreadScratch + ".Get(tokens.Length);");
                writer.Line("ComputeMask(tokens, " + Name + ");");
                using (writer.Block("for (int row = 0; row < counted.Length; row++)"))
                {
                    writer.Line("counted[row] = " + Name + "[row] != 0;");
                }
            }
        }

        if (model.Mask.IsMasked)
        {
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// The mask of one sequence, computed once per call: 1 where a step counts, 0 where it is padding");
            writer.Line("/// (" + model.Mask.Describe() + ", " + KerasName(model.Mask) + "). Every masked step of the model reads it.");
            writer.Line("/// </summary>");
            switch (model.Mask.Kind)
            {
                case MaskKind.TokenZero:
                    using (writer.Block("private static void ComputeMask(" + n.ReadOnlySpan + "<int> tokens, " + n.Span + "<float> " + Name + ")"))
                    {
                        using (writer.Block("for (int t = 0; t < tokens.Length; t++)"))
                        {
                            writer.Line(Name + "[t] = tokens[t] == 0 ? 0f : 1f;");
                        }
                    }

                    break;
            }
        }
    }
}
