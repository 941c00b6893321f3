using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// Writes each layer's part of the forward pass: the lines in <c>Forward</c> that run it, and the
/// method that holds its loop, with its Keras name, shapes and equation in comments.
/// </summary>
internal static class LayerEmitter
{
    /// <summary>The lines in <c>Forward</c> that run one layer.</summary>
    public static void WriteCall(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        LayerSpec layer = step.Layer;
        writer.Line("// " + layer.KerasName + " (" + SummaryEmitter.KerasClassName(layer) + "): output "
            + Format.Shape(layer.OutputIsSequence, model.MaxSteps, layer.OutputWidth));
        switch (layer.Kind)
        {
            case LayerKind.Embedding:
                writer.Line("Run" + layer.Identifier + "(tokens, " + step.Output + ");");
                break;
            case LayerKind.Dense:
                writer.Line("Run" + layer.Identifier + "(" + step.Input + ", " + step.Output + ");");
                break;
            case LayerKind.SimpleRnn when layer.Bidirectional:
                WriteBidirectionalCall(writer, step);
                break;
            case LayerKind.SimpleRnn:
                WriteRecurrentCall(writer, step);
                break;
        }
    }

    /// <summary>The method that holds one layer's work.</summary>
    public static void WriteMethods(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        switch (layer.Kind)
        {
            case LayerKind.Embedding:
                WriteEmbedding(writer, layer);
                break;
            case LayerKind.Dense:
                WriteDense(writer, layer);
                break;
            case LayerKind.SimpleRnn:
                WriteRecurrence(writer, layer);
                if (layer.Bidirectional && layer.OutputIsSequence)
                {
                    writer.Line();
                    WriteSequenceMerge(writer, layer);
                }

                break;
        }
    }

    private static string Mask(LayerSpec layer) => layer.Masked ? "tokens, " : string.Empty;

    private static string WeightsSlice(LayerSpec layer, string direction) =>
        "parameters.Slice(" + layer.Identifier + direction + "KernelOffset, " + Format.Int(layer.DirectionParameterCount) + ")";

