using System;
using System.Collections.Generic;

namespace RnnDsl;

/// <summary>
/// The bookkeeping of Keras <c>EarlyStopping</c> for one <c>Training.Fit</c>: the best value so far,
/// the epochs since it, and, only when <see cref="EarlyStopping.RestoreBestWeights"/> is set, the weights it had.
/// </summary>
internal sealed class EarlyStoppingMonitor
{
    private readonly EarlyStopping _settings;
    private readonly MonitoredValue _monitor;
    private readonly float[]? _bestWeights;
    private int _wait;

    /// <summary>Checks that the monitored key is one this training logs: <c>loss</c>, the metrics, and their <c>val_</c> forms when validating.</summary>
    /// <exception cref="ArgumentException">The key is not logged.</exception>
    public EarlyStoppingMonitor(EarlyStopping settings, IReadOnlyList<Metric> metrics, bool validating, int parameterCount, string argumentName)
    {
        _settings = settings;
        _monitor = new MonitoredValue("EarlyStopping", settings.Monitor, settings.HigherIsBetter, settings.MinDelta, metrics, validating, argumentName);
        _bestWeights = settings.RestoreBestWeights ? new float[parameterCount] : null;
    }

    /// <summary>Records an epoch's logs; returns whether training should stop (Keras: patience epochs without improvement).</summary>
    public bool ShouldStop(IReadOnlyDictionary<string, double> logs, ReadOnlySpan<float> weights)
    {
        if (_monitor.Improved(logs))
        {
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
        if (_bestWeights is not null && _wait > 0)
        {
            _bestWeights.CopyTo(weights);
        }
    }
}
