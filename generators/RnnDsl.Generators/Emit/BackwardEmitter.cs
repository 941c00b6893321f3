using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// Writes each layer's part of the backward pass: the lines in <c>AccumulateGradients</c> that run it,
/// and the method that holds its loop, with the chain rule it applies in comments. Recurrent layers are
/// written by <see cref="RecurrenceEmitter"/>.
/// </summary>
internal static class BackwardEmitter
{
    /// <summary>The gradient twin of a span: <c>embedding</c> gives <c>dEmbedding</c>; the model's inputs have none.</summary>
    public static string? Gradient(string span) =>
        span is "tokens" or "inputs" ? null : "d" + char.ToUpperInvariant(span[0]) + span.Substring(1);

    public static void WriteCall(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        LayerSpec layer = step.Layer;
        writer.Line("// " + layer.KerasName + " (" + layer.KerasClassName + ")");
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
            case LayerKind.Recurrent:
                RecurrenceEmitter.WriteBackwardCall(writer, model, step, dInputArgument);
                break;
            case LayerKind.Dropout:
                if (dInput is null)
                {
                    writer.Line("// Its input is the model's: no gradient to pass on.");
                    break;
                }

                string dOutput = Gradient(step.Output)!;
                if (!step.Training)
                {
                    // Without dropout to apply (none in this model's training), the layer is the identity.
                    writer.Line(step.Output == step.Input
                        ? "// The identity: the next layer's input gradient is already this layer's."
                        : model.Names.TensorPrimitives + ".Add(" + dInput + ", " + dOutput + ", " + dInput + ");");
                    break;
                }

                using (writer.Block("if (training)"))
                {
                    writer.Line(model.Names.TensorPrimitives + ".MultiplyAdd(" + dOutput + ", " + step.DropoutMask + ", " + dInput + ", " + dInput + ");");
                }

                using (writer.Block("else"))
                {
                    writer.Line(model.Names.TensorPrimitives + ".Add(" + dInput + ", " + dOutput + ", " + dInput + ");");
                }

                break;
        }
    }

    public static void WriteMethods(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        bool inputHasGradient = InputHasGradient(model, layer);
        switch (layer.Kind)
        {
            case LayerKind.Embedding:
                WriteEmbedding(writer, model, layer);
                break;
            case LayerKind.Dense:
                WriteDense(writer, model, layer, inputHasGradient);
                break;
            case LayerKind.Recurrent:
                RecurrenceEmitter.WriteBackwardMethods(writer, model, layer, inputHasGradient);
                if (BatchTrainingEmitter.Used(model))
                {
                    writer.Line();
                    BatchTrainingEmitter.WriteRecurrenceBackward(writer, model, layer, inputHasGradient);
                }

                break;
        }
    }

    /// <summary>Every layer passes a gradient to its input, except the first layer after a real-valued Input.</summary>
    public static bool InputHasGradient(ModelSpec model, LayerSpec layer) =>
        !(model.Layers[0].Kind == LayerKind.Input && model.Layers.Count > 1 && model.Layers[1] == layer);

    private static void WriteEmbedding(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        RuntimeNames n = model.Names;
        WeightSpec embeddings = LayerEmitter.Weight(layer, WeightRole.Embeddings);
        writer.Line("/// <summary>");
        writer.Line("/// " + layer.KerasName + " backward: each step's gradient is added to its token's row of the embeddings gradient.");
        writer.Line("/// </summary>");
        using (writer.Block("private static void Backward" + layer.Identifier + "(" + n.ReadOnlySpan + "<int> tokens, " + n.ReadOnlySpan + "<float> dEmbedded, " + n.Span + "<float> gradients)"))
        {
            writer.Line("const int Dimension = " + Format.Int(layer.Units) + ";");
            writer.Line(n.Span + "<float> dEmbeddings = gradients.Slice(" + embeddings.ConstantName + ", " + embeddings.LengthExpression + ");");
            using (writer.Block("for (int t = 0; t < tokens.Length; t++)"))
            {
                writer.Line(n.Span + "<float> row = dEmbeddings.Slice(tokens[t] * Dimension, Dimension);");
                writer.Line(n.TensorPrimitives + ".Add(row, dEmbedded.Slice(t * Dimension, Dimension), row);");
            }
        }
    }

    private static void WriteDense(IndentedWriter writer, ModelSpec model, LayerSpec layer, bool inputHasGradient)
    {
        RuntimeNames n = model.Names;
        WeightSpec kernel = LayerEmitter.Weight(layer, WeightRole.Kernel);
        WeightSpec bias = LayerEmitter.Weight(layer, WeightRole.Bias);
        bool everyStep = layer.InputIsSequence;
        string? derivative = Format.DerivativeCall(n, layer.Activation, everyStep ? "outputs.Slice(t * Units, Units)" : "y", everyStep ? "dz" : "dy");
        writer.Line("/// <summary>");
        writer.Line("/// " + layer.KerasName + " backward" + (everyStep ? ", at every step" : string.Empty) + ": dz = dy"
            + (derivative is null ? " (linear)" : " through the " + Format.Keras(layer.Activation) + " derivative (in place)") + ",");
        writer.Line("/// d(bias) += " + (everyStep ? "sum of dz" : "dz") + ", d(kernel) += xᵀ dz" + (inputHasGradient ? ", dx += dz · kernelᵀ." : "."));
        writer.Line("/// </summary>");
        string signature = everyStep
            ? "private void Backward" + layer.Identifier + "(" + n.ReadOnlySpan + "<float> inputs, " + n.ReadOnlySpan + "<float> outputs, " + n.Span + "<float> dOutputs, "
                + (inputHasGradient ? n.Span + "<float> dInputs, " : string.Empty) + n.Span + "<float> gradients)"
            : "private void Backward" + layer.Identifier + "(" + n.ReadOnlySpan + "<float> x, " + n.ReadOnlySpan + "<float> y, " + n.Span + "<float> dy, "
                + (inputHasGradient ? n.Span + "<float> dx, " : string.Empty) + n.Span + "<float> gradients)";
        using (writer.Block(signature))
        {
            writer.Line("const int InputWidth = " + Format.Int(layer.InputWidth) + ";");
            writer.Line("const int Units = " + Format.Int(layer.Units) + ";");
            if (inputHasGradient)
            {
                writer.Line(n.ReadOnlySpan + "<float> kernel = _parameters.AsSpan(" + kernel.ConstantName + ", " + kernel.LengthExpression + ");");
            }

            writer.Line(n.Span + "<float> dBias = gradients.Slice(" + bias.ConstantName + ", " + bias.LengthExpression + ");");
            if (everyStep)
            {
                using (writer.Block("for (int t = 0; t < outputs.Length / Units; t++)"))
                {
                    writer.Line(n.Span + "<float> dz = dOutputs.Slice(t * Units, Units);");
                    if (derivative is not null)
                    {
                        writer.Line(derivative);
                    }

                    writer.Line(n.TensorPrimitives + ".Add(dBias, dz, dBias);");
                    if (inputHasGradient)
                    {
                        writer.Line(n.LinearAlgebra + ".MultiplyAddTransposed(kernel, dz, dInputs.Slice(t * InputWidth, InputWidth));");
                    }
                }

                writer.Line();
                writer.Line(n.LinearAlgebra + ".AddTransposedProduct(inputs, dOutputs, gradients.Slice(" + kernel.ConstantName + ", " + kernel.LengthExpression + "), Units);");
            }
            else
            {
                if (derivative is not null)
                {
                    writer.Line(derivative + " // dy is now dz");
                }

                writer.Line(n.TensorPrimitives + ".Add(dBias, dy, dBias);");
                if (inputHasGradient)
                {
                    writer.Line(n.LinearAlgebra + ".MultiplyAddTransposed(kernel, dy, dx);");
                }

                writer.Line(n.LinearAlgebra + ".AddTransposedProduct(x, dy, gradients.Slice(" + kernel.ConstantName + ", " + kernel.LengthExpression + "), Units);");
            }
        }
    }
}