    private static void WriteRecurrentCall(IndentedWriter writer, LayerStep step)
    {
        LayerSpec layer = step.Layer;
        string units = Format.Int(layer.Units);
        writer.Line(layer.Identifier + "Recurrence(" + step.Input + ", " + Mask(layer) + WeightsSlice(layer, string.Empty) + ", " + step.States + ");");
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

    private static void WriteBidirectionalCall(IndentedWriter writer, LayerStep step)
    {
        LayerSpec layer = step.Layer;
        string units = Format.Int(layer.Units);
        writer.Line(layer.Identifier + "Recurrence(" + step.Input + ", " + Mask(layer) + WeightsSlice(layer, "Forward") + ", backwards: false, " + step.States + ");");
        writer.Line(layer.Identifier + "Recurrence(" + step.Input + ", " + Mask(layer) + WeightsSlice(layer, "Backward") + ", backwards: true, " + step.BackwardStates + ");");
        if (layer.OutputIsSequence)
        {
            writer.Line(layer.Identifier + "Merge(" + step.States + ", " + step.BackwardStates + ", " + Mask(layer) + step.Output + ");");
            return;
        }

        string forward = step.States + ".Slice((steps - 1) * " + units + ", " + units + ")";
        string backward = step.BackwardStates + ".Slice(0, " + units + ")";
        writer.Line("// Merge the forward state after step steps - 1 with the backward state after step 0.");
        switch (layer.Merge)
        {
            case MergeKind.Concat:
                writer.Line(forward + ".CopyTo(" + step.Output + ");");
                writer.Line(backward + ".CopyTo(" + step.Output + ".Slice(" + units + "));");
                break;
            case MergeKind.Sum:
                writer.Line("TensorPrimitives.Add(" + forward + ", " + backward + ", " + step.Output + ");");
                break;
            case MergeKind.Mul:
                writer.Line("TensorPrimitives.Multiply(" + forward + ", " + backward + ", " + step.Output + ");");
                break;
            case MergeKind.Ave:
                writer.Line("TensorPrimitives.Add(" + forward + ", " + backward + ", " + step.Output + ");");
                writer.Line("TensorPrimitives.Multiply(" + step.Output + ", 0.5f, " + step.Output + ");");
                break;
        }
    }

    private static void WriteEmbedding(IndentedWriter writer, LayerSpec layer)
    {
        writer.Line("/// <summary>");
        writer.Line("/// " + layer.KerasName + " (Embedding): each token's row of the [" + Format.Int(layer.InputWidth) + ", " + Format.Int(layer.Units)
            + "] table, <c>embedded[t] = embeddings[tokens[t]]</c>.");
        if (layer.Masked)
        {
            writer.Line("/// Token 0 is padding (<c>mask_zero=True</c>): its row is looked up like any other, and the recurrent layers skip it.");
        }

        writer.Line("/// </summary>");
        using (writer.Block("private void Run" + layer.Identifier + "(ReadOnlySpan<int> tokens, Span<float> embedded)"))
        {
            writer.Line("const int Dimension = " + Format.Int(layer.Units) + ";");
            writer.Line("ReadOnlySpan<float> embeddings = _parameters.AsSpan(" + layer.Identifier + "EmbeddingsOffset, " + Format.Int(layer.InputWidth) + " * Dimension);");
            using (writer.Block("for (int t = 0; t < tokens.Length; t++)"))
            {
                writer.Line("embeddings.Slice(tokens[t] * Dimension, Dimension).CopyTo(embedded.Slice(t * Dimension, Dimension));");
            }
        }
    }

    private static void WriteRecurrence(IndentedWriter writer, LayerSpec layer)
    {
        string activation = Format.Keras(layer.Activation);
        writer.Line("/// <summary>");
        writer.Line(layer.Bidirectional
            ? "/// One direction of " + layer.KerasName + " (Bidirectional SimpleRNN, " + Format.Units(layer.Units) + ") over a whole sequence:"
            : "/// " + layer.KerasName + " (SimpleRNN, " + Format.Units(layer.Units) + ") over a whole sequence" + (layer.GoBackwards ? ", last step first (go_backwards):" : ":"));
        writer.Line("/// <c>h[t] = " + activation + "(x[t] · kernel + h[previous] · recurrent_kernel + bias)</c>, with h = 0 before the first step read.");
        if (layer.Masked)
        {
            writer.Line("/// A padding step (token 0) is skipped: its state is the previous one, unchanged.");
        }

        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"inputs\">x, [steps, " + Format.Int(layer.InputWidth) + "].</param>");
        if (layer.Masked)
        {
            writer.Line("/// <param name=\"tokens\">The token ids, for the padding mask.</param>");
        }

        writer.Line("/// <param name=\"weights\">kernel [" + Format.Int(layer.InputWidth) + ", " + Format.Int(layer.Units) + "], recurrent_kernel ["
            + Format.Int(layer.Units) + ", " + Format.Int(layer.Units) + "] and bias [" + Format.Int(layer.Units) + "], back to back.</param>");
        if (layer.Bidirectional)
        {
            writer.Line("/// <param name=\"backwards\">Read t from steps - 1 down to 0 (the backward layer) instead of up from 0.</param>");
        }

        writer.Line("/// <param name=\"states\">Receives h[t] for every step t, [steps, " + Format.Int(layer.Units) + "], in input order.</param>");
        string signature = "private static void " + layer.Identifier + "Recurrence(ReadOnlySpan<float> inputs, "
            + (layer.Masked ? "ReadOnlySpan<int> tokens, " : string.Empty)
            + "ReadOnlySpan<float> weights, " + (layer.Bidirectional ? "bool backwards, " : string.Empty) + "Span<float> states)";
        using (writer.Block(signature))
        {
            writer.Line("const int InputWidth = " + Format.Int(layer.InputWidth) + ";");
            writer.Line("const int Units = " + Format.Int(layer.Units) + ";");
            writer.Line("ReadOnlySpan<float> kernel = weights.Slice(0, InputWidth * Units);");
            writer.Line("ReadOnlySpan<float> recurrentKernel = weights.Slice(InputWidth * Units, Units * Units);");
            writer.Line("ReadOnlySpan<float> bias = weights.Slice(InputWidth * Units + Units * Units, Units);");
            writer.Line("int steps = states.Length / Units;");
            writer.Line();
            writer.Line("// The input projection of every step at once: states[t] = x[t] · kernel + bias.");
            using (writer.Block("for (int t = 0; t < steps; t++)"))
            {
                writer.Line("Span<float> state = states.Slice(t * Units, Units);");
                writer.Line("bias.CopyTo(state);");
                writer.Line("LinearAlgebra.MultiplyAdd(inputs.Slice(t * InputWidth, InputWidth), kernel, state);");
            }

            writer.Line();
            writer.Line("// The recurrence, in reading order: states[t] = " + activation + "(states[t] + h[previous] · recurrent_kernel).");
            writer.Line("Span<float> previous = Span<float>.Empty; // h before the first step read is 0");
            using (writer.Block("for (int read = 0; read < steps; read++)"))
            {
                writer.Line(StepRead(layer));
                writer.Line("Span<float> state = states.Slice(t * Units, Units);");
                string? activate = Format.ActivationCall(layer.Activation, "state");
                if (layer.Masked)
                {
                    using (writer.Block("if (tokens[t] == 0)"))
                    {
                        writer.Line("// Padding: the state carries over unchanged.");
                        using (writer.Block("if (previous.IsEmpty)"))
                        {
                            writer.Line("state.Clear();");
                        }

                        using (writer.Block("else"))
                        {
                            writer.Line("previous.CopyTo(state);");
                        }
                    }

                    using (writer.Block("else"))
                    {
                        WriteStep(writer, activate);
                    }
                }
                else
                {
                    WriteStep(writer, activate);
                }

                writer.Line();
                writer.Line("previous = state;");
            }
        }
    }

