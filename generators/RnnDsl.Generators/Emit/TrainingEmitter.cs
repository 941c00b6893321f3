using System.Collections.Generic;
using System.Linq;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// Writes the training members: <c>ComputeGradients</c> over a batch and <c>AccumulateGradients</c>
/// for one sequence, which runs the forward pass keeping every layer's output, evaluates the loss of
/// each output row, and backpropagates through time layer by layer.
/// </summary>
internal static class TrainingEmitter
{
    public static void WriteTrainingMembers(IndentedWriter writer, ModelSpec model)
    {
        RuntimeNames n = model.Names;
        (string input, string inputType) = ModelEmitter.Input(model);
        bool maskedRows = model.OutputIsSequence && model.Mask.IsMasked;

        writer.Line("/// <summary>The number of steps in an input of <paramref name=\"length\"/> values.</summary>");
        writer.Line(model.TokenInput
            ? "public int StepsOf(int length) => length;"
            : "public int StepsOf(int length) => " + n.ModelInput + ".StepsOf(length, Features, " + n.NameOf("length") + ");");
        writer.Line();
        MaskEmitter.WriteMembers(writer, model);
        writer.Line();
        writer.Line("/// <summary>Whether the model has dropout (layers or options), which only training mode applies.</summary>");
        writer.Line("public bool HasDropout => " + (model.HasDropout ? "true" : "false") + ";");
        writer.Line();
        WriteComputeGradients(writer, model, input, inputType);
        writer.Line();
        WriteAccumulateGradients(writer, model, input, inputType, maskedRows);
        writer.Line();
        WriteAccumulateGradientsOfMany(writer, model, input, inputType);
        if (BatchTrainingEmitter.Used(model))
        {
            writer.Line();
            BatchTrainingEmitter.WriteAccumulate(writer, model);
        }
    }

