using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// The Keras 3 <c>model.summary()</c> table, computed once at build time: the model's shapes and sizes
/// are constants, so the table is too.
/// </summary>
internal static class SummaryEmitter
{
    private const int NameWidth = 31;
    private const int ShapeWidth = 22;
    private const int ParamWidth = 13;

    public static string Text(ModelSpec model)
    {
        var rows = new List<(string Name, string Shape, string Params)>();
        foreach (LayerSpec layer in model.Layers)
        {
            if (layer.Kind == LayerKind.Input)
            {
                continue; // a Sequential model's summary does not list its InputLayer
            }

            rows.Add((layer.KerasName + " (" + layer.KerasClassName + ")",
                Format.Shape(layer.OutputIsSequence, model.MaxSteps, layer.OutputWidth),
                Format.Thousands(layer.ParameterCount)));
        }

        int nameWidth = Math.Max(NameWidth, rows.Max(r => r.Name.Length));
        int shapeWidth = Math.Max(ShapeWidth, rows.Max(r => r.Shape.Length));
        int paramWidth = Math.Max(ParamWidth, rows.Max(r => r.Params.Length));
        string Rule(char left, char fill, char join, char right) =>
            left + new string(fill, nameWidth + 2) + join + new string(fill, shapeWidth + 2) + join + new string(fill, paramWidth + 2) + right;
        string Row(char bar, string name, string shape, string parameters) =>
            bar + " " + name.PadRight(nameWidth) + " " + bar + " " + shape.PadRight(shapeWidth) + " " + bar + " " + parameters.PadLeft(paramWidth) + " " + bar;

        var text = new StringBuilder();
        text.Append("Model: \"").Append(model.ClassName).Append("\"\n");
        text.Append(Rule('┏', '━', '┳', '┓')).Append('\n');
        text.Append(Row('┃', "Layer (type)", "Output Shape", "Param #")).Append('\n');
        text.Append(Rule('┡', '━', '╇', '┩')).Append('\n');
        for (int i = 0; i < rows.Count; i++)
        {
            if (i > 0)
            {
                text.Append(Rule('├', '─', '┼', '┤')).Append('\n');
            }

            text.Append(Row('│', rows[i].Name, rows[i].Shape, rows[i].Params)).Append('\n');
        }

        text.Append(Rule('└', '─', '┴', '┘')).Append('\n');
        long total = model.ParameterCount;
        text.Append(" Total params: ").Append(Format.Thousands(total)).Append(" (").Append(MemorySize(total * 4)).Append(")\n");
        text.Append(" Trainable params: ").Append(Format.Thousands(total)).Append(" (").Append(MemorySize(total * 4)).Append(")\n");
        text.Append(" Non-trainable params: 0 (0.00 B)\n");
        return text.ToString();
    }

    /// <summary>Keras <c>readable_memory_size</c>: powers of 1024, two decimals.</summary>
    public static string MemorySize(long bytes)
    {
        string[] units = { "B", "KB", "MB", "GB", "TB" };
        double size = bytes;
        int unit = 0;
        while (size >= 1024 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return size.ToString("0.00", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
