using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// Writes each layer's part of the backward pass: the lines in <c>AccumulateGradients</c> that run it,
/// and the method that holds its loop, with the chain rule it applies in comments.
/// </summary>
internal static class BackwardEmitter
{
    /// <summary>The gradient twin of a span: <c>embedding</c> gives <c>dEmbedding</c>; the model's inputs have none.</summary>
    public static string? Gradient(string span) =>
        span is "tokens" or "inputs" ? null : "d" + char.ToUpperInvariant(span[0]) + span.Substring(1);

    public static void WriteCall(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        LayerSpec layer = step.Layer;
        writer.Line("// " + layer.KerasName + " (" + SummaryEmitter.KerasClassName(layer) + ")");
        string? dInput = Gradient(step.Input);
        string dInputArgument = dInput is null ? string.Empty : dInput + ", ";
        switch (layer.Kind)
        {
            case LayerKind.Embedding:
                writer.Line("Backward" + layer.Identifier + "(tokens, " + Gradient(step.Output) + ", gradients);");
                break;
            case LayerKind.Dense:
                writer.Line("Backward" + layer.Identifier + "(" + step.Input + ", " + step.Output + ", " + Gradient(step.Output) + ", " + dInputArgument + "gradients);");
                break;
            case LayerKind.SimpleRnn when layer.Bidirectional:
                WriteBidirectionalCall(writer, step, dInputArgument);
                break;
            case LayerKind.SimpleRnn:
                WriteRecurrentCall(writer, step, dInputArgument);
                break;
        }
    }

    public static void WriteMethods(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        bool inputHasGradient = InputHasGradient(model, layer);
        switch (layer.Kind)
        {
            case LayerKind.Embedding:
                WriteEmbedding(writer, layer);
                break;
            case LayerKind.Dense:
                WriteDense(writer, layer, inputHasGradient);
                break;
            case LayerKind.SimpleRnn:
                WriteRecurrence(writer, layer, inputHasGradient);
                if (layer.Bidirectional && layer.OutputIsSequence)
                {
                    writer.Line();
                    WriteSequenceMerge(writer, layer);
                }

                break;
        }
    }

    /// <summary>Every layer passes a gradient to its input, except the first layer after a real-valued Input.</summary>
    public static bool InputHasGradient(ModelSpec model, LayerSpec layer) =>
        !(model.Layers[0].Kind == LayerKind.Input && model.Layers.Count > 1 && model.Layers[1] == layer);

    private static string Mask(LayerSpec layer) => layer.Masked ? "tokens, " : string.Empty;

    private static string Slice(string span, LayerSpec layer, string direction) =>
        span + ".Slice(" + layer.Identifier + direction + "KernelOffset, " + Format.Int(layer.DirectionParameterCount) + ")";

    private static void WriteRecurrentCall(IndentedWriter writer, LayerStep step, string dInputArgument)
    {
        LayerSpec layer = step.Layer;
        string units = Format.Int(layer.Units);
        string dStates = Gradient(step.States)!;
        string dOutput = Gradient(step.Output)!;
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

        writer.Line(layer.Identifier + "RecurrenceBackward(" + step.Input + ", " + Mask(layer) + Slice("parameters", layer, string.Empty) + ", "
            + step.States + ", " + dStates + ", " + dInputArgument + Slice("gradients", layer, string.Empty) + ", " + step.Name + "Transposed);");
    }

