using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using RnnDsl.Generators.Cells;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// The forward pass over a batch: <c>ForwardBatch</c>, which <c>PredictBatch</c> calls for up to <see cref="Lanes"/>
/// sequences at a time, and each recurrent layer's <c>…RecurrenceBatch</c>. A recurrent layer steps every sequence of
/// the batch together, so each step's <c>h[previous] · recurrent_kernel</c> is one matrix product that loads each
/// weight once for four sequences (<c>LinearAlgebra.MultiplyAddStridedRowsPanels</c>), and the input projection of
/// every step of every sequence is one product too. The other layers, and the cell's element-wise step, run sequence
/// by sequence with the same methods as <c>Forward</c>. Sequences stay stored one after another, as the caller's are.
/// </summary>
internal static class BatchEmitter
{
    /// <summary>The most sequences one <c>ForwardBatch</c> steps together; a batch's scratch is this many sequences' worth.</summary>
    public const int Lanes = 16;

    public const string LanesConstant = "BatchLanes";

    /// <summary>The scratch the batched recurrences pack kernel and recurrent_kernel into, one after the other.</summary>
    public const string PackedWeights = "packedWeights";

    /// <summary>Whether <paramref name="layer"/> steps a batch together (GRU without reset_after runs sequence by sequence).</summary>
    public static bool Batches(LayerSpec layer) =>
        layer.Kind == LayerKind.Recurrent && CellRegistry.Emitter(layer.Cell!).BatchedProductTarget(layer) is not null;

    /// <summary>Whether the model has a layer that steps a batch together, so <c>PredictBatch</c> goes through <c>ForwardBatch</c>.</summary>
    public static bool Used(ModelSpec model) => model.Layers.Any(Batches);

    public static string RecurrenceMethod(LayerSpec layer) => layer.Identifier + "RecurrenceBatch";

    /// <summary>The span holding a per-sequence buffer for the whole batch.</summary>
    public static string BatchName(string name) => name + "Batch";

    /// <summary>The floats of <see cref="PackedWeights"/>: the largest kernel or recurrent_kernel of a batched layer.</summary>
    public static int PackedLength(ModelSpec model) =>
        model.Layers.Where(Batches).Select(l => System.Math.Max(l.InputWidth, l.Units) * l.Cell!.Gates * l.Units).DefaultIfEmpty(0).Max();

    /// <summary>The loop in <c>PredictBatch</c>: up to <c>lanes</c> sequences per <c>ForwardBatch</c>.</summary>
    public static void WritePredictLoop(IndentedWriter writer, ModelSpec model, string input)
    {
        using (writer.Block("for (int first = 0; first < batchSize; first += lanes)"))
        {
            writer.Line("int count = batchSize - first < lanes ? batchSize - first : lanes;");
            writer.Line("ForwardBatch(" + input + ".Slice(first * sequenceLength, count * sequenceLength), count, outputs.Slice(first * outputLength, count * outputLength));");
        }
    }

    /// <summary>
    /// The declaration of <c>lanes</c>: how many sequences one batched call takes, <c>BatchLanes</c> or fewer where their
    /// scratch (<paramref name="perSequence"/> floats each, <paramref name="shared"/> besides) would pass ThreadScratch's budget.
    /// </summary>
    public static string LanesDeclaration(RuntimeNames n, ScratchBuffer perSequence, int shared) =>
        "int lanes = " + n.ThreadScratch + ".Lanes(" + (perSequence.PerStep == 0 ? Format.Int(perSequence.Fixed) : "(long)" + perSequence.LengthExpression) + ", "
        + Format.Int(shared) + ", " + LanesConstant + "); // at most BatchLanes sequences at once, fewer where they are long";