    private static void WriteComputeGradients(IndentedWriter writer, ModelSpec model, string input, string inputType)
    {
        writer.Line("/// <summary>");
        writer.Line("/// The mean loss over <paramref name=\"batchSize\"/> sequences stored back to back, and its gradient in the");
        writer.Line("/// parameter layout (Keras get_weights() order), written to <paramref name=\"gradients\"/>.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"" + input + "\">" + ModelEmitter.InputDescription(model) + ", for <paramref name=\"batchSize\"/> sequences of equal length back to back.</param>");
        writer.Line("/// <param name=\"targets\">One row per output row of each sequence: OutputWidth values, or one class index for sparse categorical cross-entropy.</param>");
        writer.Line("/// <param name=\"batchSize\">The number of sequences.</param>");
        writer.Line("/// <param name=\"gradients\">Receives the gradient of the mean loss, ParameterCount values in the layout of Parameters.</param>");
        writer.Line("/// <param name=\"loss\">The loss to evaluate.</param>");
        RuntimeNames n = model.Names;
        writer.Line("/// <exception cref=\"" + n.ArgumentException + "\">" + ModelEmitter.InputErrors(model) + "</exception>");
        string parameters = inputType + " " + input + ", " + n.ReadOnlySpan + "<float> targets, int batchSize, " + n.Span + "<float> gradients, " + n.Loss + " loss";
        string arguments = input + ", targets, batchSize, gradients, loss";
        using (writer.Block(TrainingModeHeader(writer, model, "ComputeGradients", "Compute", parameters, arguments,
            "the dropout masks of sequence i come from <c>DropoutMasks.SequenceSeed(dropoutSeed, i)</c>")))
        {
            writer.Line("int sequenceLength = " + n.ModelInput + ".SequenceLengthOf(" + input + ".Length, batchSize, " + n.NameOf(input) + ");");
            writer.Line("int targetLength = " + n.ModelInput + ".SequenceLengthOf(targets.Length, batchSize, " + n.NameOf("targets") + ");");
            writer.Line(n.ModelInput + ".CheckLength(gradients.Length, ParameterCount, " + n.NameOf("gradients") + ");");
            writer.Line("gradients.Clear();");
            if (!model.OutputIsSequence)
            {
                writer.Line();
                writer.Line("// The loss is the mean over the batch: one output row per sequence.");
                writer.Line("int terms = batchSize;");
            }
            else
            {
                writer.Line("int terms = 0;");
                using (writer.Block("for (int sequence = 0; sequence < batchSize; sequence++)"))
                {
                    writer.Line("terms += LossTermCount(" + input + ".Slice(sequence * sequenceLength, sequenceLength));");
                }

                writer.Line();
                if (model.Mask.IsMasked)
                {
                    using (writer.Block("if (terms == 0)"))
                    {
                        writer.Line("return 0f; // nothing but padding: no loss, no gradient");
                    }

                    writer.Line();
                }

                writer.Line("// The loss is the mean over the batch and over the " + (model.Mask.IsMasked ? "steps that are not padding." : "steps."));
            }

            writer.Line("float scale = 1f / terms;");
            writer.Line("double total = 0;");
            if (BatchTrainingEmitter.Used(model))
            {
                writer.Line();
                writer.Line("// What AccumulateGradients checks for each sequence, for the whole batch.");
                ModelEmitter.WriteInputChecks(writer, model, "sequenceLength");
                writer.Line(n.ModelInput + ".CheckLength(targetLength, OutputLength(steps) / OutputWidth * " + n.LossFunctions + ".TargetWidth(loss, OutputWidth), " + n.NameOf("targets") + ");");
                writer.Line();
                BatchTrainingEmitter.WriteComputeLoop(writer, model, input);
            }
            else
            {
                using (writer.Block("for (int sequence = 0; sequence < batchSize; sequence++)"))
                {
                    writer.Line(model.HasDropout
                        ? "total += Accumulate(" + input + ".Slice(sequence * sequenceLength, sequenceLength), targets.Slice(sequence * targetLength, targetLength), loss, scale, gradients, " + n.Span + "<float>.Empty, training, " + n.DropoutMasks + ".SequenceSeed(dropoutSeed, sequence));"
                        : "total += AccumulateGradients(" + input + ".Slice(sequence * sequenceLength, sequenceLength), targets.Slice(sequence * targetLength, targetLength), loss, scale, gradients, " + n.Span + "<float>.Empty);");
                }
            }

            writer.Line();
            writer.Line("return (float)(total * scale);");
        }

        WriteTrainingModeWithoutDropout(writer, model, "ComputeGradients", parameters, arguments);
    }

