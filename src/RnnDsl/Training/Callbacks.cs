using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace RnnDsl;

/// <summary>
/// Keras <c>ModelCheckpoint(filepath, save_weights_only=True)</c>: saves the model's weights with
/// <see cref="WeightFiles.SaveWeights(IRnnModel, string)"/> (RnnDsl's own format, written to a temporary file and renamed,
/// so an interrupted save leaves the previous file whole) after every epoch, or, with <see cref="SaveBestOnly"/>, after
/// each epoch whose <see cref="Monitor"/> value beats every earlier one. The file's folder is created if need be.
/// The path may name the epoch and logged values, as Keras's <c>filepath</c> does (see <see cref="Path"/>).
/// </summary>
/// <example>
/// <c>Checkpoint = new ModelCheckpoint("best.rnnw") { Monitor = "val_loss", SaveBestOnly = true }</c> keeps the best
/// epoch's weights in one file; <c>new ModelCheckpoint("ck/{epoch:02d}-{val_loss:.3f}.rnnw")</c> writes
/// <c>ck/01-0.693.rnnw</c>, <c>ck/02-0.541.rnnw</c>, … a file per epoch (with <see cref="SaveBestOnly"/>, per improvement).
/// </example>
public sealed class ModelCheckpoint
{
    /// <summary>Saves to <paramref name="path"/>, formatted for each save (see <see cref="Path"/>); a path without fields is replaced each time.</summary>
    /// <exception cref="ArgumentException">The path is null or empty. (Its fields are checked when <c>Fit</c> starts.)</exception>
    public ModelCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    /// <summary>
    /// The weight file written, as a template that each save fills in as Keras formats its <c>filepath</c>
    /// (Python's <c>str.format</c> with <c>epoch</c>, from 1, and the epoch's logs), in a subset of Python's syntax:
    /// <c>{epoch}</c>, <c>{epoch:0Nd}</c> (zero-padded to N digits, so <c>{epoch:02d}</c> gives <c>07</c>),
    /// <c>{key}</c> for any logged key (<c>loss</c>, a metric, their <c>val_</c> forms, <c>learning_rate</c> with
    /// <see cref="ReduceLROnPlateau"/>; written as Python writes a float, such as <c>0.6931471824645996</c>),
    /// <c>{key:.Nf}</c> (N decimals, rounded as Python rounds: half to even on the exact value), and <c>{{</c>, <c>}}</c>
    /// for literal braces. Every key a training logs is known before its first epoch, so when <c>Fit</c> starts it
    /// refuses, with an <see cref="ArgumentException"/>, a key it will not log and anything outside the subset (other
    /// specs, <c>d</c> on a logged float, <c>!r</c>, attributes, indexes, positional fields, an unpaired brace).
    /// </summary>
    public string Path { get; }

    /// <summary>The history key whose improvement <see cref="SaveBestOnly"/> waits for; <c>val_loss</c> by default, as in Keras.</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>
    /// Save only after an epoch whose <see cref="Monitor"/> value is better than every earlier one (the first epoch's always
    /// is), so the file holds the best epoch's weights; otherwise save after every epoch. False by default, as in Keras.
    /// With a field in <see cref="Path"/> such as <c>{epoch}</c>, each improvement writes a file of its own, as Keras's does.
    /// </summary>
    public bool SaveBestOnly { get; init; }

    /// <summary>Whether larger is better; by default as <see cref="EarlyStopping.HigherIsBetter"/> decides (Keras mode "auto").</summary>
    public bool? HigherIsBetter { get; init; }
}