    /// <summary>The scratch of <c>ForwardBatch</c>: one sequence's buffers, and what the sequences share.</summary>
    public static (List<ScratchBuffer> PerSequence, List<ScratchBuffer> Shared, ScratchBuffer Total, int Fixed) ForwardScratch(ModelSpec model)
    {
        (List<LayerStep> steps, List<ScratchBuffer> buffers) = ForwardPlan.For(model);

        // The packing scratch of a layer that steps the batch together is the batch's packedWeights; a layer that runs
        // sequence by sequence keeps its own, shared by the sequences in turn.
        var batchedPacking = new HashSet<string>(steps.Where(s => Batches(s.Layer) && RecurrenceEmitter.PacksRecurrentKernel(s.Layer))
            .SelectMany(s => s.Layer.Directions.Select(d => s.CellBuffer(d, RecurrenceEmitter.PackedRecurrentKernel))));
        var shared = new HashSet<string>(steps.Where(s => s.Layer.Kind == LayerKind.Recurrent && RecurrenceEmitter.PacksRecurrentKernel(s.Layer))
            .SelectMany(s => s.Layer.Directions.Select(d => s.CellBuffer(d, RecurrenceEmitter.PackedRecurrentKernel))));
        List<ScratchBuffer> perSequence = buffers.Where(b => !shared.Contains(b.Name)).ToList();
        List<ScratchBuffer> sharedBuffers = buffers.Where(b => shared.Contains(b.Name) && !batchedPacking.Contains(b.Name)).ToList();
        return (perSequence, sharedBuffers, ScratchBuffer.Total(perSequence), sharedBuffers.Sum(b => b.Fixed) + PackedLength(model));
    }

    /// <summary><c>ForwardBatch</c>: the layers of <c>Forward</c>, each recurrent layer that can stepping the whole batch together.</summary>
    public static void WriteForward(IndentedWriter writer, ModelSpec model)
    {
        RuntimeNames n = model.Names;
        List<LayerStep> steps = ForwardPlan.For(model).Steps;
        (string input, string inputType) = ModelEmitter.Input(model);
        (List<ScratchBuffer> perSequence, List<ScratchBuffer> sharedBuffers, ScratchBuffer total, int fixedLength) = ForwardScratch(model);

        writer.Line("/// <summary>");
        writer.Line("/// The forward pass over <paramref name=\"count\"/> checked sequences of equal length, stored one after another, layer by layer.");
        writer.Line("/// Each recurrent layer steps the sequences together: every step's h[previous] · recurrent_kernel is one matrix product over");
        writer.Line("/// the batch. The other layers run sequence by sequence, as in <see cref=\"Forward\"/>.");
        writer.Line("/// </summary>");
        using (writer.Block("private void ForwardBatch(" + inputType + " " + BatchName(input) + ", int count, " + n.Span + "<float> " + BatchName("output") + ")"))
        {
            writer.Line(model.TokenInput
                ? "int steps = " + BatchName(input) + ".Length / count;"
                : "int steps = " + BatchName(input) + ".Length / (count * Features);");
            writer.Line("int outputLength = OutputLength(steps);");
            writer.Line(n.ReadOnlySpan + "<float> parameters = _parameters;");
            string length = "count * (" + total.LengthExpression + ")" + (fixedLength == 0 ? string.Empty : " + " + Format.Int(fixedLength));
            writer.Line(n.Span + "<float> scratch = " + n.ThreadScratch + ".Get(" + length + ");");
            foreach (ScratchBuffer buffer in perSequence)
            {
                writer.Line(n.Span + "<float> " + BatchName(buffer.Name) + " = " + n.ThreadScratch + ".Take(ref scratch, count * " + Parenthesised(buffer.LengthExpression) + "); // " + buffer.Comment + ", of each sequence");
            }

            foreach (ScratchBuffer buffer in sharedBuffers)
            {
                writer.Line(n.Span + "<float> " + buffer.Name + " = " + n.ThreadScratch + ".Take(ref scratch, " + buffer.LengthExpression + "); // " + buffer.Comment + ", for each sequence in turn");
            }

            writer.Line(n.Span + "<float> " + PackedWeights + " = " + n.ThreadScratch + ".Take(ref scratch, " + Format.Int(PackedLength(model)) + "); // a kernel, then a recurrent_kernel, in column panels");
            writer.Line();
            bool first = true;
            WriteForwardSegments(writer, model, steps, perSequence, ref first);
        }
    }

