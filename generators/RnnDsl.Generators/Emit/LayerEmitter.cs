using System.Linq;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// Writes each layer's part of the forward pass: the lines in <c>Forward</c> that run it, and the
/// method that holds its loop, with its Keras name, shapes and equation in comments. Recurrent layers
/// are written by <see cref="RecurrenceEmitter"/>.
/// </summary>
internal static class LayerEmitter
{
    /// <summary>The lines in <c>Forward</c> that run one layer.</summary>
    public static void WriteCall(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        LayerSpec layer = step.Layer;
        writer.Line("// " + layer.KerasName + " (" + layer.KerasClassName + "): output "
            + Format.Shape(layer.OutputIsSequence, model.MaxSteps, layer.OutputWidth));
        switch (layer.Kind)
        {
            case LayerKind.Embedding:
                writer.Line("Run" + layer.Identifier + "(tokens, " + step.Output + ");");
                break;
            case LayerKind.Dense:
                writer.Line("Run" + layer.Identifier + "(" + step.Input + ", " + step.Output + ");");
                break;
            case LayerKind.Recurrent:
                RecurrenceEmitter.WriteCall(writer, model, step);
                break;
            case LayerKind.Dropout:
                WriteDropoutCall(writer, model, step);
                break;
        }
    }

    /// <summary>A Dropout layer: the identity outside training; while training, each value times its mask.</summary>
    private static void WriteDropoutCall(IndentedWriter writer, ModelSpec model, LayerStep step)
    {
        RuntimeNames n = model.Names;
        if (!step.Training)
        {
            writer.Line(step.Output == step.Input
                ? "// Dropout drops values only while training; here the next layer reads its input."
                : step.Input + ".CopyTo(" + step.Output + "); // dropout drops values only while training");
            return;
        }

        writer.Line("// While training: each value kept with probability 1 - " + Text.Float(step.Layer.DropoutRate) + " and scaled by 1 / (1 - rate), a new mask for every value.");
        using (writer.Block("if (training)"))
        {
            writer.Line(n.DropoutMasks + ".Fill(" + step.DropoutMask + ", " + Text.FloatLiteral(step.Layer.DropoutRate) + ", ref dropoutState);");
            writer.Line(n.TensorPrimitives + ".Multiply(" + step.Input + ", " + step.DropoutMask + ", " + step.Output + ");");
        }

        using (writer.Block("else"))
        {
            writer.Line(step.Input + ".CopyTo(" + step.Output + ");");
        }
    }

    /// <summary>The method that holds one layer's work.</summary>
    public static void WriteMethods(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        switch (layer.Kind)
        {
            case LayerKind.Embedding:
                WriteEmbedding(writer, model, layer);
                break;
            case LayerKind.Dense:
                WriteDense(writer, model, layer);
                break;
            case LayerKind.Recurrent:
                RecurrenceEmitter.WriteMethods(writer, model, layer);
                if (BatchEmitter.Batches(layer))
                {
                    writer.Line();
                    BatchEmitter.WriteRecurrence(writer, model, layer);
                }

                break;
        }
    }

    /// <summary>The weight of <paramref name="layer"/> in <paramref name="role"/>.</summary>
    public static WeightSpec Weight(LayerSpec layer, WeightRole role) => layer.Weights.First(w => w.Role == role);

    private static void WriteEmbedding(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        RuntimeNames n = model.Names;
        WeightSpec embeddings = Weight(layer, WeightRole.Embeddings);
        writer.Line("/// <summary>");
        writer.Line("/// " + layer.KerasName + " (Embedding): each token's row of the " + embeddings.ShapeText
            + " table, <c>embedded[t] = embeddings[tokens[t]]</c>.");
        if (layer.Masked)
        {
            writer.Line("/// Token 0 is padding (<c>mask_zero=True</c>): its row is looked up like any other, and the recurrent layers skip it.");
        }

        writer.Line("/// </summary>");
        using (writer.Block("private void Run" + layer.Identifier + "(" + n.ReadOnlySpan + "<int> tokens, " + n.Span + "<float> embedded)"))
        {
            writer.Line("const int Dimension = " + Format.Int(layer.Units) + ";");
            writer.Line(n.ReadOnlySpan + "<float> embeddings = _parameters.AsSpan(" + embeddings.ConstantName + ", " + embeddings.LengthExpression + ");");
            using (writer.Block("for (int t = 0; t < tokens.Length; t++)"))
            {
                writer.Line("embeddings.Slice(tokens[t] * Dimension, Dimension).CopyTo(embedded.Slice(t * Dimension, Dimension));");
            }
        }
    }

    private static void WriteDense(IndentedWriter writer, ModelSpec model, LayerSpec layer)
    {
        RuntimeNames n = model.Names;
        WeightSpec kernel = Weight(layer, WeightRole.Kernel);
        WeightSpec bias = Weight(layer, WeightRole.Bias);
        string activation = Format.Keras(layer.Activation);
        string equation = layer.Activation == ActivationKind.Linear ? "x · kernel + bias" : activation + "(x · kernel + bias)";
        writer.Line("/// <summary>");
        writer.Line("/// " + layer.KerasName + " (Dense, " + Format.Units(layer.Units) + "): <c>y = " + equation + "</c>, x [" + Format.Int(layer.InputWidth)
            + "] to y [" + Format.Int(layer.Units) + "]" + (layer.InputIsSequence ? ", at every step." : "."));
        writer.Line("/// </summary>");
        string? activate = Format.ActivationCall(n, layer.Activation, "y");
        string signature = layer.InputIsSequence
            ? "private void Run" + layer.Identifier + "(" + n.ReadOnlySpan + "<float> inputs, " + n.Span + "<float> outputs)"
            : "private void Run" + layer.Identifier + "(" + n.ReadOnlySpan + "<float> x, " + n.Span + "<float> y)";
        using (writer.Block(signature))
        {
            writer.Line("const int InputWidth = " + Format.Int(layer.InputWidth) + ";");
            writer.Line("const int Units = " + Format.Int(layer.Units) + ";");
            writer.Line(n.ReadOnlySpan + "<float> kernel = _parameters.AsSpan(" + kernel.ConstantName + ", " + kernel.LengthExpression + ");");
            writer.Line(n.ReadOnlySpan + "<float> bias = _parameters.AsSpan(" + bias.ConstantName + ", " + bias.LengthExpression + ");");
            if (layer.InputIsSequence)
            {
                using (writer.Block("for (int t = 0; t < outputs.Length / Units; t++)"))
                {
                    writer.Line(n.ReadOnlySpan + "<float> x = inputs.Slice(t * InputWidth, InputWidth);");
                    writer.Line(n.Span + "<float> y = outputs.Slice(t * Units, Units);");
                    WriteDenseBody(writer, model, layer, activate);
                }
            }
            else
            {
                WriteDenseBody(writer, model, layer, activate);
            }
        }
    }

    private static void WriteDenseBody(IndentedWriter writer, ModelSpec model, LayerSpec layer, string? activate)
    {
        if (layer.Units == 1)
        {
            writer.Line("y[0] = bias[0] + " + model.Names.TensorPrimitives + ".Dot(x, kernel); // one unit: the kernel is a column");
        }
        else
        {
            writer.Line("bias.CopyTo(y);");
            writer.Line(model.Names.LinearAlgebra + ".MultiplyAdd(x, kernel, y);");
        }

        if (activate is not null)
        {
            writer.Line(activate);
        }
    }
}
