using System.Collections.Generic;
using System.Linq;
using RnnDsl.Generators.Cells;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// Everything about a recurrent layer that does not depend on its cell, written once: the calls in
/// <c>Forward</c> and <c>AccumulateGradients</c>, the input projection, the reading order (forwards, go_backwards,
/// either for Bidirectional), masking, the BPTT loop, the weight and input gradients as products over all steps,
/// and the merge of two directions. The cell's <see cref="CellEmitter"/> writes the step and the backward step.
/// </summary>
/// <summary>
/// A per-step buffer a cell keeps besides h: its gates, an extra state vector (LSTM's c), or scratch for its backward
/// step. <see cref="Local"/> is the span of one step in the loops, <see cref="PreviousLocal"/> the step read before
/// (state vectors only), <see cref="GradientLocal"/> the gradient of one step.
/// </summary>
internal sealed record CellBuffer(string Name, int Width, string WidthExpression, string Comment, bool IsState, string Local, string PreviousLocal, string GradientLocal)
{
    public string Gradient => "d" + char.ToUpperInvariant(Name[0]) + Name.Substring(1);
}

internal static class RecurrenceEmitter
{
    /// <summary>
    /// The cell's per-step buffers, in the order the recurrence methods take them: the gates (unless the cell computes
    /// its one gate in the state), each state vector after h, and the cell's step scratch.
    /// </summary>
    public static List<CellBuffer> CellBuffers(LayerSpec layer)
    {
        CellSpec cell = layer.Cell!;
        var buffers = new List<CellBuffer>();
        if (!cell.GatesInState)
        {
            buffers.Add(new CellBuffer("gates", cell.Gates * layer.Units, GateWidth(layer), "gates, " + cell.KerasGateOrder.Replace(",", ", "), false, "gate", string.Empty, "dGate"));
        }

        foreach (string vector in cell.StateVectors.Skip(1))
        {
            // LSTM's c is the only state vector besides h so far; its buffer is "cells".
            string name = vector == "c" ? "cells" : vector + "States";
            string local = vector == "c" ? "cell" : vector;
            buffers.Add(new CellBuffer(name, layer.Units, "Units", vector + " (cell state)", true, local, "previous" + char.ToUpperInvariant(local[0]) + local.Substring(1), "d" + vector));
        }

        if (cell.StepScratch > 0)
        {
            int width = cell.StepScratch * layer.Units;
            string expression = cell.StepScratch == cell.Gates ? GateWidth(layer) : Format.Int(cell.StepScratch) + " * Units";
            buffers.Add(new CellBuffer("recurrent", width, expression, "recurrent projection h[previous] · recurrent_kernel + recurrent bias", false, "recurrence", string.Empty, "dRecurrence"));
        }

        return buffers;
    }

    /// <summary>
    /// Whether the recurrence packs recurrent_kernel into column panels once per call (<c>LinearAlgebra.PackPanels</c>): for
    /// a cell with its own gates wider than one panel, where the per-step product otherwise jumps from row to row.
    /// </summary>
    public static bool PacksRecurrentKernel(LayerSpec layer) => !layer.Cell!.GatesInState && layer.Cell.Gates * layer.Units > 64;

    /// <summary>
    /// Whether the kernel has at most one panel's columns (<c>LinearAlgebra.PanelWidth</c>, 64), so that its row-major
    /// layout is already the packed one and the input projection of a whole sequence is one <c>MultiplyAddRowsPanels</c>.
    /// </summary>
    public static bool KernelIsOnePanel(LayerSpec layer) => layer.Cell!.Gates * layer.Units <= 64;

    /// <summary>The floats of the packing scratch: the larger of kernel and recurrent_kernel, which take turns in it.</summary>
    public static int PackedLength(LayerSpec layer) => System.Math.Max(layer.InputWidth, layer.Units) * layer.Cell!.Gates * layer.Units;

    /// <summary>The name of the packed recurrent kernel buffer, one per direction.</summary>
    public const string PackedRecurrentKernel = "packedRecurrentKernel";

    /// <summary>The width of all gates as the generated code writes it: <c>Units</c> for one gate, else <c>GateWidth</c>.</summary>
    public static string GateWidth(LayerSpec layer) => Cells.CellWeights.GateWidthSymbol(layer.Cell!.Gates);

    /// <summary>The span the input projection goes to: the gates, or the states for a cell whose state is its one gate.</summary>
    internal static string GatesName(LayerSpec layer) => layer.Cell!.GatesInState ? "states" : "gates";

    /// <summary>The gradient of the gates' pre-activations: dStates in place for a cell whose state is its one gate.</summary>
    private static string GatesGradient(LayerSpec layer) => layer.Cell!.GatesInState ? "dStates" : "dGates";

    /// <summary>The gradient of the recurrent projection h[previous] · recurrent_kernel: the gates' unless the cell keeps it apart.</summary>
    private static string RecurrentGradient(LayerSpec layer) => layer.Cell!.SeparateRecurrentGradient ? "dRecurrent" : GatesGradient(layer);

    /// <summary>The bias has two rows (GRU with reset_after): the input bias, then the recurrent bias.</summary>
    internal static bool TwoRowBias(LayerSpec layer) => layer.Weights.First(w => w.Role == WeightRole.Bias).Shape.Count == 2;

    /// <summary>The cell buffers of one direction as call arguments, after the states: <c>, lstmGates, lstmCells</c>.</summary>
    private static string CellArguments(LayerStep step, string direction, bool gradients) =>
        string.Concat(CellBuffers(step.Layer).Select(b => ", " + (gradients ? BackwardEmitter.Gradient(step.CellBuffer(direction, b.Name))! : step.CellBuffer(direction, b.Name))));

    /// <summary>The forward recurrence's arguments after the states: the cell buffers, then the packed recurrent kernel's scratch.</summary>
    private static string ForwardArguments(LayerStep step, string direction) =>
        CellArguments(step, direction, false) + (PacksRecurrentKernel(step.Layer) ? ", " + step.CellBuffer(direction, PackedRecurrentKernel) : string.Empty);

    /// <summary>The constant for the state width of <paramref name="layer"/> (each direction's, for Bidirectional).</summary>
    public static string UnitsConstant(LayerSpec layer) => layer.Identifier + "Units";

    /// <summary>The constant for the length of one direction's weights of <paramref name="layer"/>.</summary>
    public static string WeightsLengthConstant(LayerSpec layer) => layer.Identifier + "WeightsLength";

    /// <summary>The lines in <c>Forward</c> that run a recurrent layer.</summary>
    public static void WriteCall(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        LayerSpec layer = step.Layer;
        if (Drops(step))
        {
            WriteDropoutWeights(writer, model, step);
        }

        if (layer.Bidirectional)
        {
            writer.Line(layer.Identifier + "Recurrence(" + step.Input + ", " + MaskEmitter.Argument(layer) + ForwardWeights(step, WeightSpec.Forward) + ", backwards: false, " + step.States + ForwardArguments(step, WeightSpec.Forward) + ");");
            writer.Line(layer.Identifier + "Recurrence(" + step.Input + ", " + MaskEmitter.Argument(layer) + ForwardWeights(step, WeightSpec.Backward) + ", backwards: true, " + step.BackwardStates + ForwardArguments(step, WeightSpec.Backward) + ");");
        }
        else
        {
            writer.Line(layer.Identifier + "Recurrence(" + step.Input + ", " + MaskEmitter.Argument(layer) + ForwardWeights(step, string.Empty) + ", " + step.States + ForwardArguments(step, string.Empty) + ");");
        }

        WriteOutputFromStates(writer, model, step);
    }

