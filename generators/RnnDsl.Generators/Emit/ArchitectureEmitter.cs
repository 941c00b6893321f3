using System.Linq;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// Writes the model's architecture as Keras configures it (layer names, classes and the settings that decide what
/// each computes), which weight files record and are checked against.
/// </summary>
internal static class ArchitectureEmitter
{
    public static void Write(IndentedWriter writer, ModelSpec model)
    {
        RuntimeNames n = model.Names;
        writer.Line("/// <summary>The layers as Keras configures them: what weight files are checked against.</summary>");
        writer.Line("public " + n.ModelArchitecture + " Architecture => ArchitectureDescription;");
        writer.Line();
        writer.Line("private static readonly " + n.ModelArchitecture + " ArchitectureDescription = new(");
        using (writer.Indent())
        {
            for (int i = 0; i < model.Layers.Count; i++)
            {
                writer.Line(Layer(model, model.Layers[i]) + (i == model.Layers.Count - 1 ? ");" : ","));
            }
        }
    }

    private static string Layer(ModelSpec model, LayerSpec layer)
    {
        string config = model.Names.LayerConfig;
        string New(string name, string className, params string[] settings) =>
            "new " + config + "(" + string.Join(", ", new[] { Format.Literal(name), Format.Literal(className) }.Concat(settings.Select(Format.Literal))) + ")";

        switch (layer.Kind)
        {
            case LayerKind.Embedding:
                return New(layer.KerasName, layer.KerasClassName, "input_dim=" + Format.Int(layer.InputWidth), "output_dim=" + Format.Int(layer.Units), "mask_zero=" + Bool(model.Mask.IsMasked));
            case LayerKind.Input:
                return New(layer.KerasName, layer.KerasClassName, "batch_shape=[null, " + (model.MaxSteps == 0 ? "null" : Format.Int(model.MaxSteps)) + ", " + Format.Int(model.Features) + "]");
            case LayerKind.Dropout:
                return New(layer.KerasName, layer.KerasClassName); // its rate changes training only, not the weights or what they compute
            case LayerKind.Recurrent:
                string cell = New(layer.WrappedKerasName, layer.Cell!.KerasClassName,
                    new[]
                    {
                        "units=" + Format.Int(layer.Units), "activation=" + Format.Keras(layer.Activation), "use_bias=true",
                        "return_sequences=" + Bool(layer.OutputIsSequence), "go_backwards=" + Bool(layer.GoBackwards),
                    }.Concat(layer.Cell.Settings).ToArray());
                return layer.Bidirectional
                    ? "new " + config + "(" + Format.Literal(layer.KerasName) + ", " + Format.Literal(layer.KerasClassName) + ", " + cell + ", " + Format.Literal("merge_mode=" + layer.Merge.ToString().ToLowerInvariant()) + ")"
                    : cell;
            default:
                return New(layer.KerasName, layer.KerasClassName, "units=" + Format.Int(layer.Units), "activation=" + Format.Keras(layer.Activation), "use_bias=true");
        }
    }

    private static string Bool(bool value) => value ? "true" : "false";
}