    /// <summary>
    /// The declaration of <c>t</c>, the step a recurrent layer reads <c>read</c>-th: forwards, last step first
    /// (go_backwards), or either, chosen by <c>backwards</c>, for one direction of a Bidirectional layer.
    /// </summary>
    public static string StepRead(LayerSpec layer) =>
        layer.Bidirectional ? "int t = backwards ? steps - 1 - read : read;"
        : layer.GoBackwards ? "int t = steps - 1 - read;"
        : "int t = read;";

    private static void WriteStep(IndentedWriter writer, string? activate)
    {
        using (writer.Block("if (!previous.IsEmpty)"))
        {
            writer.Line("LinearAlgebra.MultiplyAdd(previous, recurrentKernel, state);");
        }

        if (activate is not null)
        {
            writer.Line();
            writer.Line(activate);
        }
    }

    private static void WriteSequenceMerge(IndentedWriter writer, LayerSpec layer)
    {
        string units = Format.Int(layer.Units);
        string rule = layer.Merge switch
        {
            MergeKind.Concat => "[forward[t], backward[t]]",
            MergeKind.Sum => "forward[t] + backward[t]",
            MergeKind.Mul => "forward[t] * backward[t]",
            _ => "(forward[t] + backward[t]) / 2",
        };
        writer.Line("/// <summary>");
        writer.Line("/// Merges " + layer.KerasName + "'s directions step by step (merge_mode=\"" + layer.Merge.ToString().ToLowerInvariant() + "\"): <c>output[t] = " + rule + "</c>,");
        writer.Line("/// where backward[t] is the backward state after reading steps - 1 down to t, so both are aligned in time.");
        if (layer.Masked)
        {
            writer.Line("/// A padding step outputs zeros, as Keras Bidirectional does with return_sequences.");
        }

        writer.Line("/// </summary>");
        using (writer.Block("private static void " + layer.Identifier + "Merge(ReadOnlySpan<float> forward, ReadOnlySpan<float> backward, "
            + (layer.Masked ? "ReadOnlySpan<int> tokens, " : string.Empty) + "Span<float> output)"))
        {
            writer.Line("const int Units = " + units + ";");
            writer.Line("const int Width = " + Format.Int(layer.OutputWidth) + ";");
            using (writer.Block("for (int t = 0; t < forward.Length / Units; t++)"))
            {
                writer.Line("Span<float> merged = output.Slice(t * Width, Width);");
                if (layer.Masked)
                {
                    using (writer.Block("if (tokens[t] == 0)"))
                    {
                        writer.Line("merged.Clear();");
                        writer.Line("continue;");
                    }

                    writer.Line();
                }

                writer.Line("ReadOnlySpan<float> forwardState = forward.Slice(t * Units, Units);");
                writer.Line("ReadOnlySpan<float> backwardState = backward.Slice(t * Units, Units);");
                switch (layer.Merge)
                {
                    case MergeKind.Concat:
                        writer.Line("forwardState.CopyTo(merged);");
                        writer.Line("backwardState.CopyTo(merged.Slice(Units));");
                        break;
                    case MergeKind.Sum:
                        writer.Line("TensorPrimitives.Add(forwardState, backwardState, merged);");
                        break;
                    case MergeKind.Mul:
                        writer.Line("TensorPrimitives.Multiply(forwardState, backwardState, merged);");
                        break;
                    case MergeKind.Ave:
                        writer.Line("TensorPrimitives.Add(forwardState, backwardState, merged);");
                        writer.Line("TensorPrimitives.Multiply(merged, 0.5f, merged);");
                        break;
                }
            }
        }
    }