/// <summary>
/// Keras <c>ReduceLROnPlateau</c>, with its defaults: after <see cref="Patience"/> epochs in which <see cref="Monitor"/>
/// has not improved by more than <see cref="MinDelta"/>, the learning rate is multiplied by <see cref="Factor"/>, but
/// not below <see cref="MinLearningRate"/>; then <see cref="Cooldown"/> epochs pass before epochs without improvement
/// count again. It acts at the end of an epoch, so the new rate holds from the next epoch's first step.
/// </summary>
public sealed class ReduceLROnPlateau
{
    /// <summary>The history key to watch; <c>val_loss</c> by default.</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>What the learning rate is multiplied by: <c>new = old × Factor</c>, in (0, 1); 0.1 by default.</summary>
    public double Factor { get; init; } = 0.1;

    /// <summary>Epochs without improvement before the rate is reduced; 10 by default.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>The smallest change that counts as an improvement; 1e-4 by default.</summary>
    public double MinDelta { get; init; } = 1e-4;

    /// <summary>
    /// Epochs after a reduction before epochs without improvement count again; 0 by default. As in Keras, the count
    /// goes down at the start of each epoch's check, so a cooldown of 1 pauses nothing and 2 pauses one epoch.
    /// </summary>
    public int Cooldown { get; init; }

    /// <summary>The lowest learning rate a reduction leaves (Keras <c>min_lr</c>); 0 by default.</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Whether larger is better; by default as <see cref="EarlyStopping.HigherIsBetter"/> decides (Keras mode "auto").</summary>
    public bool? HigherIsBetter { get; init; }
}

/// <summary>
/// Keras's <c>MonitorCallback</c>: a logged value, which way is better, the smallest change that counts, and the best
/// so far. Shared by early stopping, checkpoints and learning-rate reduction.
/// </summary>
internal sealed class MonitoredValue
{
    private readonly double _minDelta;
    private bool _hasBest;

    /// <summary>
    /// Checks that <paramref name="key"/> is one this training logs: <c>loss</c>, the metrics, and their <c>val_</c> forms
    /// when validating. <paramref name="what"/> is the option as the message names it (<c>EarlyStopping</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The key is not logged, or the minimum change is NaN.</exception>
    public MonitoredValue(string what, string key, bool? higherIsBetter, double minDelta, IReadOnlyList<Metric> metrics, bool validating, string argumentName)
    {
        List<string> keys = LoggedKeys(metrics, validating);
        if (!keys.Contains(key))
        {
            throw new ArgumentException($"{what} monitors '{key}', which this training does not log; it logs {string.Join(", ", keys)}.", argumentName);
        }

        if (double.IsNaN(minDelta))
        {
            throw new ArgumentException($"{what}.MinDelta is NaN; it must be a number.", argumentName);
        }

        Key = key;
        HigherIsBetter = higherIsBetter ?? Metrics.HigherIsBetter(key);
        _minDelta = Math.Abs(minDelta); // Keras takes abs(min_delta)
    }

    public string Key { get; }

    public bool HigherIsBetter { get; }

    /// <summary>The keys of an epoch's logs: <c>loss</c>, the metrics, and their <c>val_</c> forms when validating.</summary>
    public static List<string> LoggedKeys(IReadOnlyList<Metric> metrics, bool validating)
    {
        var keys = new List<string> { "loss" };
        keys.AddRange(metrics.Select(Metrics.Name));
        if (validating)
        {
            keys.AddRange(keys.Select(k => "val_" + k).ToArray());
        }

        return keys;
    }

    /// <summary>The best value so far; NaN before the first.</summary>
    public double Best { get; private set; } = double.NaN;

    /// <summary>
    /// Reads an epoch's value; returns whether it improves on the best so far by more than the minimum change, and
    /// keeps it as the best if so (the first value always does, as Keras's does with no baseline).
    /// </summary>
    public bool Improved(IReadOnlyDictionary<string, double> logs)
    {
        double current = logs[Key];
        bool improved = !_hasBest || (HigherIsBetter ? current - _minDelta > Best : current + _minDelta < Best);
        if (improved)
        {
            Best = current;
            _hasBest = true;
        }

        return improved;
    }
}