    /// <summary>The lines after a recurrent layer's recurrences that make its output from its states: the merge of two directions, or the last state, or the states in output order.</summary>
    public static void WriteOutputFromStates(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        LayerSpec layer = step.Layer;
        string units = UnitsConstant(layer);
        if (layer.Bidirectional)
        {
            if (layer.OutputIsSequence)
            {
                writer.Line(layer.Identifier + "Merge(" + step.States + ", " + step.BackwardStates + ", " + MaskEmitter.Argument(layer) + step.Output + ");");
                return;
            }

            writer.Line("// Merge the forward state after step steps - 1 with the backward state after step 0.");
            MergeEmitter.WriteMerge(writer, model, layer.Merge, step.States + ".Slice((steps - 1) * " + units + ", " + units + ")", step.BackwardStates + ".Slice(0, " + units + ")", step.Output, units);
            return;
        }

        if (step.OutputIsStates)
        {
            return;
        }

        if (!layer.OutputIsSequence)
        {
            string last = layer.GoBackwards ? "0" : "(steps - 1) * " + units;
            writer.Line("// The output is the state after the last step read" + (layer.GoBackwards ? ", t = 0." : "."));
            writer.Line(step.States + ".Slice(" + last + ", " + units + ").CopyTo(" + step.Output + ");");
            return;
        }

        // go_backwards with return_sequences: Keras returns the states in the order they were computed.
        writer.Line("// go_backwards: output step s is the state computed s-th, after reading step steps - 1 - s.");
        using (writer.Block("for (int s = 0; s < steps; s++)"))
        {
            writer.Line(step.States + ".Slice((steps - 1 - s) * " + units + ", " + units + ").CopyTo(" + step.Output + ".Slice(s * " + units + ", " + units + "));");
        }
    }

    /// <summary>The lines in <c>AccumulateGradients</c> that run a recurrent layer's backward pass.</summary>
    public static void WriteBackwardCall(IndentedWriter writer, ModelSpec model, LayerStep step, string dInputArgument)
    {
        LayerSpec layer = step.Layer;
        string dStates = BackwardEmitter.Gradient(step.States)!;
        if (Drops(step))
        {
            WriteDropoutGradientTargets(writer, model, step);
        }

        WriteStatesGradientFromOutput(writer, model, step);
        if (layer.Bidirectional)
        {
            string dBackward = BackwardEmitter.Gradient(step.BackwardStates)!;
            writer.Line(layer.Identifier + "RecurrenceBackward(" + step.Input + ", " + MaskEmitter.Argument(layer) + ForwardWeights(step, WeightSpec.Forward) + ", backwards: false, "
                + step.States + CellArguments(step, WeightSpec.Forward, false) + ", " + dStates + CellArguments(step, WeightSpec.Forward, true) + ", " + dInputArgument + GradientWeights(step, WeightSpec.Forward) + ", " + step.TransposedWeights + ");");
            writer.Line(layer.Identifier + "RecurrenceBackward(" + step.Input + ", " + MaskEmitter.Argument(layer) + ForwardWeights(step, WeightSpec.Backward) + ", backwards: true, "
                + step.BackwardStates + CellArguments(step, WeightSpec.Backward, false) + ", " + dBackward + CellArguments(step, WeightSpec.Backward, true) + ", " + dInputArgument + GradientWeights(step, WeightSpec.Backward) + ", " + step.TransposedWeights + ");");
        }
        else
        {
            writer.Line(layer.Identifier + "RecurrenceBackward(" + step.Input + ", " + MaskEmitter.Argument(layer) + ForwardWeights(step, string.Empty) + ", "
                + step.States + CellArguments(step, string.Empty, false) + ", " + dStates + CellArguments(step, string.Empty, true) + ", " + dInputArgument + GradientWeights(step, string.Empty) + ", " + step.TransposedWeights + ");");
        }

        if (Drops(step))
        {
            WriteDropoutGradients(writer, model, step);
        }
    }

    /// <summary>
    /// The lines before a recurrent layer's BPTT that turn the gradient of its output into the gradient of its states:
    /// the merge's backward, or the last state's, or the states in output order.
    /// </summary>
    public static void WriteStatesGradientFromOutput(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        LayerSpec layer = step.Layer;
        string units = UnitsConstant(layer);
        string dStates = BackwardEmitter.Gradient(step.States)!;
        string dOutput = BackwardEmitter.Gradient(step.Output)!;
        if (layer.Bidirectional)
        {
            string dBackward = BackwardEmitter.Gradient(step.BackwardStates)!;
            if (layer.OutputIsSequence)
            {
                writer.Line(layer.Identifier + "MergeBackward(" + step.States + ", " + step.BackwardStates + ", " + MaskEmitter.Argument(layer) + dOutput + ", " + dStates + ", " + dBackward + ");");
            }
            else
            {
                string forwardLast = "(steps - 1) * " + units;
                writer.Line("// The output merged the forward state after step steps - 1 with the backward state after step 0.");
                MergeEmitter.WriteMergeBackward(writer, model, layer.Merge, dOutput,
                    dStates + ".Slice(" + forwardLast + ", " + units + ")", dBackward + ".Slice(0, " + units + ")",
                    step.States + ".Slice(" + forwardLast + ", " + units + ")", step.BackwardStates + ".Slice(0, " + units + ")", units);
            }

            return;
        }

        if (!step.OutputIsStates && !layer.OutputIsSequence)
        {
            string last = layer.GoBackwards ? "0" : "(steps - 1) * " + units;
            writer.Line("// The output was the state after the last step read.");
            writer.Line(dOutput + ".CopyTo(" + dStates + ".Slice(" + last + ", " + units + "));");
        }
        else if (!step.OutputIsStates)
        {
            writer.Line("// go_backwards: output step s was the state after reading step steps - 1 - s.");
            using (writer.Block("for (int s = 0; s < steps; s++)"))
            {
                writer.Line(dOutput + ".Slice(s * " + units + ", " + units + ").CopyTo(" + dStates + ".Slice((steps - 1 - s) * " + units + ", " + units + "));");
            }
        }
    }

    /// <summary>Whether this call of a layer folds dropout masks into its weights: in the training method, for a layer with dropout.</summary>
    private static bool Drops(LayerStep step) => step.Training && step.Layer.HasDropout;

    /// <summary>The weights a direction runs with: the parameters, or (in the training method of a layer with dropout) a local that is the masked copy while training.</summary>
    private static string ForwardWeights(LayerStep step, string direction) =>
        Drops(step) ? step.CellBuffer(direction, "weights") : WeightsSlice("parameters", step.Layer, direction);

