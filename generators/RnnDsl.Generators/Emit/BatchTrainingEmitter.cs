using System.Collections.Generic;
using System.Linq;
using RnnDsl.Generators.Cells;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// Training over a batch: <c>AccumulateGradientsBatch</c>, which <c>ComputeGradients</c> calls for up to
/// <see cref="BatchEmitter.Lanes"/> sequences at a time, and each recurrent layer's <c>…RecurrenceBackwardBatch</c>. The
/// forward pass is <c>ForwardBatch</c>'s, keeping every buffer; BPTT walks the steps of every sequence together, so the
/// gradient each step passes back to h[previous] is one matrix product over the batch, <c>d[b, t] · recurrent_kernelᵀ</c>
/// (the same strided kernel as the forward product). The cell's element-wise backward step, the weight gradients and
/// the other layers run sequence by sequence with the same code as <c>AccumulateGradients</c>.
/// </summary>
internal static class BatchTrainingEmitter
{
    /// <summary>
    /// Whether <c>ComputeGradients</c> goes through <c>AccumulateGradientsBatch</c>: every recurrent layer steps a batch
    /// together, and nothing draws dropout masks (each sequence would need weights of its own).
    /// </summary>
    public static bool Used(ModelSpec model) =>
        !model.HasDropout && BatchEmitter.Used(model) && model.Layers.Where(l => l.Kind == LayerKind.Recurrent).All(BatchEmitter.Batches);

    public static string RecurrenceMethod(LayerSpec layer) => layer.Identifier + "RecurrenceBackwardBatch";

    /// <summary>
    /// The transposed-weights scratch of a layer's batched BPTT: the per-sequence method's, then recurrent_kernelᵀ in panels
    /// during BPTT, and kernelᵀ in panels after it, one after the other in the same room.
    /// </summary>
    private static int TransposedLength(LayerSpec layer, bool inputHasGradient) =>
        RecurrenceEmitter.TransposedLength(layer, inputHasGradient) + (layer.Cell!.Gates * layer.Units * System.Math.Max(layer.Units, inputHasGradient ? layer.InputWidth : 0));

    /// <summary>The loop in <c>ComputeGradients</c>: up to <see cref="BatchEmitter.Lanes"/> sequences per <c>AccumulateGradientsBatch</c>.</summary>
    public static void WriteComputeLoop(IndentedWriter writer, ModelSpec model, string input)
    {
        RuntimeNames n = model.Names;
        writer.Line("// Up to " + BatchEmitter.LanesConstant + " sequences at a time (fewer when they are long), each recurrent layer stepping them together.");
        writer.Line(n.Span + "<float> scales = stackalloc float[" + BatchEmitter.LanesConstant + "];");
        writer.Line("scales.Fill(scale);");
        writer.Line(n.Span + "<float> losses = stackalloc float[" + BatchEmitter.LanesConstant + "];");
        writer.Line(LanesDeclaration(model));
        using (writer.Block("for (int first = 0; first < batchSize; first += lanes)"))
        {
            writer.Line("int count = batchSize - first < lanes ? batchSize - first : lanes;");
            writer.Line("AccumulateGradientsBatch(" + input + ".Slice(first * sequenceLength, count * sequenceLength), count, targets.Slice(first * targetLength, count * targetLength), loss, scales.Slice(0, count), gradients, " + n.Span + "<float>.Empty, losses);");
            using (writer.Block("for (int k = 0; k < count; k++)"))
            {
                writer.Line("total += losses[k];");
            }
        }
    }