/// <summary>What a <see cref="ModelCheckpoint"/> does for one <c>Fit</c>.</summary>
internal sealed class CheckpointWriter
{
    private readonly CheckpointPath _path;
    private readonly MonitoredValue? _monitor;

    /// <summary>Checks the settings against what this training logs (<paramref name="logsLearningRate"/>: with <c>ReduceLROnPlateau</c>).</summary>
    /// <exception cref="ArgumentException">The path cannot be formatted from the logs, or SaveBestOnly monitors a key not logged.</exception>
    public CheckpointWriter(ModelCheckpoint settings, IReadOnlyList<Metric> metrics, bool validating, bool logsLearningRate, string argumentName)
    {
        List<string> keys = MonitoredValue.LoggedKeys(metrics, validating);
        if (logsLearningRate)
        {
            keys.Add("learning_rate");
        }

        _path = CheckpointPath.Parse(settings.Path, keys, argumentName);
        _monitor = settings.SaveBestOnly
            ? new MonitoredValue("ModelCheckpoint", settings.Monitor, settings.HigherIsBetter, 0, metrics, validating, argumentName)
            : null;
    }

    /// <summary>Saves the weights if the logs of <paramref name="epoch"/> (from 1) call for it, to the path they format.</summary>
    public void EpochEnded(int epoch, IReadOnlyDictionary<string, double> logs, IRnnModel model)
    {
        if (_monitor is null || _monitor.Improved(logs))
        {
            string path = _path.Format(epoch, logs);
            string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
            }

            model.SaveWeights(path);
        }
    }
}

/// <summary>The bookkeeping of a <see cref="ReduceLROnPlateau"/> for one <c>Fit</c>, step for step as Keras's <c>on_epoch_end</c>.</summary>
internal sealed class PlateauMonitor
{
    private readonly ReduceLROnPlateau _settings;
    private readonly MonitoredValue _monitor;
    private int _wait;
    private int _cooldown;

    /// <exception cref="ArgumentException">A setting is out of range, or the monitored key is not logged.</exception>
    public PlateauMonitor(ReduceLROnPlateau settings, IReadOnlyList<Metric> metrics, bool validating, string argumentName)
    {
        if (!(settings.Factor is > 0 and < 1))
        {
            throw new ArgumentException(
                $"ReduceLROnPlateau.Factor is {settings.Factor.ToString(CultureInfo.InvariantCulture)}; it must be in (0, 1): the rate is multiplied by it.", argumentName);
        }

        if (settings.Patience < 0 || settings.Cooldown < 0 || !(settings.MinLearningRate >= 0) || double.IsInfinity(settings.MinLearningRate))
        {
            throw new ArgumentException("ReduceLROnPlateau.Patience, Cooldown and MinLearningRate must be 0 or more (and the rate finite).", argumentName);
        }

        _settings = settings;
        _monitor = new MonitoredValue("ReduceLROnPlateau", settings.Monitor, settings.HigherIsBetter, settings.MinDelta, metrics, validating, argumentName);
    }

    /// <summary>Reads an epoch's logs and reduces <paramref name="optimizer"/>'s learning rate when the plateau has lasted.</summary>
    public void EpochEnded(IReadOnlyDictionary<string, double> logs, Optimizer optimizer)
    {
        if (_cooldown > 0)
        {
            _cooldown--;
            _wait = 0;
        }

        if (_monitor.Improved(logs))
        {
            _wait = 0;
            return;
        }

        if (_cooldown > 0 || ++_wait < _settings.Patience)
        {
            return;
        }

        // Keras: reduce only while above the minimum; new = max(old × factor, min), computed in double and stored as float.
        float old = optimizer.LearningRate;
        if (old > (float)_settings.MinLearningRate)
        {
            optimizer.LearningRate = (float)Math.Max(old * _settings.Factor, _settings.MinLearningRate);
            _cooldown = _settings.Cooldown;
            _wait = 0;
        }
    }
}