    private static void WriteAccumulateGradients(IndentedWriter writer, ModelSpec model, string input, string inputType, bool maskedRows)
    {
        RuntimeNames n = model.Names;
        (List<LayerStep> steps, List<ScratchBuffer> forwardBuffers) = ForwardPlan.For(model, training: model.HasDropout);
        ScratchBuffer outputBuffer = OutputBuffer(model);
        var backwardBuffers = new List<ScratchBuffer> { outputBuffer.Gradient() };
        backwardBuffers.AddRange(forwardBuffers.Where(b => b.HasGradient).Select(b => b.Gradient()));
        foreach (LayerStep step in steps.Where(s => s.Layer.Kind == LayerKind.Recurrent))
        {
            int length = RecurrenceEmitter.TransposedLength(step.Layer, BackwardEmitter.InputHasGradient(model, step.Layer));
            backwardBuffers.Add(new ScratchBuffer(step.TransposedWeights, 0, length, step.Layer.KerasName + " transposed weights, " + Format.Int(length) + " floats"));
        }

        writer.Line("/// <summary>");
        writer.Line("/// Backpropagation through time for one sequence: adds <paramref name=\"scale\"/> times the gradient of its loss");
        writer.Line("/// to <paramref name=\"gradients\"/> and returns the loss summed over its counted rows.");
        writer.Line("/// Allocates nothing after the first call on a thread.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"" + input + "\">" + ModelEmitter.InputDescription(model) + ".</param>");
        writer.Line("/// <param name=\"target\">One row per output row: OutputWidth values, or one class index for sparse categorical cross-entropy.</param>");
        writer.Line("/// <param name=\"loss\">The loss to evaluate.</param>");
        writer.Line("/// <param name=\"scale\">The factor on this sequence's loss gradient (1 / the rows counted in the batch).</param>");
        writer.Line("/// <param name=\"gradients\">The gradient this adds to, ParameterCount values in the layout of Parameters.</param>");
        writer.Line("/// <param name=\"output\">Receives the prediction, OutputLength(steps) values; may be empty.</param>");
        writer.Line("/// <exception cref=\"" + n.ArgumentException + "\">" + ModelEmitter.InputErrors(model) + "</exception>");
        string parameters = inputType + " " + input + ", " + n.ReadOnlySpan + "<float> target, " + n.Loss + " loss, float scale, " + n.Span + "<float> gradients, " + n.Span + "<float> output";
        string arguments = input + ", target, loss, scale, gradients, output";
        using (writer.Block(TrainingModeHeader(writer, model, "AccumulateGradients", "Accumulate", parameters, arguments,
            "this sequence's dropout masks come from <paramref name=\"dropoutSeed\"/>")))
        {
            ModelEmitter.WriteInputChecks(writer, model, input + ".Length");

            writer.Line("int rows = OutputLength(steps) / OutputWidth;");
            writer.Line("int targetWidth = " + n.LossFunctions + ".TargetWidth(loss, OutputWidth);");
            writer.Line(n.ModelInput + ".CheckLength(target.Length, rows * targetWidth, " + n.NameOf("target") + ");");
            writer.Line(n.ModelInput + ".CheckLength(gradients.Length, ParameterCount, " + n.NameOf("gradients") + ");");
            writer.Line();
            writer.Line(n.ReadOnlySpan + "<float> parameters = _parameters;");
            ScratchBuffer all = ScratchBuffer.Total(forwardBuffers.Append(outputBuffer).Concat(backwardBuffers));
            writer.Line(n.Span + "<float> scratch = " + n.ThreadScratch + ".Get(" + all.LengthExpression + ");");
            using (writer.Block("if (output.IsEmpty)"))
            {
                writer.Line("output = " + n.ThreadScratch + ".Take(ref scratch, OutputLength(steps));");
            }

            using (writer.Block("else"))
            {
                writer.Line(n.ModelInput + ".CheckLength(output.Length, OutputLength(steps), " + n.NameOf("output") + ");");
            }

            writer.Line();
            ModelEmitter.WriteBufferDeclarations(writer, model, forwardBuffers);
            writer.Line("scratch.Clear(); // the gradient buffers below accumulate");
            ModelEmitter.WriteBufferDeclarations(writer, model, backwardBuffers);
            if (model.HasDropout)
            {
                writer.Line("ulong dropoutState = dropoutSeed; // the masks are drawn in layer order, each direction's x mask before its h mask");
            }

            MaskEmitter.WriteCompute(writer, model);
            writer.Line();
            writer.Line("// ── Forward pass, keeping every layer's output for the backward pass.");
            ModelEmitter.WriteLayerCalls(writer, model, steps);
            writer.Line();
            if (!model.OutputIsSequence)
            {
                writer.Line("// ── The loss of the output, and its gradient with respect to the output, times scale.");
                writer.Line("float total = " + n.LossFunctions + ".Evaluate(loss, output, target, scale, dOutput);");
            }
            else
            {
                writer.Line("// ── The loss of each output row (one per step), and its gradient with respect to the output, times scale.");
                writer.Line("float total = 0;");
                WriteRowLosses(writer, model, "total", "scale");
            }

            writer.Line();
            writer.Line("// ── Backward pass, last layer first: each layer turns the gradient of its output into gradients of its");
            writer.Line("// parameters (added to gradients) and of its input (added to the previous layer's output gradient).");
            for (int i = steps.Count - 1; i >= 0; i--)
            {
                writer.Line();
                BackwardEmitter.WriteCall(writer, model, steps[i]);
            }

            writer.Line();
            writer.Line("return total;");
        }

        WriteTrainingModeWithoutDropout(writer, model, "AccumulateGradients", parameters, arguments);
    }