    private static void WriteBidirectionalCall(IndentedWriter writer, LayerStep step, string dInputArgument)
    {
        LayerSpec layer = step.Layer;
        string units = Format.Int(layer.Units);
        string dForward = Gradient(step.States)!;
        string dBackward = Gradient(step.BackwardStates)!;
        string dOutput = Gradient(step.Output)!;
        if (layer.OutputIsSequence)
        {
            writer.Line(layer.Identifier + "MergeBackward(" + step.States + ", " + step.BackwardStates + ", " + Mask(layer) + dOutput + ", " + dForward + ", " + dBackward + ");");
        }
        else
        {
            string forwardLast = "(steps - 1) * " + units;
            string dForwardLast = dForward + ".Slice(" + forwardLast + ", " + units + ")";
            string dBackwardLast = dBackward + ".Slice(0, " + units + ")";
            writer.Line("// The output merged the forward state after step steps - 1 with the backward state after step 0.");
            switch (layer.Merge)
            {
                case MergeKind.Concat:
                    writer.Line(dOutput + ".Slice(0, " + units + ").CopyTo(" + dForwardLast + ");");
                    writer.Line(dOutput + ".Slice(" + units + ", " + units + ").CopyTo(" + dBackwardLast + ");");
                    break;
                case MergeKind.Sum:
                    writer.Line(dOutput + ".CopyTo(" + dForwardLast + ");");
                    writer.Line(dOutput + ".CopyTo(" + dBackwardLast + ");");
                    break;
                case MergeKind.Mul:
                    writer.Line("TensorPrimitives.Multiply(" + dOutput + ", " + step.BackwardStates + ".Slice(0, " + units + "), " + dForwardLast + ");");
                    writer.Line("TensorPrimitives.Multiply(" + dOutput + ", " + step.States + ".Slice(" + forwardLast + ", " + units + "), " + dBackwardLast + ");");
                    break;
                case MergeKind.Ave:
                    writer.Line("TensorPrimitives.Multiply(" + dOutput + ", 0.5f, " + dForwardLast + ");");
                    writer.Line("TensorPrimitives.Multiply(" + dOutput + ", 0.5f, " + dBackwardLast + ");");
                    break;
            }
        }

        writer.Line(layer.Identifier + "RecurrenceBackward(" + step.Input + ", " + Mask(layer) + Slice("parameters", layer, "Forward") + ", backwards: false, "
            + step.States + ", " + dForward + ", " + dInputArgument + Slice("gradients", layer, "Forward") + ", " + step.Name + "Transposed);");
        writer.Line(layer.Identifier + "RecurrenceBackward(" + step.Input + ", " + Mask(layer) + Slice("parameters", layer, "Backward") + ", backwards: true, "
            + step.BackwardStates + ", " + dBackward + ", " + dInputArgument + Slice("gradients", layer, "Backward") + ", " + step.Name + "Transposed);");
    }

    private static void WriteEmbedding(IndentedWriter writer, LayerSpec layer)
    {
        writer.Line("/// <summary>");
        writer.Line("/// " + layer.KerasName + " backward: each step's gradient is added to its token's row of the embeddings gradient.");
        writer.Line("/// </summary>");
        using (writer.Block("private static void Backward" + layer.Identifier + "(ReadOnlySpan<int> tokens, ReadOnlySpan<float> dEmbedded, Span<float> gradients)"))
        {
            writer.Line("const int Dimension = " + Format.Int(layer.Units) + ";");
            writer.Line("Span<float> dEmbeddings = gradients.Slice(" + layer.Identifier + "EmbeddingsOffset, " + Format.Int(layer.InputWidth) + " * Dimension);");
            using (writer.Block("for (int t = 0; t < tokens.Length; t++)"))
            {
                writer.Line("Span<float> row = dEmbeddings.Slice(tokens[t] * Dimension, Dimension);");
                writer.Line("TensorPrimitives.Add(row, dEmbedded.Slice(t * Dimension, Dimension), row);");
            }
        }
    }

    private static string? DerivativeCall(ActivationKind activation, string output, string gradient) => activation switch
    {
        ActivationKind.Linear => null,
        _ => "Activations." + activation + "Backward(" + output + ", " + gradient + ");",
    };

    private static void WriteDense(IndentedWriter writer, LayerSpec layer, bool inputHasGradient)
    {
        writer.Line("/// <summary>");
        writer.Line("/// " + layer.KerasName + " backward, over its output rows (" + (layer.InputIsSequence ? "one per step" : "one") + "): dz = dy through the "
            + Format.Keras(layer.Activation) + " derivative (in place),");
        writer.Line("/// d(bias) += sum of dz, d(kernel) += xᵀ dz" + (inputHasGradient ? ", dx += dz · kernelᵀ." : "."));
        writer.Line("/// </summary>");
        string signature = "private void Backward" + layer.Identifier + "(ReadOnlySpan<float> inputs, ReadOnlySpan<float> outputs, Span<float> dOutputs, "
            + (inputHasGradient ? "Span<float> dInputs, " : string.Empty) + "Span<float> gradients)";
        using (writer.Block(signature))
        {
            writer.Line("const int InputWidth = " + Format.Int(layer.InputWidth) + ";");
            writer.Line("const int Units = " + Format.Int(layer.Units) + ";");
            if (inputHasGradient)
            {
                writer.Line("ReadOnlySpan<float> kernel = _parameters.AsSpan(" + layer.Identifier + "KernelOffset, InputWidth * Units);");
            }

            writer.Line("Span<float> dBias = gradients.Slice(" + layer.Identifier + "BiasOffset, Units);");
            using (writer.Block("for (int t = 0; t < outputs.Length / Units; t++)"))
            {
                writer.Line("Span<float> dz = dOutputs.Slice(t * Units, Units);");
                string? derivative = DerivativeCall(layer.Activation, "outputs.Slice(t * Units, Units)", "dz");
                if (derivative is not null)
                {
                    writer.Line(derivative);
                }

                writer.Line("TensorPrimitives.Add(dBias, dz, dBias);");
                if (inputHasGradient)
                {
                    writer.Line("LinearAlgebra.MultiplyAddTransposed(kernel, dz, dInputs.Slice(t * InputWidth, InputWidth));");
                }
            }

            writer.Line();
            writer.Line("LinearAlgebra.AddTransposedProduct(inputs, dOutputs, gradients.Slice(" + layer.Identifier + "KernelOffset, InputWidth * Units), Units);");
        }
    }