    /// <summary>Where a direction's weight gradient goes: the gradient, or a local that is the masked copy's gradient while training.</summary>
    private static string GradientWeights(LayerStep step, string direction) =>
        Drops(step) ? BackwardEmitter.Gradient(step.CellBuffer(direction, "weights"))! : WeightsSlice("gradients", step.Layer, direction);

    /// <summary>
    /// Keras draws one dropout mask per sequence and reuses it at every step, so it can be folded into the weights:
    /// (x · mask) · kernel = x · (kernel with row i scaled by mask[i]), and (h · mask) · recurrent_kernel likewise.
    /// Outside training the layer runs with the parameters themselves.
    /// </summary>
    private static void WriteDropoutWeights(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        RuntimeNames n = model.Names;
        LayerSpec layer = step.Layer;
        var parts = new List<string>();
        if (layer.DropoutRate > 0)
        {
            parts.Add("dropout " + Text.Float(layer.DropoutRate) + " on x");
        }

        if (layer.RecurrentDropout > 0)
        {
            parts.Add("recurrent_dropout " + Text.Float(layer.RecurrentDropout) + " on h");
        }

        writer.Line("// " + string.Join(" and ", parts) + ": while training, one mask per sequence" + (layer.Bidirectional ? " and direction" : string.Empty) + ", reused at every step,");
        writer.Line("// folded into a copy of the weights: (x · mask) · kernel = x · (kernel with row i scaled by mask[i]), and the same for h.");
        foreach (string direction in layer.Directions)
        {
            writer.Line(n.ReadOnlySpan + "<float> " + ForwardWeights(step, direction) + " = " + WeightsSlice("parameters", layer, direction) + ";");
        }

        using (writer.Block("if (training)"))
        {
            foreach (string direction in layer.Directions)
            {
                string dropped = step.CellBuffer(direction, "droppedWeights");
                writer.Line(ForwardWeights(step, direction) + ".CopyTo(" + dropped + ");");
                if (layer.DropoutRate > 0)
                {
                    writer.Line(n.DropoutMasks + ".Fill(" + step.CellBuffer(direction, "inputMask") + ", " + Text.FloatLiteral(layer.DropoutRate) + ", ref dropoutState);");
                }

                if (layer.RecurrentDropout > 0)
                {
                    writer.Line(n.DropoutMasks + ".Fill(" + step.CellBuffer(direction, "recurrentMask") + ", " + Text.FloatLiteral(layer.RecurrentDropout) + ", ref dropoutState);");
                }

                WriteScaleByMasks(writer, n, step, direction, dropped);
                writer.Line(ForwardWeights(step, direction) + " = " + dropped + ";");
            }
        }

        writer.Line();
    }

    /// <summary>Scales the kernel rows of <paramref name="weights"/> (one direction's layout) by the x mask and the recurrent kernel rows by the h mask.</summary>
    private static void WriteScaleByMasks(IndentedWriter writer, RuntimeNames n, LayerStep step, string direction, string weights)
    {
        LayerSpec layer = step.Layer;
        List<WeightSpec> arrays = layer.Weights.Where(w => w.Direction == direction).ToList();
        WeightSpec kernel = arrays.First(w => w.Role == WeightRole.Kernel);
        WeightSpec recurrent = arrays.First(w => w.Role == WeightRole.RecurrentKernel);
        if (layer.DropoutRate > 0)
        {
            writer.Line(n.DropoutMasks + ".ScaleRows(" + weights + ".Slice(0, " + Format.Int(kernel.Length) + "), " + step.CellBuffer(direction, "inputMask") + ");");
        }

        if (layer.RecurrentDropout > 0)
        {
            writer.Line(n.DropoutMasks + ".ScaleRows(" + weights + ".Slice(" + Format.Int(kernel.Length) + ", " + Format.Int(recurrent.Length) + "), " + step.CellBuffer(direction, "recurrentMask") + ");");
        }
    }

    /// <summary>Where the backward pass writes the weight gradient: straight into the gradient, or while training into the masked copy's.</summary>
    private static void WriteDropoutGradientTargets(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        foreach (string direction in step.Layer.Directions)
        {
            writer.Line(model.Names.Span + "<float> " + GradientWeights(step, direction) + " = training ? "
                + BackwardEmitter.Gradient(step.CellBuffer(direction, "droppedWeights")) + " : " + WeightsSlice("gradients", step.Layer, direction) + ";");
        }
    }

    /// <summary>While training, the masked copy's gradient back through the masks and into the gradient.</summary>
    private static void WriteDropoutGradients(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        RuntimeNames n = model.Names;
        LayerSpec layer = step.Layer;
        writer.Line("// While training: back through the masks folded into the weights (row i of d(kernel) times mask[i], and the same for recurrent_kernel).");
        using (writer.Block("if (training)"))
        {
            foreach (string direction in layer.Directions)
            {
                string dDropped = BackwardEmitter.Gradient(step.CellBuffer(direction, "droppedWeights"))!;
                string target = WeightsSlice("gradients", layer, direction);
                WriteScaleByMasks(writer, n, step, direction, dDropped);
                writer.Line(n.TensorPrimitives + ".Add(" + target + ", " + dDropped + ", " + target + ");");
            }
        }
    }

    /// <summary>One direction's weights as one slice of <paramref name="span"/>: they lie back to back from the first one's offset.</summary>
    internal static string WeightsSlice(string span, LayerSpec layer, string direction)
    {
        WeightSpec first = layer.Weights.First(w => w.Direction == direction);
        return span + ".Slice(" + first.ConstantName + ", " + WeightsLengthConstant(layer) + ")";
    }

    /// <summary>The weights of one direction (all directions share a shape, so the first serves for the method).</summary>
    internal static List<WeightSpec> DirectionWeights(LayerSpec layer) =>
        layer.Weights.Where(w => w.Direction == layer.Directions[0]).ToList();

    /// <summary>The forward methods of a recurrent layer: its recurrence and, for a Bidirectional sequence output, its merge.</summary>
    public static void WriteMethods(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        WriteRecurrence(writer, model, layer);
        if (layer.Bidirectional && layer.OutputIsSequence)
        {
            writer.Line();
            WriteSequenceMerge(writer, model, layer);
        }
    }

    /// <summary>The backward methods of a recurrent layer.</summary>
    public static void WriteBackwardMethods(IndentedWriter writer, ModelSpec model, LayerSpec layer, bool inputHasGradient)
    {
        WriteRecurrenceBackward(writer, model, layer, inputHasGradient);
        if (layer.Bidirectional && layer.OutputIsSequence)
        {
            writer.Line();
            WriteSequenceMergeBackward(writer, model, layer);
        }
    }

    /// <summary>Floats of scratch a recurrent layer's backward pass needs for transposed weights.</summary>
    public static int TransposedLength(LayerSpec layer, bool inputHasGradient)
    {
        List<WeightSpec> weights = DirectionWeights(layer);
        long length = weights.First(w => w.Role == WeightRole.RecurrentKernel).Length;
        if (inputHasGradient)
        {
            length += weights.First(w => w.Role == WeightRole.Kernel).Length;
        }

        return (int)length;
    }