    /// <summary>
    /// <c>AccumulateGradients</c> for many sequences of equal length, each with its own scale: what <c>Fit</c> calls for
    /// a thread's share of a batch. Where every recurrent layer steps a batch, up to BatchLanes sequences go through
    /// <c>AccumulateGradientsBatch</c> together; otherwise one at a time.
    /// </summary>
    private static void WriteAccumulateGradientsOfMany(IndentedWriter writer, ModelSpec model, string input, string inputType)
    {
        RuntimeNames n = model.Names;
        bool batched = BatchTrainingEmitter.Used(model);
        writer.Line("/// <summary>");
        writer.Line("/// <c>AccumulateGradients</c> for <paramref name=\"count\"/> sequences of equal length stored back to back,");
        writer.Line("/// sequence k's gradient scaled by <c>scales[k]</c>: adds them to <paramref name=\"gradients\"/>, writes each sequence's loss (summed over its");
        writer.Line("/// counted rows) to <paramref name=\"losses\"/> and its prediction to <paramref name=\"outputs\"/> (which may be empty). Without dropout, as the");
        writer.Line(batched
            ? "/// overload without a seed. Up to " + Format.Int(BatchEmitter.Lanes) + " sequences at a time step through every recurrent layer together."
            : "/// overload without a seed. The sequences run one at a time.");
        writer.Line("/// </summary>");
        writer.Line("/// <exception cref=\"" + n.ArgumentException + "\">" + ModelEmitter.InputErrors(model) + "</exception>");
        using (writer.Block("public void AccumulateGradients(" + inputType + " " + input + ", int count, " + n.ReadOnlySpan + "<float> targets, " + n.Loss + " loss, "
            + n.ReadOnlySpan + "<float> scales, " + n.Span + "<float> gradients, " + n.Span + "<float> outputs, " + n.Span + "<float> losses)"))
        {
            writer.Line("int sequenceLength = " + n.ModelInput + ".SequenceLengthOf(" + input + ".Length, count, " + n.NameOf(input) + ", " + n.NameOf("count") + ");");
            ModelEmitter.WriteInputChecks(writer, model, "sequenceLength");
            writer.Line("int outputLength = OutputLength(steps);");
            writer.Line("int targetLength = outputLength / OutputWidth * " + n.LossFunctions + ".TargetWidth(loss, OutputWidth);");
            writer.Line(n.ModelInput + ".CheckLength(targets.Length, count * targetLength, " + n.NameOf("targets") + ");");
            writer.Line(n.ModelInput + ".CheckLength(scales.Length, count, " + n.NameOf("scales") + ");");
            writer.Line(n.ModelInput + ".CheckLength(gradients.Length, ParameterCount, " + n.NameOf("gradients") + ");");
            writer.Line(n.ModelInput + ".CheckLength(losses.Length, count, " + n.NameOf("losses") + ");");
            using (writer.Block("if (!outputs.IsEmpty)"))
            {
                writer.Line(n.ModelInput + ".CheckLength(outputs.Length, count * outputLength, " + n.NameOf("outputs") + ");");
            }

            writer.Line();
            if (batched)
            {
                writer.Line(BatchTrainingEmitter.LanesDeclaration(model));
                using (writer.Block("for (int first = 0; first < count; first += lanes)"))
                {
                    writer.Line("int taken = count - first < lanes ? count - first : lanes;");
                    writer.Line("AccumulateGradientsBatch(" + input + ".Slice(first * sequenceLength, taken * sequenceLength), taken, targets.Slice(first * targetLength, taken * targetLength), loss, scales.Slice(first, taken), gradients,");
                    writer.Line("    outputs.IsEmpty ? outputs : outputs.Slice(first * outputLength, taken * outputLength), losses.Slice(first, taken));");
                }
            }
            else
            {
                using (writer.Block("for (int k = 0; k < count; k++)"))
                {
                    writer.Line("losses[k] = AccumulateGradients(" + input + ".Slice(k * sequenceLength, sequenceLength), targets.Slice(k * targetLength, targetLength), loss, scales[k], gradients,");
                    writer.Line("    outputs.IsEmpty ? outputs : outputs.Slice(k * outputLength, outputLength));");
                }
            }
        }
    }

