using System;
using System.Collections.Generic;
using System.Linq;

namespace RnnDsl;

/// <summary>
/// The bookkeeping of Keras <c>EarlyStopping</c> for one <c>Training.Fit</c>: the best value so far,
/// the epochs since it, and, only when <see cref="EarlyStopping.RestoreBestWeights"/> is set, the weights it had.
/// </summary>
internal sealed class EarlyStoppingMonitor
{
    private readonly EarlyStopping _settings;
    private readonly bool _higherIsBetter;
    private readonly float[]? _bestWeights;
    private double _best = double.NaN;
    private int _wait;

    /// <summary>Checks that the monitored key is one this training logs: <c>loss</c>, the metrics, and their <c>val_</c> forms when validating.</summary>
    /// <exception cref="ArgumentException">The key is not logged.</exception>
    public EarlyStoppingMonitor(EarlyStopping settings, IReadOnlyList<Metric> metrics, bool validating, int parameterCount, string argumentName)
    {
        var keys = new List<string> { "loss" };
        keys.AddRange(metrics.Select(Metrics.Name));
        if (validating)
        {
            keys.AddRange(keys.Select(k => "val_" + k).ToArray());
        }

        if (!keys.Contains(settings.Monitor))
        {
            throw new ArgumentException(
                $"EarlyStopping monitors '{settings.Monitor}', which this training does not log; it logs {string.Join(", ", keys)}.", argumentName);
        }

        _settings = settings;
        _higherIsBetter = settings.HigherIsBetter ?? Metrics.HigherIsBetter(settings.Monitor);
        _bestWeights = settings.RestoreBestWeights ? new float[parameterCount] : null;
    }

    /// <summary>Records an epoch's logs; returns whether training should stop (Keras: patience epochs without improvement).</summary>
    public bool ShouldStop(IReadOnlyDictionary<string, double> logs, ReadOnlySpan<float> weights)
    {
        double current = logs[_settings.Monitor];
        bool improved = double.IsNaN(_best)
            || (_higherIsBetter ? current > _best + _settings.MinDelta : current < _best - _settings.MinDelta);
        if (improved)
        {
            _best = current;
            _wait = 0;
            if (_bestWeights is not null)
            {
                weights.CopyTo(_bestWeights);
            }

            return false;
        }

        return ++_wait >= _settings.Patience;
    }

    /// <summary>Puts back the best epoch's weights when <see cref="EarlyStopping.RestoreBestWeights"/> is set; otherwise leaves them.</summary>
    public void RestoreBest(Span<float> weights)
    {
        if (_bestWeights is not null && !double.IsNaN(_best))
        {
            _bestWeights.CopyTo(weights);
        }
    }
}
