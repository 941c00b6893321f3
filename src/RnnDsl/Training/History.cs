using System;
using System.Collections.Generic;

namespace RnnDsl;

/// <summary>What <c>Training.Fit</c> returns: Keras <c>History.history</c>, one value per epoch for each key.</summary>
public sealed class History
{
    internal History()
    {
    }

    /// <summary>Per-epoch values by key: <c>loss</c>, metric names, and the same with <c>val_</c> in front.</summary>
    public Dictionary<string, List<double>> Values { get; } = new();

    /// <summary>Epochs run.</summary>
    public int Epochs { get; internal set; }

    /// <summary>Whether early stopping ended training.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>
    /// Whether a callback ended training with <see cref="BatchProgress.StopTraining"/> or <see cref="EpochProgress.StopTraining"/>
    /// (Keras <c>model.stop_training = True</c>).
    /// </summary>
    public bool StoppedByCallback { get; internal set; }

    /// <summary>The values of <paramref name="key"/>, one per epoch.</summary>
    /// <exception cref="KeyNotFoundException">The history has no such key; the message lists the keys it has.</exception>
    public IReadOnlyList<double> this[string key]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(key);
            return Values.TryGetValue(key, out List<double>? values)
                ? values
                : throw new KeyNotFoundException(Values.Count == 0
                    ? $"no '{key}' in the history; it is empty (no epoch finished)."
                    : $"no '{key}' in the history; it has: {string.Join(", ", Values.Keys)}.");
        }
    }

    internal void Add(IReadOnlyDictionary<string, double> logs)
    {
        foreach (var (key, value) in logs)
        {
            if (!Values.TryGetValue(key, out List<double>? values))
            {
                Values[key] = values = new List<double>();
            }

            values.Add(value);
        }
    }
}
