using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace RnnDsl;

/// <summary>
/// Compares a Keras model config (<c>config.json</c> of a <c>.keras</c> archive: <c>{"class_name": "Sequential",
/// "config": {"layers": [{"class_name": "SimpleRNN", "config": {"units": 64, …}}, …]}}</c>, or a Functional model's)
/// with a model's <see cref="ModelArchitecture"/>. Layers are paired in order (Keras's layer names depend on what else
/// the session built); each setting the architecture lists is compared with the config's value.
/// </summary>
internal static class KerasConfig
{
    public static void Check(ModelArchitecture architecture, JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("config", out JsonElement model) || model.ValueKind != JsonValueKind.Object || !model.TryGetProperty("layers", out JsonElement layers) || layers.ValueKind != JsonValueKind.Array)
        {
            throw Errors.Invalid(source, "expected a model config with a \"layers\" list");
        }

        var theirs = layers.EnumerateArray().Where(l => ClassName(l) != "InputLayer").ToList();
        var ours = architecture.Where(l => l.ClassName != "InputLayer").ToList();
        JsonElement? input = layers.EnumerateArray().Cast<JsonElement?>().FirstOrDefault(l => ClassName(l!.Value) == "InputLayer");
        LayerConfig? ourInput = architecture.FirstOrDefault(l => l.ClassName == "InputLayer");
        if (input is JsonElement inputLayer && ourInput is not null)
        {
            Compare(ourInput, inputLayer, 0, source);
        }

        for (int i = 0; i < Math.Max(theirs.Count, ours.Count); i++)
        {
            if (i >= theirs.Count)
            {
                throw Errors.Invalid(source, $"the Keras model has {theirs.Count} layers; this model has {ours.Count}: layer {i + 1}, {ours[i]}, is not in the Keras model");
            }

            if (i >= ours.Count)
            {
                throw Errors.Invalid(source, $"the Keras model has {theirs.Count} layers; this model has {ours.Count}: layer {i + 1}, {ClassName(theirs[i])} {Name(theirs[i])}, is not in this model");
            }

            Compare(ours[i], theirs[i], i + 1, source);
        }
    }

    private static void Compare(LayerConfig ours, JsonElement theirs, int position, string source)
    {
        string where = $"layer {position} ({ours.Name}, Keras's {Name(theirs)})";
        string className = ClassName(theirs);
        if (className != ours.ClassName)
        {
            throw Errors.Invalid(source, $"{where}: the Keras model has a {className}; this model has a {ours.ClassName}");
        }

        JsonElement config = theirs.TryGetProperty("config", out JsonElement c) ? c : default;
        foreach (KeyValuePair<string, string> setting in ours.Settings)
        {
            if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty(setting.Key, out JsonElement value))
            {
                string text = Text(value);
                if (text != setting.Value)
                {
                    throw Errors.Invalid(source, $"{where}: the Keras model has {setting.Key} = {text}; this model has {setting.Key} = {setting.Value} ({ours.Describe()})");
                }
            }
        }

        if (ours.Layer is not null)
        {
            if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("layer", out JsonElement inner))
            {
                throw Errors.Invalid(source, $"{where}: the Keras config does not say which layer the {className} wraps");
            }

            Compare(ours.Layer, inner, position, source);
        }
    }

    private static string ClassName(JsonElement layer) =>
        layer.TryGetProperty("class_name", out JsonElement name) ? name.GetString() ?? string.Empty : string.Empty;

    private static string Name(JsonElement layer) =>
        layer.TryGetProperty("config", out JsonElement config) && config.TryGetProperty("name", out JsonElement name) ? name.GetString() ?? "?" : "?";

    /// <summary>A config value as <see cref="LayerConfig"/> writes it: <c>64</c>, <c>true</c>, <c>tanh</c>, <c>[null, 10, 1]</c>.</summary>
    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Number => value.TryGetInt64(out long whole) ? whole.ToString(CultureInfo.InvariantCulture) : value.GetRawText(),
        JsonValueKind.Array => "[" + string.Join(", ", value.EnumerateArray().Select(Text)) + "]",

        // An activation serialised as an object ({"class_name": "function", "config": "tanh"} in some Keras versions).
        JsonValueKind.Object when value.TryGetProperty("config", out JsonElement inner) && inner.ValueKind == JsonValueKind.String => inner.GetString()!,
        _ => value.GetRawText(),
    };
}