    /// <summary>
    /// The scratch of <c>AccumulateGradientsBatch</c>: one sequence's forward buffers, its output and their gradients, and
    /// the transposed weights and packing that the sequences share.
    /// </summary>
    private static (List<ScratchBuffer> PerSequence, ScratchBuffer Output, List<ScratchBuffer> Gradients, List<(LayerStep Step, int Length)> Transposed, ScratchBuffer Total, int Fixed) Scratch(ModelSpec model)
    {
        List<LayerStep> steps = ForwardPlan.For(model).Steps;

        // ForwardBatch's buffers: every recurrent layer steps the batch here, so none keeps packing of its own.
        List<ScratchBuffer> perSequence = BatchEmitter.ForwardScratch(model).PerSequence;
        ScratchBuffer output = TrainingEmitter.OutputBuffer(model);
        var gradients = new List<ScratchBuffer> { output.Gradient() };
        gradients.AddRange(perSequence.Where(b => b.HasGradient).Select(b => b.Gradient()));
        var transposed = steps.Where(s => s.Layer.Kind == LayerKind.Recurrent)
            .Select(s => (Step: s, Length: TransposedLength(s.Layer, BackwardEmitter.InputHasGradient(model, s.Layer)))).ToList();
        ScratchBuffer total = ScratchBuffer.Total(perSequence.Append(output).Concat(gradients));
        return (perSequence, output, gradients, transposed, total, BatchEmitter.PackedLength(model) + transposed.Sum(t => t.Length));
    }

    /// <summary>The declaration of <c>lanes</c> for <c>AccumulateGradientsBatch</c>: BatchLanes, or fewer for long sequences.</summary>
    public static string LanesDeclaration(ModelSpec model)
    {
        var scratch = Scratch(model);
        return BatchEmitter.LanesDeclaration(model.Names, scratch.Total, scratch.Fixed);
    }