    /// <summary>
    /// The declaration of <c>t</c>, the step a recurrent layer reads <c>read</c>-th: forwards, last step first
    /// (go_backwards), or either, chosen by <c>backwards</c>, for one direction of a Bidirectional layer.
    /// </summary>
    internal static string StepRead(LayerSpec layer) =>
        layer.Bidirectional ? "int t = backwards ? steps - 1 - read : read;" : "int t = steps - 1 - read;";

    /// <summary>Whether the layer reads its steps in input order, so the loops can walk <c>t</c> itself.</summary>
    internal static bool ReadsForwards(LayerSpec layer) => !layer.Bidirectional && !layer.GoBackwards;

    /// <summary>Declares a local for each weight of one direction, sliced from <paramref name="span"/>.</summary>
    internal static void WriteWeightLocals(IndentedWriter writer, string type, string prefix, string span, List<WeightSpec> weights)
    {
        foreach (WeightSpec weight in weights)
        {
            string local = prefix.Length == 0 ? Format.CamelFromSnake(weight.Name) : prefix + Format.Pascal(weight.Name);
            writer.Line(type + " " + local + " = " + span + ".Slice(" + WeightSpec.RelativeOffset(weights, weight) + ", " + weight.LengthExpression + ");");
        }
    }

    private static string SliceOf(List<WeightSpec> weights, WeightRole role)
    {
        WeightSpec weight = weights.First(w => w.Role == role);
        return "weights.Slice(" + WeightSpec.RelativeOffset(weights, weight) + ", " + weight.LengthExpression + ")";
    }

    private static void WriteRecurrence(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        RuntimeNames n = model.Names;
        CellEmitter cell = CellRegistry.Emitter(layer.Cell!);
        List<WeightSpec> weights = DirectionWeights(layer);
        List<CellBuffer> buffers = CellBuffers(layer);
        string gates = GatesName(layer);
        string gateWidth = GateWidth(layer);
        writer.Line("/// <summary>");
        writer.Line(layer.Bidirectional
            ? "/// One direction of " + layer.KerasName + " (Bidirectional " + layer.Cell!.KerasClassName + ", " + Format.Units(layer.Units) + ") over a whole sequence:"
            : "/// " + layer.KerasName + " (" + layer.Cell!.KerasClassName + ", " + Format.Units(layer.Units) + ") over a whole sequence" + (layer.GoBackwards ? ", last step first (go_backwards):" : ":"));
        foreach (string line in cell.Equation(layer).Split('\n'))
        {
            writer.Line(line);
        }

        if (layer.Masked)
        {
            writer.Line(buffers.Any(b => b.IsState)
                ? "/// A padding step (mask 0) is skipped: its state (h and " + string.Join(", ", buffers.Where(b => b.IsState).Select(b => b.Local)) + ") is the previous one, unchanged."
                : "/// A padding step (mask 0) is skipped: its state is the previous one, unchanged.");
        }

        writer.Line("/// </summary>");
        WriteReadingParameters(writer, layer, weights);

        writer.Line("/// <param name=\"states\">Receives h[t] for every step t, [steps, " + Format.Int(layer.Units) + "], in input order.</param>");
        foreach (CellBuffer buffer in buffers)
        {
            writer.Line("/// <param name=\"" + buffer.Name + "\">Receives the " + buffer.Comment + " of every step t, [steps, " + Format.Int(buffer.Width) + "].</param>");
        }

        bool packs = PacksRecurrentKernel(layer);
        if (packs)
        {
            writer.Line("/// <param name=\"" + PackedRecurrentKernel + "\">Scratch for kernel, then recurrent_kernel, in column panels, " + Format.Int(PackedLength(layer)) + " floats.</param>");
        }

        string signature = "private static void " + layer.Identifier + "Recurrence(" + n.ReadOnlySpan + "<float> inputs, "
            + MaskEmitter.Parameter(model, layer)
            + n.ReadOnlySpan + "<float> weights, " + (layer.Bidirectional ? "bool backwards, " : string.Empty) + n.Span + "<float> states"
            + string.Concat(buffers.Select(b => ", " + n.Span + "<float> " + b.Name)) + (packs ? ", " + n.Span + "<float> " + PackedRecurrentKernel : string.Empty) + ")";
        using (writer.Block(signature))
        {
            WriteSizes(writer, layer);
            WriteWeightLocals(writer, n.ReadOnlySpan + "<float>", string.Empty, "weights", weights);
            writer.Line("int steps = states.Length / Units;");
            writer.Line();
            string inputBias = "bias";
            if (TwoRowBias(layer))
            {
                writer.Line(n.ReadOnlySpan + "<float> inputBias = bias.Slice(0, " + gateWidth + "); // row 0; row 1, the recurrent bias, is the cell's");
                inputBias = "inputBias";
            }

            string local = layer.Cell.GatesInState ? "state" : "gate";
            writer.Line("// The input projection of every step at once: " + gates + "[t] = x[t] · kernel + " + (TwoRowBias(layer) ? "input bias" : "bias") + ".");
            bool onePanel = !packs && KernelIsOnePanel(layer);
            using (writer.Block("for (int t = 0; t < steps; t++)"))
            {
                writer.Line(n.Span + "<float> " + local + " = " + gates + ".Slice(t * " + gateWidth + ", " + gateWidth + ");");
                writer.Line(inputBias + ".CopyTo(" + local + ");");
                if (!packs && !onePanel)
                {
                    writer.Line(n.LinearAlgebra + ".MultiplyAdd(inputs.Slice(t * InputWidth, InputWidth), kernel, " + local + ");");
                }
            }

            if (onePanel)
            {
                writer.Line(n.LinearAlgebra + ".MultiplyAddRowsPanels(inputs, InputWidth, kernel, " + gates + "); // kernel has " + Format.Int(layer.Cell.Gates * layer.Units) + " columns: one panel, already in packed order");
            }

            if (packs)
            {
                writer.Line();
                writer.Line("// kernel in panels of 64 columns, each used by every step while it is in L1.");
                writer.Line(n.Span + "<float> packedKernel = " + PackedRecurrentKernel + ".Slice(0, InputWidth * " + gateWidth + ");");
                writer.Line(n.LinearAlgebra + ".PackPanels(kernel, InputWidth, packedKernel);");
                writer.Line(n.LinearAlgebra + ".MultiplyAddRowsPanels(inputs, InputWidth, packedKernel, " + gates + ");");
            }

            writer.Line();
            if (packs)
            {
                writer.Line("// recurrent_kernel in panels of " + Format.Int(64) + " columns, each one contiguous stream, so the per-step product reads it in order.");
                writer.Line(PackedRecurrentKernel + " = " + PackedRecurrentKernel + ".Slice(0, Units * " + gateWidth + ");");
                writer.Line(n.LinearAlgebra + ".PackPanels(recurrentKernel, Units, " + PackedRecurrentKernel + ");");
                writer.Line();
            }

            foreach (string line in cell.StepComment(layer).Split('\n'))
            {
                writer.Line(line);
            }

            writer.Line(n.Span + "<float> previous = " + n.Span + "<float>.Empty; // h before the first step read is 0");
            foreach (CellBuffer state in buffers.Where(b => b.IsState))
            {
                writer.Line(n.Span + "<float> " + state.PreviousLocal + " = " + n.Span + "<float>.Empty; // " + state.Local + " before the first step read is 0");
            }

            using (writer.Block(ReadsForwards(layer) ? "for (int t = 0; t < steps; t++)" : "for (int read = 0; read < steps; read++)"))
            {
                if (!ReadsForwards(layer))
                {
                    writer.Line(StepRead(layer));
                }

                writer.Line(n.Span + "<float> state = states.Slice(t * Units, Units);");
                foreach (CellBuffer state in buffers.Where(b => b.IsState))
                {
                    writer.Line(n.Span + "<float> " + state.Local + " = " + state.Name + ".Slice(t * Units, Units);");
                }

                if (layer.Masked)
                {
                    WritePaddingCarry(writer, buffers, "t");

                    using (writer.Block("else"))
                    {
                        WriteStepLocals(writer, n, buffers, gateWidth);
                        cell.WriteStep(writer, model, layer, StepForm.Recurrence(packs));
                    }
                }
                else
                {
                    WriteStepLocals(writer, n, buffers, gateWidth);
                    cell.WriteStep(writer, model, layer, StepForm.Recurrence(packs));
                }

                writer.Line();
                writer.Line("previous = state;");
                foreach (CellBuffer state in buffers.Where(b => b.IsState))
                {
                    writer.Line(state.PreviousLocal + " = " + state.Local + ";");
                }
            }
        }
    }

