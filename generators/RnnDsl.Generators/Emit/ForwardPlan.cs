using System.Collections.Generic;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>A span of per-thread scratch: <c>PerStep * steps + Fixed</c> floats.</summary>
internal sealed record ScratchBuffer(string Name, int PerStep, int Fixed, string Comment)
{
    /// <summary>Whether the backward pass needs a gradient twin of this buffer (the mask has none).</summary>
    public bool HasGradient { get; init; } = true;

    /// <summary>One buffer as long as all of <paramref name="buffers"/> together.</summary>
    public static ScratchBuffer Total(IEnumerable<ScratchBuffer> buffers)
    {
        int perStep = 0;
        int fixedLength = 0;
        foreach (ScratchBuffer buffer in buffers)
        {
            perStep += buffer.PerStep;
            fixedLength += buffer.Fixed;
        }

        return new ScratchBuffer("scratch", perStep, fixedLength, string.Empty);
    }

    /// <summary>The gradient twin of this buffer: <c>embedding</c> gives <c>dEmbedding</c>.</summary>
    public ScratchBuffer Gradient() => new("d" + char.ToUpperInvariant(Name[0]) + Name.Substring(1), PerStep, Fixed, "gradient of " + Comment);

    public string LengthExpression => PerStep == 0
        ? Format.Int(Fixed)
        : (PerStep == 1 ? "steps" : "steps * " + Format.Int(PerStep)) + (Fixed == 0 ? string.Empty : " + " + Format.Int(Fixed));
}

/// <summary>
/// One layer's place in the forward pass: the span it reads, the span it writes, and the scratch it
/// needs. The last layer writes straight into the caller's <c>output</c>.
/// </summary>
internal sealed record LayerStep(LayerSpec Layer, string Input, string Output, bool IsLast)
{
    public string Name => Format.Camel(Layer.Identifier);

    /// <summary>Per-step states of a recurrent layer (one direction, or the forward one); the last layer writes its states straight to the output.</summary>
    public string States => Layer.Bidirectional ? Name + "ForwardStates" : (OutputIsStates && IsLast ? Output : Name + "States");

    public string BackwardStates => Name + "BackwardStates";

    /// <summary>A Dropout layer's mask in the training method.</summary>
    public string DropoutMask => Name + "Mask";

    /// <summary>A per-step buffer of the cell in one direction (<c>""</c>, <c>forward</c> or <c>backward</c>): <c>lstmGates</c>, <c>bidirectionalBackwardCells</c>.</summary>
    public string CellBuffer(string direction, string buffer) =>
        Name + (direction.Length == 0 ? string.Empty : char.ToUpperInvariant(direction[0]) + direction.Substring(1)) + char.ToUpperInvariant(buffer[0]) + buffer.Substring(1);

    /// <summary>Scratch for a recurrent layer's transposed weights in the backward pass.</summary>
    public string TransposedWeights => Name + "TransposedWeights";

    /// <summary>The step runs in the training method, where dropout may be on (its <c>training</c> flag says).</summary>
    public bool Training { get; init; }

    /// <summary>A forward-reading layer that returns sequences outputs its states as they are.</summary>
    public bool OutputIsStates => Layer.Kind == LayerKind.Recurrent && !Layer.Bidirectional && Layer.OutputIsSequence && !Layer.GoBackwards;
}