    /// <summary><c>AccumulateGradientsBatch</c>: the forward pass, the loss of each sequence and the backward pass over a batch.</summary>
    public static void WriteAccumulate(IndentedWriter writer, ModelSpec model)
    {
        RuntimeNames n = model.Names;
        List<LayerStep> steps = ForwardPlan.For(model).Steps;
        (string input, string inputType) = ModelEmitter.Input(model);
        (List<ScratchBuffer> perSequence, ScratchBuffer output, List<ScratchBuffer> gradients, List<(LayerStep Step, int Length)> transposed, ScratchBuffer total, int fixedLength) = Scratch(model);

        writer.Line("/// <summary>");
        writer.Line("/// <c>AccumulateGradients</c> for <paramref name=\"count\"/> (at most " + BatchEmitter.LanesConstant + ") checked sequences of equal length,");
        writer.Line("/// stored one after another: the forward pass and BPTT of each recurrent layer step them together, so each step's");
        writer.Line("/// products with recurrent_kernel and recurrent_kernelᵀ are matrix products over the batch. Sequence b's loss gradient");
        writer.Line("/// is scaled by scales[b]; its loss, summed over its counted rows, goes to losses[b], and its prediction to");
        writer.Line("/// <paramref name=\"outputs\"/> unless that is empty.");
        writer.Line("/// </summary>");
        using (writer.Block("private void AccumulateGradientsBatch(" + inputType + " " + BatchEmitter.BatchName(input) + ", int count, " + n.ReadOnlySpan + "<float> targetsBatch, "
            + n.Loss + " loss, " + n.ReadOnlySpan + "<float> scales, " + n.Span + "<float> gradients, " + n.Span + "<float> outputs, " + n.Span + "<float> losses)"))
        {
            writer.Line(model.TokenInput
                ? "int steps = " + BatchEmitter.BatchName(input) + ".Length / count;"
                : "int steps = " + BatchEmitter.BatchName(input) + ".Length / (count * Features);");
            writer.Line("int outputLength = OutputLength(steps);");
            if (model.OutputIsSequence)
            {
                writer.Line("int rows = outputLength / OutputWidth;");
            }

            writer.Line(model.OutputIsSequence
                ? "int targetLength = rows * " + n.LossFunctions + ".TargetWidth(loss, OutputWidth);"
                : "int targetLength = " + n.LossFunctions + ".TargetWidth(loss, OutputWidth); // one row per sequence");
            writer.Line(n.ReadOnlySpan + "<float> parameters = _parameters;");
            writer.Line(n.Span + "<float> scratch = " + n.ThreadScratch + ".Get(count * " + BatchEmitter.Parenthesised(total.LengthExpression) + " + " + Format.Int(fixedLength) + ");");
            foreach (ScratchBuffer buffer in perSequence.Append(output))
            {
                writer.Line(n.Span + "<float> " + BatchEmitter.BatchName(buffer.Name) + " = " + n.ThreadScratch + ".Take(ref scratch, count * " + BatchEmitter.Parenthesised(buffer.LengthExpression) + "); // " + buffer.Comment + ", of each sequence");
            }

            writer.Line(n.Span + "<float> " + BatchEmitter.PackedWeights + " = " + n.ThreadScratch + ".Take(ref scratch, " + Format.Int(BatchEmitter.PackedLength(model)) + "); // a kernel, then a recurrent_kernel, in column panels");
            writer.Line("scratch.Clear(); // the gradient buffers below accumulate");
            foreach (ScratchBuffer buffer in gradients)
            {
                writer.Line(n.Span + "<float> " + BatchEmitter.BatchName(buffer.Name) + " = " + n.ThreadScratch + ".Take(ref scratch, count * " + BatchEmitter.Parenthesised(buffer.LengthExpression) + "); // " + buffer.Comment + ", of each sequence");
            }

            foreach (var (step, length) in transposed)
            {
                writer.Line(n.Span + "<float> " + step.TransposedWeights + " = " + n.ThreadScratch + ".Take(ref scratch, " + Format.Int(length) + "); // " + step.Layer.KerasName + " transposed weights, then recurrent_kernelᵀ in panels");
            }

            List<ScratchBuffer> slices = perSequence.Concat(gradients).ToList();
            writer.Line();
            writer.Line("// ── Forward pass, keeping every layer's output for the backward pass.");
            bool first = false;
            BatchEmitter.WriteForwardSegments(writer, model, steps, slices, ref first);

            writer.Line();
            writer.Line("// ── The loss of each sequence" + (model.OutputIsSequence ? " (one row per step)" : string.Empty) + ", and its gradient with respect to the output, times its scale.");
            var loss = new IndentedWriter();
            if (!model.OutputIsSequence)
            {
                loss.Line("losses[b] = " + n.LossFunctions + ".Evaluate(loss, output, target, scales[b], dOutput);");
            }
            else
            {
                loss.Line("int targetWidth = targetLength / rows;");
                loss.Line("float sequenceTotal = 0;");
                TrainingEmitter.WriteRowLosses(loss, model, "sequenceTotal", "scales[b]");
                loss.Line();
                loss.Line("losses[b] = sequenceTotal;");
            }

            writer.Line();
            bool lossFirst = true;
            BatchEmitter.WriteSequenceLoop(writer, model, slices, loss.ToString(), ref lossFirst);

            writer.Line();
            writer.Line("// ── Backward pass, last layer first.");
            var pending = new IndentedWriter();
            bool backwardFirst = true;
            for (int i = steps.Count - 1; i >= 0; i--)
            {
                LayerStep step = steps[i];
                if (pending.ToString().Length > 0)
                {
                    pending.Line();
                }

                if (!BatchEmitter.Batches(step.Layer))
                {
                    BackwardEmitter.WriteCall(pending, model, step);
                    continue;
                }

                pending.Line("// " + step.Layer.KerasName + " (" + step.Layer.KerasClassName + ")");
                RecurrenceEmitter.WriteStatesGradientFromOutput(pending, model, step);
                BatchEmitter.WriteSequenceLoop(writer, model, slices, pending.ToString(), ref backwardFirst);
                pending = new IndentedWriter();
                writer.Line();
                writer.Line("// " + step.Layer.KerasName + " (" + step.Layer.KerasClassName + "): BPTT, the batch stepped together");
                WriteBackwardCalls(writer, model, step);
            }

            BatchEmitter.WriteSequenceLoop(writer, model, slices, pending.ToString(), ref backwardFirst);
            writer.Line();
            using (writer.Block("if (!outputs.IsEmpty)"))
            {
                writer.Line("outputBatch.CopyTo(outputs);");
            }
        }
    }