    /// <summary>At a padding step (<paramref name="step"/> indexes the mask), h and any other state vector carry over from the step read before, or are 0 before the first.</summary>
    internal static void WritePaddingCarry(IndentedWriter writer, List<CellBuffer> buffers, string step)
    {
        using (writer.Block("if (" + MaskEmitter.IsPadding(step) + ")"))
        {
            writer.Line("// Padding: the state carries over unchanged.");
            foreach (var (current, previous) in new[] { ("state", "previous") }.Concat(buffers.Where(b => b.IsState).Select(b => (b.Local, b.PreviousLocal))))
            {
                using (writer.Block("if (" + previous + ".IsEmpty)"))
                {
                    writer.Line(current + ".Clear();");
                }

                using (writer.Block("else"))
                {
                    writer.Line(previous + ".CopyTo(" + current + ");");
                }
            }
        }
    }

    /// <summary>The values a recurrent layer keeps in an <c>RnnState</c>: h and each other state vector (LSTM's c).</summary>
    public static int StateWidth(LayerSpec layer) => layer.Cell!.StateVectors.Count * layer.Units;

    /// <summary>The floats of scratch one <c>Step</c> of the layer needs: its gates, then h and any other state vector, then the cell's step scratch.</summary>
    public static int StepScratchLength(LayerSpec layer) =>
        CellBuffers(layer).Where(b => !b.IsState).Sum(b => b.Width) + StateWidth(layer);

    /// <summary>
    /// The cell's equation as doc-comment lines, said of one step of a stream: its state starts at zero in a new
    /// <c>RnnState</c> rather than before a sequence's first step.
    /// </summary>
    public static IEnumerable<string> StepEquation(LayerSpec layer) =>
        CellRegistry.Emitter(layer.Cell!).Equation(layer).Split('\n').Select(line => line.Replace(" before the first step read", " in a new state"));

    /// <summary>The name of the method that runs one step of <paramref name="layer"/> for <c>Step</c>.</summary>
    public static string StepMethod(LayerSpec layer) => layer.Identifier + "Step";

    /// <summary>The call in <c>Step</c> that reads <paramref name="input"/> into the layer's part of the state.</summary>
    public static string StepCall(LayerSpec layer, string input, string memory, string scratch) =>
        StepMethod(layer) + "(" + input + ", parameters.Slice(" + layer.Weights[0].ConstantName + ", " + WeightsLengthConstant(layer) + "), " + memory + ", " + scratch + ");";

