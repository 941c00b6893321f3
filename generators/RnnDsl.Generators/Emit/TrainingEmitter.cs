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
        string input = model.TokenInput ? "tokens" : "inputs";
        string inputType = model.TokenInput ? "ReadOnlySpan<int>" : "ReadOnlySpan<float>";
        bool maskedRows = model.OutputIsSequence && model.Layers[0].Masked;

        writer.Line("/// <summary>The number of steps in an input of <paramref name=\"length\"/> values.</summary>");
        writer.Line(model.TokenInput
            ? "public int StepsOf(int length) => length;"
            : "public int StepsOf(int length) => ModelInput.StepsOf(length, Features, nameof(length));");
        writer.Line();
        writer.Line("/// <summary>Whether padding steps (token 0) are left out of the loss and metrics of a sequence output.</summary>");
        writer.Line("public bool MasksPaddingSteps => " + (maskedRows ? "true" : "false") + ";");
        writer.Line();
        writer.Line("/// <summary>How many output rows of this sequence count in the loss: the batch mean divides by their total.</summary>");
        writer.Line(!model.OutputIsSequence
            ? "public int LossTermCount(" + inputType + " " + input + ") => 1;"
            : maskedRows
                ? "public int LossTermCount(ReadOnlySpan<int> tokens) => tokens.Length - tokens.Count(0);"
                : "public int LossTermCount(" + inputType + " " + input + ") => StepsOf(" + input + ".Length);");
        writer.Line();

        WriteComputeGradients(writer, model, input, inputType);
        writer.Line();
        WriteAccumulateGradients(writer, model, input, inputType, maskedRows);
    }

    private static void WriteComputeGradients(IndentedWriter writer, ModelSpec model, string input, string inputType)
    {
        writer.Line("/// <summary>");
        writer.Line("/// The mean loss over <paramref name=\"batchSize\"/> sequences stored back to back, and its gradient in the");
        writer.Line("/// parameter layout (Keras get_weights() order), written to <paramref name=\"gradients\"/>.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"targets\">One row per output row of each sequence: OutputWidth values, or one class index for sparse categorical cross-entropy.</param>");
        writer.Line("/// <exception cref=\"ArgumentException\">A span has the wrong length, or an input or target is out of range.</exception>");
        using (writer.Block("public float ComputeGradients(" + inputType + " " + input + ", ReadOnlySpan<float> targets, int batchSize, Span<float> gradients, Loss loss)"))
        {
            writer.Line("int sequenceLength = ModelInput.SequenceLengthOf(" + input + ".Length, batchSize, nameof(" + input + "));");
            writer.Line("int targetLength = ModelInput.SequenceLengthOf(targets.Length, batchSize, nameof(targets));");
            writer.Line("ModelInput.CheckLength(gradients.Length, ParameterCount, nameof(gradients));");
            writer.Line("gradients.Clear();");
            writer.Line("int terms = 0;");
            using (writer.Block("for (int sequence = 0; sequence < batchSize; sequence++)"))
            {
                writer.Line("terms += LossTermCount(" + input + ".Slice(sequence * sequenceLength, sequenceLength));");
            }

            writer.Line();
            using (writer.Block("if (terms == 0)"))
            {
                writer.Line("return 0f; // nothing but padding: no loss, no gradient");
            }

            writer.Line();
            writer.Line("// The loss is a mean over the batch (and over the counted steps of sequence outputs).");
            writer.Line("float scale = 1f / terms;");
            writer.Line("double total = 0;");
            using (writer.Block("for (int sequence = 0; sequence < batchSize; sequence++)"))
            {
                writer.Line("total += AccumulateGradients(" + input + ".Slice(sequence * sequenceLength, sequenceLength), targets.Slice(sequence * targetLength, targetLength), loss, scale, gradients, Span<float>.Empty);");
            }

            writer.Line();
            writer.Line("return (float)(total * scale);");
        }
    }

    private static void WriteAccumulateGradients(IndentedWriter writer, ModelSpec model, string input, string inputType, bool maskedRows)
    {
        (List<LayerStep> steps, List<ScratchBuffer> forwardBuffers) = ForwardPlan.For(model);
        var outputBuffer = model.OutputIsSequence
            ? new ScratchBuffer("output", model.OutputWidth, 0, "output, [steps, " + Format.Int(model.OutputWidth) + "]")
            : new ScratchBuffer("output", 0, model.OutputWidth, "output, [" + Format.Int(model.OutputWidth) + "]");
        var backwardBuffers = new List<ScratchBuffer> { outputBuffer.Gradient() };
        backwardBuffers.AddRange(forwardBuffers.Select(b => b.Gradient()));
        foreach (LayerStep step in steps.Where(s => s.Layer.Kind == LayerKind.SimpleRnn))
        {
            int length = BackwardEmitter.TransposedLength(step.Layer, BackwardEmitter.InputHasGradient(model, step.Layer));
            backwardBuffers.Add(new ScratchBuffer(step.Name + "Transposed", 0, length, step.Name + " transposed weights, " + Format.Int(length) + " floats"));
        }

        writer.Line("/// <summary>");
        writer.Line("/// Backpropagation through time for one sequence: adds <paramref name=\"scale\"/> times the gradient of its loss");
        writer.Line("/// to <paramref name=\"gradients\"/> and returns the loss summed over its counted rows.");
        writer.Line("/// Allocates nothing after the first call on a thread.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"output\">Receives the prediction, OutputLength(steps) values; may be empty.</param>");
        using (writer.Block("public float AccumulateGradients(" + inputType + " " + input + ", ReadOnlySpan<float> target, Loss loss, float scale, Span<float> gradients, Span<float> output)"))
        {
            ModelEmitter.WriteInputChecks(writer, model, input + ".Length");

            writer.Line("int rows = OutputLength(steps) / OutputWidth;");
            writer.Line("int targetWidth = LossFunctions.TargetWidth(loss, OutputWidth);");
            writer.Line("ModelInput.CheckLength(target.Length, rows * targetWidth, nameof(target));");
            writer.Line("ModelInput.CheckLength(gradients.Length, ParameterCount, nameof(gradients));");
            writer.Line();
            writer.Line("ReadOnlySpan<float> parameters = _parameters;");
            ScratchBuffer all = ScratchBuffer.Total(forwardBuffers.Append(outputBuffer).Concat(backwardBuffers));
            writer.Line("Span<float> scratch = ThreadScratch.Get(" + all.LengthExpression + ");");
            using (writer.Block("if (output.IsEmpty)"))
            {
                writer.Line("output = ThreadScratch.Take(ref scratch, OutputLength(steps));");
            }

            using (writer.Block("else"))
            {
                writer.Line("ModelInput.CheckLength(output.Length, OutputLength(steps), nameof(output));");
            }

            writer.Line();
            ModelEmitter.WriteBufferDeclarations(writer, forwardBuffers);
            writer.Line("scratch.Clear(); // the gradient buffers below accumulate");
            ModelEmitter.WriteBufferDeclarations(writer, backwardBuffers);
            writer.Line();
            writer.Line("// ── Forward pass, keeping every layer's output for the backward pass.");
            ModelEmitter.WriteLayerCalls(writer, model, steps);
            writer.Line();
            writer.Line("// ── The loss of each output row, and its gradient with respect to the output, times scale.");
            writer.Line("float total = 0;");
            using (writer.Block("for (int row = 0; row < rows; row++)"))
            {
                if (maskedRows)
                {
                    using (writer.Block("if (tokens[row] == 0)"))
                    {
                        writer.Line("continue; // padding steps do not count");
                    }

                    writer.Line();
                }

                writer.Line("total += LossFunctions.Evaluate(loss, output.Slice(row * OutputWidth, OutputWidth), target.Slice(row * targetWidth, targetWidth), scale, dOutput.Slice(row * OutputWidth, OutputWidth));");
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
    }
}