    /// <summary>Floats of scratch a recurrent layer's backward pass needs for transposed weights.</summary>
    public static int TransposedLength(LayerSpec layer, bool inputHasGradient) =>
        layer.Units * layer.Units + (inputHasGradient ? layer.InputWidth * layer.Units : 0);

    private static void WriteRecurrence(IndentedWriter writer, LayerSpec layer, bool inputHasGradient)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Backpropagation through time for " + (layer.Bidirectional ? "one direction of " : string.Empty) + layer.KerasName
            + ". dStates[t] arrives holding the gradient of h[t] from the layer's output;");
        writer.Line("/// walking the steps in reverse reading order turns it, in place, into da[t], the gradient of the pre-activation");
        writer.Line("/// a[t] = x[t] · kernel + h[previous] · recurrent_kernel + bias, and passes da[t] · recurrent_kernelᵀ back to h[previous].");
        writer.Line("/// Only that product is sequential: the weight" + (inputHasGradient ? " and input" : string.Empty) + " gradients are then matrix products over all steps.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"transposed\">Scratch for the transposed weights, " + Format.Int(TransposedLength(layer, inputHasGradient)) + " floats.</param>");
        string signature = "private static void " + layer.Identifier + "RecurrenceBackward(ReadOnlySpan<float> inputs, "
            + (layer.Masked ? "ReadOnlySpan<int> tokens, " : string.Empty)
            + "ReadOnlySpan<float> weights, " + (layer.Bidirectional ? "bool backwards, " : string.Empty)
            + "ReadOnlySpan<float> states, Span<float> dStates, " + (inputHasGradient ? "Span<float> dInputs, " : string.Empty)
            + "Span<float> dWeights, Span<float> transposed)";
        using (writer.Block(signature))
        {
            writer.Line("const int InputWidth = " + Format.Int(layer.InputWidth) + ";");
            writer.Line("const int Units = " + Format.Int(layer.Units) + ";");
            writer.Line("Span<float> dKernel = dWeights.Slice(0, InputWidth * Units);");
            writer.Line("Span<float> dRecurrentKernel = dWeights.Slice(InputWidth * Units, Units * Units);");
            writer.Line("Span<float> dBias = dWeights.Slice(InputWidth * Units + Units * Units, Units);");
            writer.Line("int steps = states.Length / Units;");
            writer.Line();
            writer.Line("// recurrent_kernelᵀ, so that passing a gradient back is a vector-matrix product like the forward step.");
            writer.Line("Span<float> recurrentKernelT = transposed.Slice(0, Units * Units);");
            writer.Line("LinearAlgebra.Transpose(weights.Slice(InputWidth * Units, Units * Units), Units, recurrentKernelT);");
            writer.Line();
            writer.Line("// Through time, last step read first.");
            using (writer.Block("for (int read = steps - 1; read >= 0; read--)"))
            {
                writer.Line(LayerEmitter.StepRead(layer));
                writer.Line(layer.Bidirectional ? "int previous = read == 0 ? -1 : backwards ? t + 1 : t - 1; // the step read before t"
                    : layer.GoBackwards ? "int previous = read == 0 ? -1 : t + 1; // the step read before t"
                    : "int previous = t - 1; // -1 before the first step");

                writer.Line("Span<float> dh = dStates.Slice(t * Units, Units);");
                if (layer.Masked)
                {
                    using (writer.Block("if (tokens[t] == 0)"))
                    {
                        writer.Line("// Padding: h[t] was h[previous], so its gradient passes straight back; the step has no pre-activation.");
                        using (writer.Block("if (previous >= 0)"))
                        {
                            writer.Line("Span<float> dPrevious = dStates.Slice(previous * Units, Units);");
                            writer.Line("TensorPrimitives.Add(dPrevious, dh, dPrevious);");
                        }

                        writer.Line();
                        writer.Line("dh.Clear();");
                        writer.Line("continue;");
                    }

                    writer.Line();
                }

                string? derivative = DerivativeCall(layer.Activation, "states.Slice(t * Units, Units)", "dh");
                if (derivative is not null)
                {
                    writer.Line(derivative + " // dh is now da[t]");
                }

                using (writer.Block("if (previous >= 0)"))
                {
                    writer.Line("LinearAlgebra.MultiplyAdd(dh, recurrentKernelT, dStates.Slice(previous * Units, Units));");
                }
            }

            writer.Line();
            writer.Line("// The weights, over all steps at once (padding steps have da = 0): d(bias) += sum of da[t],");
            writer.Line("// d(kernel) += xᵀ da, d(recurrent_kernel) += h[previous]ᵀ da, pairing each step with the state read before it.");
            using (writer.Block("for (int t = 0; t < steps; t++)"))
            {
                writer.Line("TensorPrimitives.Add(dBias, dStates.Slice(t * Units, Units), dBias);");
            }

            writer.Line();
            writer.Line("LinearAlgebra.AddTransposedProduct(inputs, dStates, dKernel, Units);");
            string forwardPairs = "LinearAlgebra.AddTransposedProduct(states.Slice(0, (steps - 1) * Units), dStates.Slice(Units), dRecurrentKernel, Units);";
            string backwardPairs = "LinearAlgebra.AddTransposedProduct(states.Slice(Units), dStates.Slice(0, (steps - 1) * Units), dRecurrentKernel, Units);";
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

            if (inputHasGradient)
            {
                writer.Line();
                writer.Line("// The input: dx[t] += da[t] · kernelᵀ.");
                writer.Line("Span<float> kernelT = transposed.Slice(Units * Units, InputWidth * Units);");
                writer.Line("LinearAlgebra.Transpose(weights.Slice(0, InputWidth * Units), InputWidth, kernelT);");
                using (writer.Block("for (int t = 0; t < steps; t++)"))
                {
                    writer.Line("LinearAlgebra.MultiplyAdd(dStates.Slice(t * Units, Units), kernelT, dInputs.Slice(t * InputWidth, InputWidth));");
                }
            }
        }
    }

    private static void WriteSequenceMerge(IndentedWriter writer, LayerSpec layer)
    {
        writer.Line("/// <summary>");
        writer.Line("/// " + layer.KerasName + " merge backward: splits the gradient of each merged step between the two directions.");
        if (layer.Masked)
        {
            writer.Line("/// Padding steps output zeros, so they pass no gradient.");
        }

        writer.Line("/// </summary>");
        using (writer.Block("private static void " + layer.Identifier + "MergeBackward(ReadOnlySpan<float> forward, ReadOnlySpan<float> backward, "
            + (layer.Masked ? "ReadOnlySpan<int> tokens, " : string.Empty) + "ReadOnlySpan<float> dOutput, Span<float> dForward, Span<float> dBackward)"))
        {
            writer.Line("const int Units = " + Format.Int(layer.Units) + ";");
            writer.Line("const int Width = " + Format.Int(layer.OutputWidth) + ";");
            using (writer.Block("for (int t = 0; t < forward.Length / Units; t++)"))
            {
                if (layer.Masked)
                {
                    using (writer.Block("if (tokens[t] == 0)"))
                    {
                        writer.Line("continue;");
                    }

                    writer.Line();
                }

                writer.Line("ReadOnlySpan<float> dMerged = dOutput.Slice(t * Width, Width);");
                writer.Line("Span<float> dForwardState = dForward.Slice(t * Units, Units);");
                writer.Line("Span<float> dBackwardState = dBackward.Slice(t * Units, Units);");
                switch (layer.Merge)
                {
                    case MergeKind.Concat:
                        writer.Line("dMerged.Slice(0, Units).CopyTo(dForwardState);");
                        writer.Line("dMerged.Slice(Units, Units).CopyTo(dBackwardState);");
                        break;
                    case MergeKind.Sum:
                        writer.Line("dMerged.CopyTo(dForwardState);");
                        writer.Line("dMerged.CopyTo(dBackwardState);");
                        break;
                    case MergeKind.Mul:
                        writer.Line("TensorPrimitives.Multiply(dMerged, backward.Slice(t * Units, Units), dForwardState);");
                        writer.Line("TensorPrimitives.Multiply(dMerged, forward.Slice(t * Units, Units), dBackwardState);");
                        break;
                    case MergeKind.Ave:
                        writer.Line("TensorPrimitives.Multiply(dMerged, 0.5f, dForwardState);");
                        writer.Line("TensorPrimitives.Multiply(dMerged, 0.5f, dBackwardState);");
                        break;
                }
            }
        }
    }
}