    /// <summary>The layers of the forward pass: sequence by sequence until a layer steps the batch together, then on again after it.</summary>
    public static void WriteForwardSegments(IndentedWriter writer, ModelSpec model, List<LayerStep> steps, List<ScratchBuffer> perSequence, ref bool first)
    {
        string input = ModelEmitter.Input(model).Name;
        var pending = new IndentedWriter();
        if (model.Mask.IsMasked)
        {
            pending.Line("ComputeMask(" + input + ", " + MaskEmitter.Name + ");");
        }

        foreach (LayerStep step in steps)
        {
            if (!Batches(step.Layer))
            {
                if (pending.ToString().Length > 0)
                {
                    pending.Line();
                }

                LayerEmitter.WriteCall(pending, model, step);
                continue;
            }

            WriteSequenceLoop(writer, model, perSequence, pending.ToString(), ref first);
            pending = new IndentedWriter();
            writer.Line();
            writer.Line("// " + step.Layer.KerasName + " (" + step.Layer.KerasClassName + "): output "
                + Format.Shape(step.Layer.OutputIsSequence, model.MaxSteps, step.Layer.OutputWidth) + ", the batch stepped together");
            WriteRecurrenceCalls(writer, step);
            RecurrenceEmitter.WriteOutputFromStates(pending, model, step);
        }

        WriteSequenceLoop(writer, model, perSequence, pending.ToString(), ref first);
    }

    /// <summary>A loop over the batch that runs <paramref name="body"/> on each sequence's slice of every buffer it names.</summary>
    public static void WriteSequenceLoop(IndentedWriter writer, ModelSpec model, List<ScratchBuffer> buffers, string body, ref bool first)
    {
        RuntimeNames n = model.Names;
        string input = ModelEmitter.Input(model).Name;
        if (body.Trim().Length == 0)
        {
            return;
        }

        if (!first)
        {
            writer.Line();
        }

        first = false;
        writer.Line("// Sequence by sequence:");
        using (writer.Block("for (int b = 0; b < count; b++)"))
        {
            if (Names(body, input))
            {
                string perStep = model.TokenInput ? "steps" : "steps * Features";
                writer.Line(ModelEmitter.Input(model).Type + " " + input + " = " + BatchName(input) + ".Slice(b * " + Parenthesised(perStep) + ", " + perStep + ");");
            }

            foreach (ScratchBuffer buffer in buffers.Where(b => Names(body, b.Name)))
            {
                writer.Line(n.Span + "<float> " + buffer.Name + " = " + BatchName(buffer.Name) + ".Slice(b * " + Parenthesised(buffer.LengthExpression) + ", " + buffer.LengthExpression + ");");
            }

            if (Names(body, "output"))
            {
                writer.Line(n.Span + "<float> output = " + BatchName("output") + ".Slice(b * outputLength, outputLength);");
            }

            if (Names(body, "target"))
            {
                writer.Line(n.ReadOnlySpan + "<float> target = targetsBatch.Slice(b * targetLength, targetLength);");
            }

            writer.Line();
            foreach (string line in body.TrimEnd().Split('\n'))
            {
                writer.Line(line.TrimEnd('\r'));
            }
        }
    }

    public static string Parenthesised(string expression) => expression.Contains(" ") ? "(" + expression + ")" : expression;

    /// <summary>The batched recurrence call of each direction of a layer.</summary>
    private static void WriteRecurrenceCalls(IndentedWriter writer, LayerStep step)
    {
        LayerSpec layer = step.Layer;
        string input = BatchName(step.Input);
        string mask = layer.Masked ? BatchName(MaskEmitter.Name) + ", " : string.Empty;
        foreach (string direction in layer.Directions)
        {
            string states = direction == WeightSpec.Backward ? step.BackwardStates : step.States;
            string backwards = layer.Bidirectional ? (direction == WeightSpec.Backward ? "backwards: true, " : "backwards: false, ") : string.Empty;
            string cells = string.Concat(RecurrenceEmitter.CellBuffers(layer).Select(b => ", " + BatchName(step.CellBuffer(direction, b.Name))));
            writer.Line(RecurrenceMethod(layer) + "(" + input + ", " + mask + RecurrenceEmitter.WeightsSlice("parameters", layer, direction) + ", " + backwards
                + "count, " + BatchName(states) + cells + ", " + PackedWeights + ");");
        }
    }