internal static class ForwardPlan
{
    /// <summary>The steps and buffers of the forward pass; <paramref name="training"/> for the training method, where dropout draws masks.</summary>
    public static (List<LayerStep> Steps, List<ScratchBuffer> Buffers) For(ModelSpec model, bool training = false)
    {
        var steps = new List<LayerStep>();
        var buffers = new List<ScratchBuffer>();
        string input = ModelEmitter.Input(model).Name;
        if (model.Mask.IsMasked)
        {
            buffers.Add(MaskEmitter.Buffer(model));
        }

        for (int i = 0; i < model.Layers.Count; i++)
        {
            LayerSpec layer = model.Layers[i];
            bool isLast = i == model.Layers.Count - 1;
            if (layer.Kind == LayerKind.Input)
            {
                continue; // the caller's inputs are the first sequence
            }

            string name = Format.Camel(layer.Identifier);
            string output = isLast ? "output" : name + "Output";
            int width = layer.OutputWidth;
            if (layer.Kind == LayerKind.Dropout)
            {
                if (!training)
                {
                    // Outside training a Dropout layer is the identity: the next layer reads its input.
                    steps.Add(new LayerStep(layer, input, isLast ? output : input, isLast));
                    continue;
                }

                var dropout = new LayerStep(layer, input, output, isLast) { Training = true };
                if (!isLast)
                {
                    buffers.Add(OutputBuffer(layer, output, width));
                }

                buffers.Add(layer.OutputIsSequence
                    ? new ScratchBuffer(dropout.DropoutMask, width, 0, layer.KerasName + " mask, [steps, " + Format.Int(width) + "]") { HasGradient = false }
                    : new ScratchBuffer(dropout.DropoutMask, 0, width, layer.KerasName + " mask, [" + Format.Int(width) + "]") { HasGradient = false });
                steps.Add(dropout);
                input = output;
                continue;
            }

            var step = new LayerStep(layer, input, output, isLast) { Training = training };
            if (layer.Kind == LayerKind.Recurrent)
            {
                string direction = layer.Bidirectional ? "forward states" : "states";
                if (!step.OutputIsStates || !isLast)
                {
                    buffers.Add(new ScratchBuffer(step.States, layer.Units, 0, layer.KerasName + " " + direction + (step.OutputIsStates ? ", its output" : string.Empty) + ", [steps, " + Format.Int(layer.Units) + "]"));
                }

                if (layer.Bidirectional)
                {
                    buffers.Add(new ScratchBuffer(step.BackwardStates, layer.Units, 0, layer.KerasName + " backward states, [steps, " + Format.Int(layer.Units) + "]"));
                }

                foreach (string way in layer.Directions)
                {
                    string which = way.Length == 0 ? string.Empty : way + " ";
                    foreach (CellBuffer cell in RecurrenceEmitter.CellBuffers(layer))
                    {
                        buffers.Add(new ScratchBuffer(step.CellBuffer(way, cell.Name), cell.Width, 0, layer.KerasName + " " + which + cell.Comment + ", [steps, " + Format.Int(cell.Width) + "]"));
                    }

                    if (RecurrenceEmitter.PacksRecurrentKernel(layer))
                    {
                        int packed = RecurrenceEmitter.PackedLength(layer);
                        buffers.Add(new ScratchBuffer(step.CellBuffer(way, RecurrenceEmitter.PackedRecurrentKernel), 0, packed, layer.KerasName + " " + which + "kernel, then recurrent_kernel, in column panels, " + Format.Int(packed) + " floats") { HasGradient = false });
                    }

                    if (training && layer.HasDropout)
                    {
                        int weights = (int)WeightSpec.TotalLength(layer.Weights, way);
                        buffers.Add(new ScratchBuffer(step.CellBuffer(way, "droppedWeights"), 0, weights, layer.KerasName + " " + which + "weights with the dropout masks folded in, " + Format.Int(weights) + " floats"));
                        if (layer.DropoutRate > 0)
                        {
                            buffers.Add(new ScratchBuffer(step.CellBuffer(way, "inputMask"), 0, layer.InputWidth, layer.KerasName + " " + which + "dropout mask of x, [" + Format.Int(layer.InputWidth) + "]") { HasGradient = false });
                        }

                        if (layer.RecurrentDropout > 0)
                        {
                            buffers.Add(new ScratchBuffer(step.CellBuffer(way, "recurrentMask"), 0, layer.Units, layer.KerasName + " " + which + "recurrent dropout mask of h, [" + Format.Int(layer.Units) + "]") { HasGradient = false });
                        }
                    }
                }

                if (!isLast && !step.OutputIsStates)
                {
                    buffers.Add(OutputBuffer(layer, output, width));
                }
            }
            else if (!isLast)
            {
                buffers.Add(OutputBuffer(layer, output, width));
            }

            steps.Add(step);
            input = step.OutputIsStates ? step.States : output;
        }

        return (steps, buffers);
    }

    private static ScratchBuffer OutputBuffer(LayerSpec layer, string name, int width) => layer.OutputIsSequence
        ? new ScratchBuffer(name, width, 0, layer.KerasName + " output, [steps, " + Format.Int(width) + "]")
        : new ScratchBuffer(name, 0, width, layer.KerasName + " output, [" + Format.Int(width) + "]");
}