    /// <summary>The batched BPTT call of each direction of a layer.</summary>
    private static void WriteBackwardCalls(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        LayerSpec layer = step.Layer;
        string input = BatchEmitter.BatchName(step.Input);
        string? dInput = BackwardEmitter.Gradient(step.Input);
        string mask = layer.Masked ? BatchEmitter.BatchName(MaskEmitter.Name) + ", " : string.Empty;
        foreach (string direction in layer.Directions)
        {
            string states = direction == WeightSpec.Backward ? step.BackwardStates : step.States;
            string backwards = layer.Bidirectional ? (direction == WeightSpec.Backward ? "backwards: true, " : "backwards: false, ") : string.Empty;
            List<CellBuffer> buffers = RecurrenceEmitter.CellBuffers(layer);
            string cells = string.Concat(buffers.Select(b => ", " + BatchEmitter.BatchName(step.CellBuffer(direction, b.Name))));
            string dCells = string.Concat(buffers.Select(b => ", " + BatchEmitter.BatchName(BackwardEmitter.Gradient(step.CellBuffer(direction, b.Name))!)));
            writer.Line(RecurrenceMethod(layer) + "(" + input + ", " + mask + RecurrenceEmitter.WeightsSlice("parameters", layer, direction) + ", " + backwards + "count, "
                + BatchEmitter.BatchName(states) + cells + ", " + BatchEmitter.BatchName(BackwardEmitter.Gradient(states)!) + dCells + ", "
                + (dInput is null ? string.Empty : BatchEmitter.BatchName(dInput) + ", ")
                + RecurrenceEmitter.WeightsSlice("gradients", layer, direction) + ", " + step.TransposedWeights + ");");
        }
    }

