using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace RnnDsl;

/// <summary>
/// One <c>Training.Fit</c> on data already checked: the epochs, each a shuffled pass of gradient steps, then validation,
/// the history, the epoch-end callbacks (checkpoint, learning-rate reduction, <c>OnEpochEnd</c>, early stopping), and the
/// ways training ends early (early stopping, a callback's <c>StopTraining</c>, cancellation). Every buffer is made or rented here,
/// before the first epoch.
/// </summary>
internal sealed class FitRun<TInput>
    where TInput : unmanaged
{
    private readonly ISequenceModel<TInput> _model;
    private readonly IReadOnlyList<TInput[]> _inputs;
    private readonly IReadOnlyList<float[]> _targets;
    private readonly FitOptions _options;
    private readonly IReadOnlyList<TInput[]>? _validationInputs;
    private readonly IReadOnlyList<float[]>? _validationTargets;
    private readonly Metric[] _metrics;
    private readonly MetricCounts _trainingCounts;
    private readonly MetricCounts _validationCounts;
    private readonly DataParallelStep<TInput> _step;
    private readonly int[] _order;
    private readonly EarlyStoppingMonitor? _earlyStopping;
    private readonly CheckpointWriter? _checkpoint;
    private readonly PlateauMonitor? _plateau;
    private readonly TrainingStop _stop = new();
    private readonly History _history = new();

    /// <summary>Sets up a run on the first <paramref name="trainCount"/> examples, with validation data when given.</summary>
    /// <exception cref="ArgumentException">A callback monitors a key this training does not log, or its settings are out of range.</exception>
    public FitRun(
        ISequenceModel<TInput> model,
        IReadOnlyList<TInput[]> inputs,
        IReadOnlyList<float[]> targets,
        int trainCount,
        float[]? exampleWeights,
        FitOptions options,
        IReadOnlyList<TInput[]>? validationInputs,
        IReadOnlyList<float[]>? validationTargets)
    {
        _model = model;
        _inputs = inputs;
        _targets = targets;
        _options = options;
        _validationInputs = validationInputs;
        _validationTargets = validationTargets;
        bool validating = validationInputs is not null;
        const string argumentName = "options";
        _earlyStopping = options.EarlyStopping is { } earlyStopping
            ? new EarlyStoppingMonitor(earlyStopping, options.Metrics, validating, model.Parameters.Length, argumentName)
            : null;
        _checkpoint = options.Checkpoint is { } checkpoint ? new CheckpointWriter(checkpoint, options.Metrics, validating, options.ReduceLROnPlateau is not null, argumentName) : null;
        _plateau = options.ReduceLROnPlateau is { } plateau ? new PlateauMonitor(plateau, options.Metrics, validating, argumentName) : null;

        _metrics = options.Metrics.ToArray();
        bool scoring = _metrics.Contains(Metric.Auc);
        _trainingCounts = new MetricCounts(_metrics.Length, scoring ? new ScoreBuffer(trainCount) : null);
        _validationCounts = new MetricCounts(_metrics.Length, scoring && validating ? new ScoreBuffer(validationInputs!.Count) : null);
        _step = new DataParallelStep<TInput>(model, Math.Min(options.Threads, options.BatchSize), _metrics.Length, exampleWeights, _trainingCounts.Scores);
        _order = Enumerable.Range(0, trainCount).ToArray();
    }

    /// <exception cref="TrainingDivergedException">The loss, a gradient or a weight became NaN or infinite.</exception>
    /// <exception cref="TrainingCanceledException">The options' cancellation token was canceled.</exception>
    public History Run()
    {
        // A schedule sets the optimizer's rate before every step; the rate the optimizer had is put back however Fit
        // ends, so a later Fit without the schedule does not train at the schedule's last value.
        float ownRate = _options.Optimizer.LearningRate;
        try
        {
            return RunEpochs();
        }
        finally
        {
            if (_options.LearningRateSchedule is not null)
            {
                _options.Optimizer.LearningRate = ownRate;
            }

            _step.Dispose();
        }
    }

    private History RunEpochs()
    {
        FitOptions options = _options;
        var random = new SeededRandom(options.Seed);
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            if (options.Shuffle)
            {
                for (int i = _order.Length - 1; i > 0; i--)
                {
                    int j = random.NextInt(i + 1);
                    (_order[i], _order[j]) = (_order[j], _order[i]);
                }
            }

            Dictionary<string, double> logs = TrainEpoch(epoch);
            if (_validationInputs is not null)
            {
                Dictionary<string, double> validation =
                    Training.EvaluateChecked(_model, _validationInputs, _validationTargets!, options.Loss, _metrics, _validationCounts, options.CancellationToken)
                    ?? throw new TrainingCanceledException(_history, epoch, 0, options.CancellationToken, logs);
                foreach (var (key, value) in validation)
                {
                    logs["val_" + key] = value;
                }
            }

            // The rate of the epoch's last step; Keras's ReduceLROnPlateau logs it before it acts.
            float learningRate = options.Optimizer.LearningRate;
            if (_plateau is not null)
            {
                logs["learning_rate"] = learningRate;
            }

            _history.Add(logs);
            _history.Epochs = epoch;
            _checkpoint?.EpochEnded(epoch, logs, _model);
            _plateau?.EpochEnded(logs, options.Optimizer);
            options.OnEpochEnd?.Invoke(new EpochProgress(epoch, options.Epochs, logs, clock.Elapsed, learningRate, _stop));
            if (_earlyStopping is not null && _earlyStopping.ShouldStop(logs, _model.Parameters))
            {
                _history.StoppedEarly = true;
            }

            _history.StoppedByCallback = _stop.Requested;
            if (_history.StoppedEarly || _history.StoppedByCallback)
            {
                break;
            }
        }

        _earlyStopping?.RestoreBest(_model.Parameters);
        return _history;
    }

    /// <summary>
    /// One pass over the training examples in their epoch order, a gradient step per batch, until the pass ends or a
    /// callback stops training; returns the logs of the batches run: the mean loss over their counted rows and the metrics.
    /// </summary>
    private Dictionary<string, double> TrainEpoch(int epoch)
    {
        FitOptions options = _options;
        Optimizer optimizer = options.Optimizer;
        int batches = (_order.Length + options.BatchSize - 1) / options.BatchSize;
        double epochLoss = 0;
        long epochTerms = 0;
        _trainingCounts.Clear();
        for (int batch = 0; batch < batches; batch++)
        {
            // Checked between steps only, so a step is always applied whole.
            if (options.CancellationToken.IsCancellationRequested)
            {
                throw new TrainingCanceledException(_history, epoch, batch + 1, options.CancellationToken);
            }

            int start = batch * options.BatchSize;
            int count = Math.Min(options.BatchSize, _order.Length - start);
            int terms = 0;
            for (int i = start; i < start + count; i++)
            {
                terms += _model.LossTermCount(_inputs[_order[i]]);
            }

            if (terms > 0)
            {
                double batchLoss = _step.Accumulate(
                    _inputs, _targets, _order, start, count, terms, options.Loss, _metrics, _trainingCounts, DropoutMasks.BatchSeed(options.Seed, epoch, batch + 1));
                if (options.LearningRateSchedule is { } schedule)
                {
                    optimizer.LearningRate = schedule.LearningRate(optimizer.Iterations);
                }

                _step.Apply(optimizer, batchLoss, epoch, batch + 1);
                epochLoss += batchLoss * terms;
                epochTerms += terms;
            }

            _trainingCounts.Scored = start + count;
            options.OnBatchEnd?.Invoke(new BatchProgress(
                epoch, options.Epochs, batch + 1, batches, epochTerms == 0 ? 0 : epochLoss / epochTerms, optimizer.LearningRate, _stop));
            if (_stop.Requested)
            {
                break;
            }
        }

        var logs = new Dictionary<string, double> { ["loss"] = epochTerms == 0 ? 0 : epochLoss / epochTerms };
        _trainingCounts.WriteTo(logs, _metrics);
        return logs;
    }
}
