using System;
using System.Collections;
using System.Collections.Generic;
using System.Text;

namespace RnnDsl;

/// <summary>
/// One layer as Keras configures it: its name, its Keras class and the settings that decide what it computes
/// (the keys of its Keras <c>get_config()</c>, such as <c>units</c>, <c>activation</c>, <c>mask_zero</c>).
/// Weight files are checked against it, so a file for another model is refused with the layer that differs.
/// </summary>
public sealed class LayerConfig
{
    private readonly KeyValuePair<string, string>[] _settings;

    /// <summary>Describes a layer; each setting is written <c>key=value</c>, as Keras's config would give it (<c>units=64</c>, <c>activation=tanh</c>).</summary>
    public LayerConfig(string name, string className, params string[] settings)
        : this(name, className, null, settings)
    {
    }

    /// <summary>Describes a wrapper layer (Keras <c>Bidirectional</c>) around <paramref name="layer"/>.</summary>
    public LayerConfig(string name, string className, LayerConfig? layer, params string[] settings)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(className);
        ArgumentNullException.ThrowIfNull(settings);
        Name = name;
        ClassName = className;
        Layer = layer;
        _settings = new KeyValuePair<string, string>[settings.Length];
        for (int i = 0; i < settings.Length; i++)
        {
            int equals = settings[i].IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"Setting {i} of {name}, \"{settings[i]}\", is not written key=value.", nameof(settings));
            }

            _settings[i] = new KeyValuePair<string, string>(settings[i][..equals], settings[i][(equals + 1)..]);
        }
    }

    /// <summary>The Keras layer name, as <c>Summary()</c> shows it.</summary>
    public string Name { get; }

    /// <summary>The Keras class name: <c>Embedding</c>, <c>SimpleRNN</c>, <c>Bidirectional</c>, <c>Dense</c>, <c>InputLayer</c>.</summary>
    public string ClassName { get; }

    /// <summary>The wrapped layer of a <c>Bidirectional</c> layer; null otherwise.</summary>
    public LayerConfig? Layer { get; }

    /// <summary>The settings, in Keras config keys and values (numbers, <c>true</c>/<c>false</c>, names).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings => _settings;

    /// <summary>The value of the setting <paramref name="key"/>, or null.</summary>
    public string? this[string key]
    {
        get
        {
            foreach (KeyValuePair<string, string> setting in _settings)
            {
                if (setting.Key == key)
                {
                    return setting.Value;
                }
            }

            return null;
        }
    }

    /// <summary><c>SimpleRNN(units=64, activation=tanh, …)</c>: the class and its settings, without the name.</summary>
    public string Describe()
    {
        var text = new StringBuilder(ClassName).Append('(');
        for (int i = 0; i < _settings.Length; i++)
        {
            text.Append(i == 0 ? string.Empty : ", ").Append(_settings[i].Key).Append('=').Append(_settings[i].Value);
        }

        if (Layer is not null)
        {
            text.Append(_settings.Length == 0 ? string.Empty : ", ").Append("layer=").Append(Layer.Describe());
        }

        return text.Append(')').ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => Name + ": " + Describe();
}

/// <summary>A model's layers as Keras configures them, in order; generated models describe theirs in <see cref="IRnnModel.Architecture"/>.</summary>
public sealed class ModelArchitecture : IReadOnlyList<LayerConfig>
{
    private readonly LayerConfig[] _layers;

    /// <summary>Lists the layers.</summary>
    public ModelArchitecture(params LayerConfig[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = (LayerConfig[])layers.Clone();
        var text = new StringBuilder();
        foreach (LayerConfig layer in _layers)
        {
            text.Append(text.Length == 0 ? string.Empty : "; ").Append(layer);
        }

        Fingerprint = text.ToString();
    }

    /// <summary>
    /// Every layer with its settings on one line, such as
    /// <c>embedding: Embedding(input_dim=10000, output_dim=32, mask_zero=false); …</c>.
    /// Weight files store it; two models take the same weights exactly when their fingerprints are equal.
    /// </summary>
    public string Fingerprint { get; }

    /// <inheritdoc/>
    public int Count => _layers.Length;

    /// <inheritdoc/>
    public LayerConfig this[int index] => _layers[index];

    /// <summary>The layer named <paramref name="name"/>, or null.</summary>
    public LayerConfig? Find(string name) => Array.Find(_layers, layer => layer.Name == name);

    /// <inheritdoc/>
    public IEnumerator<LayerConfig> GetEnumerator() => ((IEnumerable<LayerConfig>)_layers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => Fingerprint;
}