    /// <summary>A recurrent layer's <c>…RecurrenceBackwardBatch</c>: BPTT over sequences stored one after another, stepped together.</summary>
    public static void WriteRecurrenceBackward(IndentedWriter writer, ModelSpec model, LayerSpec layer, bool inputHasGradient)
    {
        RuntimeNames n = model.Names;
        List<WeightSpec> weights = RecurrenceEmitter.DirectionWeights(layer);
        List<CellBuffer> buffers = RecurrenceEmitter.CellBuffers(layer);
        string gateWidth = RecurrenceEmitter.GateWidth(layer);
        string recurrentWidth = layer.Cell!.Gates == 1 ? "Units" : "GateWidth";
        string dRecurrent = layer.Cell.SeparateRecurrentGradient ? "dRecurrent" : (layer.Cell.GatesInState ? "dStates" : "dGates");
        bool forwards = RecurrenceEmitter.ReadsForwards(layer);
        int transposedBefore = RecurrenceEmitter.TransposedLength(layer, inputHasGradient);

        writer.Line("/// <summary>");
        writer.Line("/// <see cref=\"" + layer.Identifier + "RecurrenceBackward\"/> over <paramref name=\"count\"/> sequences of equal length, stored one after another and");
        writer.Line("/// stepped together: at each step the gradient passed back to h[previous] is one matrix product over the batch,");
        writer.Line("/// <c>dh[b, previous] += " + dRecurrent + "[b, t] · recurrent_kernelᵀ</c>. The rest of each step runs sequence by sequence; the weight" + (inputHasGradient ? " and input" : string.Empty) + " gradients are then products over the whole batch.");
        writer.Line("/// </summary>");
        string signature = "private static void " + RecurrenceMethod(layer) + "(" + n.ReadOnlySpan + "<float> inputsBatch, "
            + (layer.Masked ? n.ReadOnlySpan + "<float> maskBatch, " : string.Empty)
            + n.ReadOnlySpan + "<float> weights, " + (layer.Bidirectional ? "bool backwards, " : string.Empty) + "int count, "
            + n.ReadOnlySpan + "<float> statesBatch" + string.Concat(buffers.Select(b => ", " + n.ReadOnlySpan + "<float> " + b.Name + "Batch"))
            + ", " + n.Span + "<float> dStatesBatch" + string.Concat(buffers.Select(b => ", " + n.Span + "<float> " + b.Gradient + "Batch"))
            + ", " + (inputHasGradient ? n.Span + "<float> dInputsBatch, " : string.Empty)
            + n.Span + "<float> dWeights, " + n.Span + "<float> transposed)";
        using (writer.Block(signature))
        {
            RecurrenceEmitter.WriteSizes(writer, layer);
            RecurrenceEmitter.WriteWeightLocals(writer, n.Span + "<float>", "d", "dWeights", weights);
            writer.Line("int steps = statesBatch.Length / (count * Units);");
            writer.Line();
            writer.Line("// recurrent_kernelᵀ in column panels, for dh[b, previous] += " + dRecurrent + "[b, t] · recurrent_kernelᵀ over the batch at each step.");
            writer.Line(n.Span + "<float> recurrentKernelT = transposed.Slice(0, Units * " + recurrentWidth + ");");
            WeightSpec recurrent = weights.First(w => w.Role == WeightRole.RecurrentKernel);
            writer.Line(n.LinearAlgebra + ".Transpose(weights.Slice(" + WeightSpec.RelativeOffset(weights, recurrent) + ", " + recurrent.LengthExpression + "), Units, recurrentKernelT);");
            writer.Line(n.Span + "<float> packedRecurrentKernelT = transposed.Slice(" + Format.Int(transposedBefore) + ", Units * " + recurrentWidth + ");");
            writer.Line(n.LinearAlgebra + ".PackPanels(recurrentKernelT, " + recurrentWidth + ", packedRecurrentKernelT);");
            writer.Line();
            writer.Line("// Through time, last step read first.");
            using (writer.Block(forwards ? "for (int t = steps - 1; t >= 0; t--)" : "for (int read = steps - 1; read >= 0; read--)"))
            {
                if (!forwards)
                {
                    writer.Line(RecurrenceEmitter.StepRead(layer));
                }

                writer.Line(RecurrenceEmitter.PreviousStep(layer));
                using (writer.Block("for (int b = 0; b < count; b++)"))
                {
                    WriteSequenceSlices(writer, n, layer, buffers);
                    RecurrenceEmitter.WriteBackwardStepBody(writer, model, layer, productDone: true);
                }

                writer.Line();
                using (writer.Block("if (previous >= 0)"))
                {
                    writer.Line(n.LinearAlgebra + ".MultiplyAddStridedRowsPanels(" + dRecurrent + "Batch.Slice(t * " + recurrentWidth + "), steps * " + recurrentWidth + ", " + recurrentWidth
                        + ", count, packedRecurrentKernelT, dStatesBatch.Slice(previous * Units), steps * Units);");
                }
            }

            RecurrenceEmitter.WriteBackwardWeightGradients(writer, model, layer, inputHasGradient, batched: true);
        }
    }

    /// <summary>Sequence b's slices of the batch buffers, under the names the per-sequence BPTT step uses.</summary>
    private static void WriteSequenceSlices(IndentedWriter writer, RuntimeNames n, LayerSpec layer, List<CellBuffer> buffers)
    {
        if (layer.Masked)
        {
            writer.Line(n.ReadOnlySpan + "<float> mask = maskBatch.Slice(b * steps, steps);");
        }

        writer.Line(n.ReadOnlySpan + "<float> states = statesBatch.Slice(b * (steps * Units), steps * Units);");
        foreach (CellBuffer buffer in buffers)
        {
            string length = "steps * " + buffer.WidthExpression;
            writer.Line(n.ReadOnlySpan + "<float> " + buffer.Name + " = " + buffer.Name + "Batch.Slice(b * (" + length + "), " + length + ");");
        }

        writer.Line(n.Span + "<float> dStates = dStatesBatch.Slice(b * (steps * Units), steps * Units);");
        foreach (CellBuffer buffer in buffers)
        {
            string length = "steps * " + buffer.WidthExpression;
            writer.Line(n.Span + "<float> " + buffer.Gradient + " = " + buffer.Gradient + "Batch.Slice(b * (" + length + "), " + length + ");");
        }
    }
}