    /// <summary>
    /// One step of a (forward-reading) recurrent layer, for <c>Step</c>: the input projection of this step alone, the
    /// cell's step with the state's values as h[previous] (and c[previous]), then the new values written back over them.
    /// </summary>
    public static void WriteStepMethod(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        RuntimeNames n = model.Names;
        CellEmitter cell = CellRegistry.Emitter(layer.Cell!);
        List<WeightSpec> weights = DirectionWeights(layer);
        List<CellBuffer> buffers = CellBuffers(layer);
        List<CellBuffer> stateVectors = buffers.Where(b => b.IsState).ToList();
        string gateWidth = GateWidth(layer);
        string held = string.Concat(stateVectors.Select(b => " and " + b.Local.Replace("cell", "c")));
        writer.Line("/// <summary>");
        writer.Line("/// " + layer.KerasName + " (" + layer.Cell!.KerasClassName + ", " + Format.Units(layer.Units) + "), one step:");
        foreach (string line in StepEquation(layer))
        {
            writer.Line(line);
        }

        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"x\">x[t], [" + Format.Int(layer.InputWidth) + "].</param>");
        writer.Line("/// <param name=\"weights\">" + DescribeWeights(weights) + ", back to back.</param>");
        writer.Line("/// <param name=\"memory\">The layer's part of the state: h" + held + " after the step before, which this step replaces, [" + Format.Int(StateWidth(layer)) + "].</param>");
        string values = string.Join(", ", buffers.Where(b => !b.IsState).Select(b => b.Name == "gates" ? "the gates" : "the " + b.Comment).Concat(new[] { "h" + held }));
        writer.Line("/// <param name=\"scratch\">Room for this step's values while they are computed (" + values + "), " + Format.Int(StepScratchLength(layer)) + " floats.</param>");
        using (writer.Block("private static void " + StepMethod(layer) + "(" + n.ReadOnlySpan + "<float> x, " + n.ReadOnlySpan + "<float> weights, " + n.Span + "<float> memory, " + n.Span + "<float> scratch)"))
        {
            WriteSizes(writer, layer);
            WriteWeightLocals(writer, n.ReadOnlySpan + "<float>", string.Empty, "weights", weights);
            writer.Line(n.Span + "<float> previous = memory.Slice(0, Units); // h[previous]");
            int offset = 1;
            foreach (CellBuffer state in stateVectors)
            {
                writer.Line(n.Span + "<float> " + state.PreviousLocal + " = memory.Slice(" + Format.Int(offset) + " * Units, Units); // " + state.Local.Replace("cell", "c") + "[previous]");
                offset++;
            }

            // The step's own spans, carved from scratch in the order the summary lists them.
            string carved = "0";
            void Carve(string local, string width)
            {
                writer.Line(n.Span + "<float> " + local + " = scratch.Slice(" + carved + ", " + width + ");");
                carved = carved == "0" ? width : carved + " + " + width;
            }

            foreach (CellBuffer buffer in buffers.Where(b => !b.IsState))
            {
                Carve(buffer.Local, buffer.WidthExpression);
            }

            Carve("state", "Units");
            foreach (CellBuffer state in stateVectors)
            {
                Carve(state.Local, "Units");
            }

            writer.Line();
            string projected = layer.Cell.GatesInState ? "state" : "gate";
            string inputBias = TwoRowBias(layer) ? "bias.Slice(0, " + gateWidth + ")" : "bias";
            writer.Line("// " + projected + " = x[t] · kernel + " + (TwoRowBias(layer) ? "input bias (bias row 0)" : "bias"));
            writer.Line(inputBias + ".CopyTo(" + projected + ");");
            writer.Line(n.LinearAlgebra + ".MultiplyAdd(x, kernel, " + projected + ");");
            writer.Line();
            cell.WriteStep(writer, model, layer, StepForm.Streaming);
            writer.Line();
            writer.Line("// The new state replaces the old.");
            writer.Line("state.CopyTo(previous);");
            foreach (CellBuffer state in stateVectors)
            {
                writer.Line(state.Local + ".CopyTo(" + state.PreviousLocal + ");");
            }
        }
    }

    /// <summary><c>const int InputWidth = 32;</c>, <c>const int Units = 64;</c> and, for a cell with several gates, <c>const int GateWidth = 4 * Units;</c>.</summary>
    internal static void WriteSizes(IndentedWriter writer, LayerSpec layer)
    {
        writer.Line("const int InputWidth = " + Format.Int(layer.InputWidth) + ";");
        writer.Line("const int Units = " + Format.Int(layer.Units) + ";");
        if (layer.Cell!.Gates > 1)
        {
            writer.Line("const int GateWidth = " + Format.Int(layer.Cell.Gates) + " * Units; // gates " + layer.Cell.KerasGateOrder.Replace(",", ", ") + ", side by side");
        }
    }

    /// <summary>The spans of the step being computed that are not state vectors: the gates and the cell's scratch.</summary>
    private static void WriteStepLocals(IndentedWriter writer, RuntimeNames n, List<CellBuffer> buffers, string gateWidth)
    {
        foreach (CellBuffer buffer in buffers.Where(b => !b.IsState))
        {
            writer.Line(n.Span + "<float> " + buffer.Local + " = " + buffer.Name + ".Slice(t * " + buffer.WidthExpression + ", " + buffer.WidthExpression + ");");
        }
    }

    /// <summary>The documentation of what the forward and the backward method both take: x, the mask, the weights, the direction.</summary>
    private static void WriteReadingParameters(IndentedWriter writer, LayerSpec layer, List<WeightSpec> weights)
    {
        writer.Line("/// <param name=\"inputs\">x, [steps, " + Format.Int(layer.InputWidth) + "].</param>");
        if (layer.Masked)
        {
            writer.Line("/// <param name=\"mask\">1 where a step counts, 0 at padding.</param>");
        }

        writer.Line("/// <param name=\"weights\">" + DescribeWeights(weights) + ", back to back.</param>");
        if (layer.Bidirectional)
        {
            writer.Line("/// <param name=\"backwards\">Read t from steps - 1 down to 0 (the backward layer) instead of up from 0.</param>");
        }
    }

    /// <summary><c>kernel [64, 32], recurrent_kernel [32, 32] and bias [32]</c>.</summary>
    internal static string DescribeWeights(List<WeightSpec> weights)
    {
        string[] parts = weights.Select(w => w.Name + " [" + string.Join(", ", w.Shape.Select(d => Format.Int(d.Size))) + "]").ToArray();
        return parts.Length == 1 ? parts[0] : string.Join(", ", parts.Take(parts.Length - 1)) + " and " + parts[parts.Length - 1];
    }

    private static void WriteSequenceMerge(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        RuntimeNames n = model.Names;
        writer.Line("/// <summary>");
        writer.Line("/// Merges " + layer.KerasName + "'s directions step by step (merge_mode=\"" + layer.Merge.ToString().ToLowerInvariant() + "\"): <c>output[t] = " + MergeEmitter.Rule(layer.Merge) + "</c>,");
        writer.Line("/// where backward[t] is the backward state after reading steps - 1 down to t, so both are aligned in time.");
        if (layer.Masked)
        {
            writer.Line("/// A padding step outputs zeros, as Keras Bidirectional does with return_sequences.");
        }

        writer.Line("/// </summary>");
        using (writer.Block("private static void " + layer.Identifier + "Merge(" + n.ReadOnlySpan + "<float> forward, " + n.ReadOnlySpan + "<float> backward, "
            + MaskEmitter.Parameter(model, layer) + n.Span + "<float> output)"))
        {
            writer.Line("const int Units = " + Format.Int(layer.Units) + ";");
            writer.Line("const int Width = " + Format.Int(layer.OutputWidth) + ";");
            using (writer.Block("for (int t = 0; t < forward.Length / Units; t++)"))
            {
                writer.Line(n.Span + "<float> merged = output.Slice(t * Width, Width);");
                if (layer.Masked)
                {
                    using (writer.Block("if (" + MaskEmitter.IsPadding("t") + ")"))
                    {
                        writer.Line("merged.Clear();");
                        writer.Line("continue;");
                    }

                    writer.Line();
                }

                writer.Line(n.ReadOnlySpan + "<float> forwardState = forward.Slice(t * Units, Units);");
                writer.Line(n.ReadOnlySpan + "<float> backwardState = backward.Slice(t * Units, Units);");
                MergeEmitter.WriteMerge(writer, model, layer.Merge, "forwardState", "backwardState", "merged", "Units");
            }
        }
    }

    private static void WriteRecurrenceBackward(IndentedWriter writer, ModelSpec model, LayerSpec layer, bool inputHasGradient)
    {
        RuntimeNames n = model.Names;
        CellEmitter cell = CellRegistry.Emitter(layer.Cell!);
        List<WeightSpec> weights = DirectionWeights(layer);
        List<CellBuffer> buffers = CellBuffers(layer);
        string gateWidth = GateWidth(layer);
        string dGates = GatesGradient(layer);
        string dRecurrent = RecurrentGradient(layer);
        writer.Line("/// <summary>");
        writer.Line("/// Backpropagation through time for " + (layer.Bidirectional ? "one direction of " : string.Empty) + layer.KerasName
            + ". dStates[t] arrives holding the gradient of h[t] from the layer's output;");
        if (layer.Cell!.GatesInState)
        {
            writer.Line("/// walking the steps in reverse reading order turns it, in place, into da[t], the gradient of the pre-activation");
            writer.Line("/// " + cell.PreActivation(layer) + ", and passes da[t] · recurrent_kernelᵀ back to h[previous].");
        }
        else
        {
            writer.Line("/// walking the steps in reverse reading order, each step writes the gradient of its gates' pre-activations");
            writer.Line("/// (" + cell.PreActivation(layer) + ") and passes the gradient of its state back to the step read before.");
        }

        writer.Line("/// Only that " + (layer.Cell.GatesInState ? "product " : string.Empty) + "is sequential: the weight" + (inputHasGradient ? " and input" : string.Empty) + " gradients are then matrix products over all steps.");
        writer.Line("/// </summary>");
        WriteReadingParameters(writer, layer, weights);

        writer.Line("/// <param name=\"states\">h[t] for every step t, as the forward pass wrote them.</param>");
        foreach (CellBuffer buffer in buffers)
        {
            writer.Line("/// <param name=\"" + buffer.Name + "\">The " + buffer.Comment + " of every step, as the forward pass wrote them.</param>");
        }

        writer.Line(layer.Cell.GatesInState
            ? "/// <param name=\"dStates\">The gradient of each h[t]; left holding da[t].</param>"
            : "/// <param name=\"dStates\">The gradient of each h[t]; the steps add what they pass back.</param>");
        foreach (CellBuffer buffer in buffers)
        {
            writer.Line("/// <param name=\"" + buffer.Gradient + "\">Receives the gradient of each step's " + (buffer.IsState ? buffer.Comment : buffer.Name == "gates" ? "gate pre-activations" : buffer.Comment) + ".</param>");
        }

        if (inputHasGradient)
        {
            writer.Line("/// <param name=\"dInputs\">The gradient of x, which this adds to.</param>");
        }

        writer.Line("/// <param name=\"dWeights\">The gradient of the weights, in their layout, which this adds to.</param>");
        writer.Line("/// <param name=\"transposed\">Scratch for the transposed weights, " + Format.Int(TransposedLength(layer, inputHasGradient)) + " floats.</param>");
        string signature = "private static void " + layer.Identifier + "RecurrenceBackward(" + n.ReadOnlySpan + "<float> inputs, "
            + MaskEmitter.Parameter(model, layer)
            + n.ReadOnlySpan + "<float> weights, " + (layer.Bidirectional ? "bool backwards, " : string.Empty)
            + n.ReadOnlySpan + "<float> states" + string.Concat(buffers.Select(b => ", " + n.ReadOnlySpan + "<float> " + b.Name))
            + ", " + n.Span + "<float> dStates" + string.Concat(buffers.Select(b => ", " + n.Span + "<float> " + b.Gradient))
            + ", " + (inputHasGradient ? n.Span + "<float> dInputs, " : string.Empty)
            + n.Span + "<float> dWeights, " + n.Span + "<float> transposed)";
        using (writer.Block(signature))
        {
            WriteSizes(writer, layer);
            WriteWeightLocals(writer, n.Span + "<float>", "d", "dWeights", weights);
            writer.Line("int steps = states.Length / Units;");
            writer.Line();
            writer.Line("// recurrent_kernelᵀ, so that passing a gradient back is a vector-matrix product like the forward step.");
            writer.Line(n.Span + "<float> recurrentKernelT = transposed.Slice(0, " + (layer.Cell.Gates == 1 ? "Units * Units" : "Units * GateWidth") + ");");
            writer.Line(n.LinearAlgebra + ".Transpose(" + SliceOf(weights, WeightRole.RecurrentKernel) + ", Units, recurrentKernelT);");
            writer.Line();
            writer.Line("// Through time, last step read first.");
            using (writer.Block(ReadsForwards(layer) ? "for (int t = steps - 1; t >= 0; t--)" : "for (int read = steps - 1; read >= 0; read--)"))
            {
                if (!ReadsForwards(layer))
                {
                    writer.Line(StepRead(layer));
                }

                writer.Line(PreviousStep(layer));
                WriteBackwardStepBody(writer, model, layer, productDone: false);
            }

            WriteBackwardWeightGradients(writer, model, layer, inputHasGradient);
        }
    }

    /// <summary>The declaration of <c>previous</c> in the BPTT loop: the step read before t, or -1 before the first.</summary>
    internal static string PreviousStep(LayerSpec layer) =>
        layer.Bidirectional ? "int previous = read == 0 ? -1 : backwards ? t + 1 : t - 1; // the step read before t"
        : layer.GoBackwards ? "int previous = read == 0 ? -1 : t + 1; // the step read before t"
        : "int previous = t - 1; // -1 before the first step";

    /// <summary>
    /// One step of BPTT, from <c>dh</c> to the gradients of the step's pre-activations: padding passes straight back; a read
    /// step runs the cell's backward step, which also passes the gradient back through recurrent_kernel unless
    /// <paramref name="productDone"/> (a batch does that product for every sequence at once).
    /// </summary>
    internal static void WriteBackwardStepBody(IndentedWriter writer, ModelSpec model, LayerSpec layer, bool productDone)
    {
        RuntimeNames n = model.Names;
        CellEmitter cell = CellRegistry.Emitter(layer.Cell!);
        List<CellBuffer> buffers = CellBuffers(layer);
        writer.Line(n.Span + "<float> dh = dStates.Slice(t * Units, Units);");
        foreach (CellBuffer state in buffers.Where(b => b.IsState))
        {
            writer.Line(n.Span + "<float> " + state.GradientLocal + " = " + state.Gradient + ".Slice(t * Units, Units);");
        }

        if (layer.Masked)
        {
            using (writer.Block("if (" + MaskEmitter.IsPadding("t") + ")"))
            {
                writer.Line(buffers.Any(b => b.IsState)
                    ? "// Padding: the state was the previous one, so its gradient passes straight back; the step has no gates."
                    : "// Padding: h[t] was h[previous], so its gradient passes straight back; the step has no pre-activation.");
                using (writer.Block("if (previous >= 0)"))
                {
                    foreach (var (gradient, buffer) in new[] { ("dh", "dStates") }.Concat(buffers.Where(b => b.IsState).Select(b => (b.GradientLocal, b.Gradient))))
                    {
                        string dPrevious = "dPrevious" + (gradient == "dh" ? string.Empty : char.ToUpperInvariant(gradient[1]) + gradient.Substring(2));
                        writer.Line(n.Span + "<float> " + dPrevious + " = " + buffer + ".Slice(previous * Units, Units);");
                        writer.Line(n.TensorPrimitives + ".Add(" + dPrevious + ", " + gradient + ", " + dPrevious + ");");
                    }
                }

                writer.Line();
                writer.Line("dh.Clear();");
                foreach (CellBuffer state in buffers.Where(b => b.IsState))
                {
                    writer.Line(state.GradientLocal + ".Clear();");
                }

                writer.Line("continue;");
            }

            writer.Line();
        }

        foreach (CellBuffer buffer in buffers.Where(b => !b.IsState))
        {
            writer.Line(n.Span + "<float> " + buffer.GradientLocal + " = " + buffer.Gradient + ".Slice(t * " + buffer.WidthExpression + ", " + buffer.WidthExpression + ");");
        }

        cell.WriteBackwardStep(writer, model, layer, productDone);
    }

    /// <summary>
    /// After BPTT: the weight gradients over all steps at once, and the input's gradient. With <paramref name="batched"/>,
    /// over every step of every sequence of a batch (the <c>…Batch</c> spans, rows contiguous across sequences): one product
    /// each, except the recurrent kernel's, which pairs each step with the one read before it within its own sequence.
    /// </summary>
    internal static void WriteBackwardWeightGradients(IndentedWriter writer, ModelSpec model, LayerSpec layer, bool inputHasGradient, bool batched = false)
    {
        RuntimeNames n = model.Names;
        List<WeightSpec> weights = DirectionWeights(layer);
        string gateWidth = GateWidth(layer);
        string dGates = GatesGradient(layer);
        string dRecurrent = RecurrentGradient(layer);
        CellSpec cell = layer.Cell!;
        string Batch(string name) => batched ? name + "Batch" : name;
        writer.Line();
        bool twoRows = TwoRowBias(layer);
        writer.Line("// The weights, over all steps" + (batched ? " of every sequence" : string.Empty) + " at once" + (layer.Masked ? (cell.GatesInState ? " (padding steps have da = 0)" : " (padding steps have no gradient)") : string.Empty) + ": d(bias) += sum of "
            + (cell.GatesInState ? "da[t]" : "the gates' gradients") + (twoRows ? " (row 1: of the recurrent projection's)" : string.Empty) + ",");
        string named = cell.GatesInState ? "da" : dGates;
        writer.Line("// d(kernel) += xᵀ " + named + ", d(recurrent_kernel) += h[previous]ᵀ " + (cell.GatesInState ? "da" : dRecurrent) + ", pairing each step with the state read before it"
            + (batched ? " in its own sequence." : "."));
        if (twoRows)
        {
            writer.Line(n.Span + "<float> dInputBias = dBias.Slice(0, " + gateWidth + ");");
            writer.Line(n.Span + "<float> dRecurrentBias = dBias.Slice(" + gateWidth + ", " + gateWidth + ");");
        }

        using (writer.Block(batched ? "for (int t = 0; t < count * steps; t++)" : "for (int t = 0; t < steps; t++)"))
        {
            string inputBias = twoRows ? "dInputBias" : "dBias";
            writer.Line(n.TensorPrimitives + ".Add(" + inputBias + ", " + Batch(dGates) + ".Slice(t * " + gateWidth + ", " + gateWidth + "), " + inputBias + ");");
            if (twoRows)
            {
                writer.Line(n.TensorPrimitives + ".Add(dRecurrentBias, " + Batch(dRecurrent) + ".Slice(t * " + gateWidth + ", " + gateWidth + "), dRecurrentBias);");
            }
        }

        writer.Line();
        writer.Line(n.LinearAlgebra + ".AddTransposedProduct(" + Batch("inputs") + ", " + Batch(dGates) + ", dKernel, " + gateWidth + ");");
        string forwardPairs = n.LinearAlgebra + ".AddTransposedProduct(states.Slice(0, (steps - 1) * Units), " + dRecurrent + ".Slice(" + gateWidth + "), dRecurrentKernel, " + gateWidth + ");";
        string backwardPairs = n.LinearAlgebra + ".AddTransposedProduct(states.Slice(Units), " + dRecurrent + ".Slice(0, (steps - 1) * " + gateWidth + "), dRecurrentKernel, " + gateWidth + ");";
        using (writer.BlockIf(batched, "for (int b = 0; b < count; b++)"))
        {
            if (batched)
            {
                writer.Line(n.ReadOnlySpan + "<float> states = statesBatch.Slice(b * (steps * Units), steps * Units);");
                writer.Line(n.ReadOnlySpan + "<float> " + dRecurrent + " = " + dRecurrent + "Batch.Slice(b * (steps * " + gateWidth + "), steps * " + gateWidth + ");");
            }

            if (layer.Bidirectional)
            {
                using (writer.Block("if (backwards)"))
                {
                    writer.Line(backwardPairs + " // h[t + 1] was read before t");
                }

                using (writer.Block("else"))
                {
                    writer.Line(forwardPairs + " // h[t - 1] was read before t");
                }
            }
            else
            {
                writer.Line(layer.GoBackwards ? backwardPairs + " // h[t + 1] was read before t" : forwardPairs + " // h[t - 1] was read before t");
            }
        }

        if (inputHasGradient)
        {
            writer.Line();
            writer.Line("// The input: dx[t] += " + (cell.GatesInState ? "da" : dGates) + "[t] · kernelᵀ" + (batched ? ", for every row of the batch in one product with kernelᵀ in panels." : "."));
            writer.Line(n.Span + "<float> kernelT = transposed.Slice(" + (cell.Gates == 1 ? "Units * Units, InputWidth * Units" : "Units * GateWidth, InputWidth * GateWidth") + ");");
            writer.Line(n.LinearAlgebra + ".Transpose(" + SliceOf(weights, WeightRole.Kernel) + ", InputWidth, kernelT);");
            if (batched)
            {
                writer.Line(n.Span + "<float> packedKernelT = transposed.Slice(" + Format.Int(TransposedLength(layer, inputHasGradient)) + ", InputWidth * " + gateWidth + ");");
                writer.Line(n.LinearAlgebra + ".PackPanels(kernelT, " + gateWidth + ", packedKernelT);");
                writer.Line(n.LinearAlgebra + ".MultiplyAddRowsPanels(" + Batch(dGates) + ", " + gateWidth + ", packedKernelT, dInputsBatch);");
            }
            else
            {
                using (writer.Block("for (int t = 0; t < steps; t++)"))
                {
                    writer.Line(n.LinearAlgebra + ".MultiplyAdd(" + dGates + ".Slice(t * " + gateWidth + ", " + gateWidth + "), kernelT, dInputs.Slice(t * InputWidth, InputWidth));");
                }
            }
        }
    }

    private static void WriteSequenceMergeBackward(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        RuntimeNames n = model.Names;
        writer.Line("/// <summary>");
        writer.Line("/// " + layer.KerasName + " merge backward: splits the gradient of each merged step between the two directions.");
        if (layer.Masked)
        {
            writer.Line("/// Padding steps output zeros, so they pass no gradient.");
        }

        writer.Line("/// </summary>");
        using (writer.Block("private static void " + layer.Identifier + "MergeBackward(" + n.ReadOnlySpan + "<float> forward, " + n.ReadOnlySpan + "<float> backward, "
            + MaskEmitter.Parameter(model, layer) + n.ReadOnlySpan + "<float> dOutput, " + n.Span + "<float> dForward, " + n.Span + "<float> dBackward)"))
        {
            writer.Line("const int Units = " + Format.Int(layer.Units) + ";");
            writer.Line("const int Width = " + Format.Int(layer.OutputWidth) + ";");
            using (writer.Block("for (int t = 0; t < forward.Length / Units; t++)"))
            {
                if (layer.Masked)
                {
                    using (writer.Block("if (" + MaskEmitter.IsPadding("t") + ")"))
                    {
                        writer.Line("continue;");
                    }

                    writer.Line();
                }

                writer.Line(n.ReadOnlySpan + "<float> dMerged = dOutput.Slice(t * Width, Width);");
                writer.Line(n.Span + "<float> dForwardState = dForward.Slice(t * Units, Units);");
                writer.Line(n.Span + "<float> dBackwardState = dBackward.Slice(t * Units, Units);");
                MergeEmitter.WriteMergeBackward(writer, model, layer.Merge, "dMerged", "dForwardState", "dBackwardState", "forward.Slice(t * Units, Units)", "backward.Slice(t * Units, Units)", "Units");
            }
        }
    }
}
