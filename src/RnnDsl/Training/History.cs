using System.Collections.Generic;

namespace RnnDsl;

/// <summary>What <see cref="Training.Fit{TInput}"/> returns: Keras <c>History.history</c>, one value per epoch for each key.</summary>
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

    /// <summary>The values of <paramref name="key"/>, one per epoch.</summary>
    public IReadOnlyList<double> this[string key] => Values[key];

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