    /// <summary>The training methods' buffer for the model's output: a row per step for a sequence output, else one row.</summary>
    internal static ScratchBuffer OutputBuffer(ModelSpec model) => model.OutputIsSequence
        ? new ScratchBuffer("output", model.OutputWidth, 0, "output, [steps, " + Format.Int(model.OutputWidth) + "]")
        : new ScratchBuffer("output", 0, model.OutputWidth, "output, [" + Format.Int(model.OutputWidth) + "]");

    /// <summary>
    /// The loop that adds the loss of each output row of a sequence output (one per step) to <paramref name="total"/>, and
    /// writes its gradient times <paramref name="scale"/>; padding rows do not count.
    /// </summary>
    public static void WriteRowLosses(IndentedWriter writer, ModelSpec model, string total, string scale)
    {
        using (writer.Block("for (int row = 0; row < rows; row++)"))
        {
            if (model.OutputIsSequence && model.Mask.IsMasked)
            {
                using (writer.Block("if (" + MaskEmitter.IsPadding("row") + ")"))
                {
                    writer.Line("continue; // padding steps do not count");
                }

                writer.Line();
            }

            writer.Line(total + " += " + model.Names.LossFunctions + ".Evaluate(loss, output.Slice(row * OutputWidth, OutputWidth), target.Slice(row * targetWidth, targetWidth), "
                + scale + ", dOutput.Slice(row * OutputWidth, OutputWidth));");
        }
    }

    /// <summary>
    /// The header of a gradient method's body. With dropout, the public method (documented just before) and its
    /// training-mode overload call a private core that takes the mode, whose header this returns; without, it is the
    /// public method's own.
    /// </summary>
    private static string TrainingModeHeader(IndentedWriter writer, ModelSpec model, string name, string core, string parameters, string arguments, string masks)
    {
        if (!model.HasDropout)
        {
            return "public float " + name + "(" + parameters + ")";
        }

        writer.Line("public float " + name + "(" + parameters + ") => " + core + "(" + arguments + ", training: false, dropoutSeed: 0);");
        writer.Line();
        writer.Line("/// <summary>" + name + " in training mode: " + masks + ".</summary>");
        writer.Line("public float " + name + "(" + parameters + ", ulong dropoutSeed) => " + core + "(" + arguments + ", training: true, dropoutSeed);");
        writer.Line();
        writer.Line("/// <summary>" + name + ", with dropout while training, its masks drawn from <paramref name=\"dropoutSeed\"/>.</summary>");
        return "private float " + core + "(" + parameters + ", bool training, ulong dropoutSeed)";
    }

    /// <summary>Without dropout, the training-mode overload is the method itself.</summary>
    private static void WriteTrainingModeWithoutDropout(IndentedWriter writer, ModelSpec model, string name, string parameters, string arguments)
    {
        if (!model.HasDropout)
        {
            writer.Line();
            writer.Line("/// <summary>" + name + " in training mode, which for this model, without dropout, is the same.</summary>");
            writer.Line("public float " + name + "(" + parameters + ", ulong dropoutSeed) => " + name + "(" + arguments + ");");
        }
    }
}