    private static void WriteDense(IndentedWriter writer, LayerSpec layer)
    {
        string activation = Format.Keras(layer.Activation);
        string equation = layer.Activation == ActivationKind.Linear ? "x · kernel + bias" : activation + "(x · kernel + bias)";
        writer.Line("/// <summary>");
        writer.Line("/// " + layer.KerasName + " (Dense, " + Format.Units(layer.Units) + "): <c>y = " + equation + "</c>, x [" + Format.Int(layer.InputWidth)
            + "] to y [" + Format.Int(layer.Units) + "]" + (layer.InputIsSequence ? ", at every step." : "."));
        writer.Line("/// </summary>");
        string? activate = Format.ActivationCall(layer.Activation, "y");
        string signature = layer.InputIsSequence
            ? "private void Run" + layer.Identifier + "(ReadOnlySpan<float> inputs, Span<float> outputs)"
            : "private void Run" + layer.Identifier + "(ReadOnlySpan<float> x, Span<float> y)";
        using (writer.Block(signature))
        {
            writer.Line("const int InputWidth = " + Format.Int(layer.InputWidth) + ";");
            writer.Line("const int Units = " + Format.Int(layer.Units) + ";");
            writer.Line("ReadOnlySpan<float> kernel = _parameters.AsSpan(" + layer.Identifier + "KernelOffset, InputWidth * Units);");
            writer.Line("ReadOnlySpan<float> bias = _parameters.AsSpan(" + layer.Identifier + "BiasOffset, Units);");
            if (layer.InputIsSequence)
            {
                using (writer.Block("for (int t = 0; t < outputs.Length / Units; t++)"))
                {
                    writer.Line("ReadOnlySpan<float> x = inputs.Slice(t * InputWidth, InputWidth);");
                    writer.Line("Span<float> y = outputs.Slice(t * Units, Units);");
                    WriteDenseBody(writer, layer, activate);
                }
            }
            else
            {
                WriteDenseBody(writer, layer, activate);
            }
        }
    }

    private static void WriteDenseBody(IndentedWriter writer, LayerSpec layer, string? activate)
    {
        if (layer.Units == 1)
        {
            writer.Line("y[0] = bias[0] + TensorPrimitives.Dot(x, kernel); // one unit: the kernel is a column");
        }
        else
        {
            writer.Line("bias.CopyTo(y);");
            writer.Line("LinearAlgebra.MultiplyAdd(x, kernel, y);");
        }

        if (activate is not null)
        {
            writer.Line(activate);
        }
    }
}