    /// <summary>A recurrent layer's <c>…RecurrenceBatch</c>: its recurrence over sequences stored one after another, stepped together.</summary>
    public static void WriteRecurrence(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        RuntimeNames n = model.Names;
        CellEmitter cell = CellRegistry.Emitter(layer.Cell!);
        List<WeightSpec> weights = RecurrenceEmitter.DirectionWeights(layer);
        List<CellBuffer> buffers = RecurrenceEmitter.CellBuffers(layer);
        string gates = RecurrenceEmitter.GatesName(layer);
        string gateWidth = RecurrenceEmitter.GateWidth(layer);
        string target = cell.BatchedProductTarget(layer)!;
        string targetWidth = target == "states" ? "Units" : gateWidth;
        bool forwards = RecurrenceEmitter.ReadsForwards(layer);
        string firstRead = forwards ? "t == 0" : "read == 0";
        string later = forwards ? "t > 0" : "read > 0";

        writer.Line("/// <summary>");
        writer.Line("/// <see cref=\"" + layer.Identifier + "Recurrence\"/> over <paramref name=\"count\"/> sequences of equal length, stored one after another and stepped together:");
        writer.Line("/// the same equations, with each step's h[previous] · recurrent_kernel for every sequence as one matrix product.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"inputs\">x of each sequence, [count, steps, " + Format.Int(layer.InputWidth) + "].</param>");
        if (layer.Masked)
        {
            writer.Line("/// <param name=\"mask\">1 where a step counts, 0 at padding, [count, steps].</param>");
        }

        writer.Line("/// <param name=\"weights\">" + RecurrenceEmitter.DescribeWeights(weights) + ", back to back.</param>");
        if (layer.Bidirectional)
        {
            writer.Line("/// <param name=\"backwards\">Read t from steps - 1 down to 0 (the backward layer) instead of up from 0.</param>");
        }

        writer.Line("/// <param name=\"count\">The number of sequences.</param>");
        writer.Line("/// <param name=\"states\">Receives h[t] of each sequence, [count, steps, " + Format.Int(layer.Units) + "], in input order.</param>");
        foreach (CellBuffer buffer in buffers)
        {
            writer.Line("/// <param name=\"" + buffer.Name + "\">Receives the " + buffer.Comment + " of each sequence, [count, steps, " + Format.Int(buffer.Width) + "].</param>");
        }

        writer.Line("/// <param name=\"packed\">Scratch for kernel, then recurrent_kernel, in column panels.</param>");
        string signature = "private static void " + RecurrenceMethod(layer) + "(" + n.ReadOnlySpan + "<float> inputs, "
            + MaskEmitter.Parameter(model, layer)
            + n.ReadOnlySpan + "<float> weights, " + (layer.Bidirectional ? "bool backwards, " : string.Empty) + "int count, " + n.Span + "<float> states"
            + string.Concat(buffers.Select(b => ", " + n.Span + "<float> " + b.Name)) + ", " + n.Span + "<float> packed)";
        using (writer.Block(signature))
        {
            RecurrenceEmitter.WriteSizes(writer, layer);
            RecurrenceEmitter.WriteWeightLocals(writer, n.ReadOnlySpan + "<float>", string.Empty, "weights", weights);
            writer.Line("int steps = states.Length / (count * Units);");
            writer.Line();
            string inputBias = "bias";
            if (RecurrenceEmitter.TwoRowBias(layer))
            {
                writer.Line(n.ReadOnlySpan + "<float> inputBias = bias.Slice(0, " + gateWidth + "); // row 0; row 1, the recurrent bias, is the cell's");
                inputBias = "inputBias";
            }

            writer.Line("// The input projection of every step of every sequence, one matrix product: " + gates + "[b, t] = x[b, t] · kernel + "
                + (RecurrenceEmitter.TwoRowBias(layer) ? "input bias" : "bias") + ".");
            using (writer.Block("for (int row = 0; row < count * steps; row++)"))
            {
                writer.Line(inputBias + ".CopyTo(" + gates + ".Slice(row * " + gateWidth + ", " + gateWidth + "));");
            }


            writer.Line(n.Span + "<float> packedKernel = packed.Slice(0, InputWidth * " + gateWidth + ");");
            writer.Line(n.LinearAlgebra + ".PackPanels(kernel, InputWidth, packedKernel);");
            writer.Line(n.LinearAlgebra + ".MultiplyAddRowsPanels(inputs, InputWidth, packedKernel, " + gates + ");");
            writer.Line();
            writer.Line("// recurrent_kernel in panels of 64 columns, each loaded once for four sequences at every step.");
            writer.Line(n.Span + "<float> packedRecurrentKernel = packed.Slice(0, Units * " + gateWidth + ");");
            writer.Line(n.LinearAlgebra + ".PackPanels(recurrentKernel, Units, packedRecurrentKernel);");
            writer.Line();
            foreach (string line in cell.StepComment(layer).Split('\n'))
            {
                writer.Line(line);
            }

            using (writer.Block(forwards ? "for (int t = 0; t < steps; t++)" : "for (int read = 0; read < steps; read++)"))
            {
                if (!forwards)
                {
                    writer.Line(RecurrenceEmitter.StepRead(layer));
                }

                string previousStep = layer.Bidirectional ? "backwards ? t + 1 : t - 1" : (layer.GoBackwards ? "t + 1" : "t - 1");
                writer.Line("int previousStep = " + previousStep + "; // the step read before t, once there is one");
                string? start = cell.BatchedProductStart(layer, "row");
                if (start is not null)
                {
                    using (writer.Block("for (int b = 0; b < count; b++)"))
                    {
                        writer.Line(n.Span + "<float> row = " + target + ".Slice(((b * steps) + t) * " + targetWidth + ", " + targetWidth + ");");
                        writer.Line(start);
                    }

                }

                using (writer.Block("if (" + later + ")"))
                {
                    writer.Line("// " + target + "[b, t] += h[b, previousStep] · recurrent_kernel for every sequence b, one product with rows steps * Units apart.");
                    writer.Line(n.LinearAlgebra + ".MultiplyAddStridedRowsPanels(states.Slice(previousStep * Units), steps * Units, Units, count, packedRecurrentKernel, "
                        + target + ".Slice(t * " + targetWidth + "), steps * " + targetWidth + ");");
                }

                writer.Line();
                // The cell's step for each sequence; only the spans it reads are declared.
                var step = new IndentedWriter();
                if (layer.Masked)
                {
                    RecurrenceEmitter.WritePaddingCarry(step, buffers, "at");
                    using (step.Block("else"))
                    {
                        WriteRowLocals(step, n, buffers);
                        cell.WriteStep(step, model, layer, StepForm.Batched);
                    }
                }
                else
                {
                    WriteRowLocals(step, n, buffers);
                    cell.WriteStep(step, model, layer, StepForm.Batched);
                }

                string body = step.ToString();
                using (writer.Block("for (int b = 0; b < count; b++)"))
                {
                    writer.Line("int at = (b * steps) + t; // step t of sequence b");
                    var vectors = new List<(string Local, string Previous, string Buffer)> { ("state", "previous", "states") };
                    vectors.AddRange(buffers.Where(b => b.IsState).Select(b => (b.Local, b.PreviousLocal, b.Name)));
                    if (vectors.Any(v => Names(body, v.Previous)))
                    {
                        writer.Line("int previousAt = (b * steps) + previousStep;");
                    }

                    foreach (var (local, previous, buffer) in vectors)
                    {
                        if (Names(body, local))
                        {
                            writer.Line(n.Span + "<float> " + local + " = " + buffer + ".Slice(at * Units, Units);");
                        }

                        if (Names(body, previous))
                        {
                            writer.Line(n.Span + "<float> " + previous + " = " + firstRead + " ? " + n.Span + "<float>.Empty : " + buffer + ".Slice(previousAt * Units, Units);"
                                + (previous == "previous" ? " // h before the first step read is 0" : string.Empty));
                        }
                    }

                    foreach (string line in body.TrimEnd().Split('\n'))
                    {
                        writer.Line(line.TrimEnd('\r'));
                    }
                }
            }
        }
    }

    /// <summary>Whether <paramref name="code"/> uses the identifier <paramref name="name"/> outside its comments.</summary>
    public static bool Names(string code, string name) =>
        Regex.IsMatch(Regex.Replace(code, "//[^\n]*", string.Empty), @"\b" + name + @"\b");

    /// <summary>The spans of step t of sequence b that are not state vectors: the gates and the cell's scratch.</summary>
    private static void WriteRowLocals(IndentedWriter writer, RuntimeNames n, List<CellBuffer> buffers)
    {
        foreach (CellBuffer buffer in buffers.Where(b => !b.IsState))
        {
            writer.Line(n.Span + "<float> " + buffer.Local + " = " + buffer.Name + ".Slice(at * " + buffer.WidthExpression + ", " + buffer.WidthExpression + ");");
        }
    }
}
