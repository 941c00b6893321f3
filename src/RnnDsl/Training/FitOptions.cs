using System;
using System.Collections.Generic;
using System.Threading;

namespace RnnDsl;

/// <summary>What <c>Training.Fit</c> is told to do, in the spirit of Keras <c>compile</c> and <c>fit</c>.</summary>
public sealed class FitOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Sequences per gradient step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The optimizer; its learning rate may be changed between epochs (from <see cref="OnEpochEnd"/>).</summary>
    public Optimizer Optimizer { get; init; } = new Adam();

    /// <summary>The loss to minimise.</summary>
    public Loss Loss { get; init; } = Loss.BinaryCrossentropy;

    /// <summary>Metrics to report for training and validation data.</summary>
    public IReadOnlyList<Metric> Metrics { get; init; } = Array.Empty<Metric>();

    /// <summary>Shuffle the training data before each epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The seed of the shuffle.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// The fraction of the data held out for validation, taken from its end before shuffling, by Keras 3's rule: the
    /// first <c>floor(n × (1 - ValidationSplit))</c> examples train and the rest validate (so 0.01 of 50 examples holds
    /// out 1). A split that leaves no training or no validation example, or one that is NaN or outside [0, 1), is refused.
    /// Validation data passed to <c>Fit</c> wins over it, as Keras 3's <c>validation_data</c> overrides
    /// <c>validation_split</c>: then every example trains, the split is not taken, and only its range is checked.
    /// </summary>
    public double ValidationSplit { get; init; }

    /// <summary>
    /// Keras <c>class_weight</c>: a weight per class index that multiplies each training example's loss, and so its
    /// gradient. The class of an example is its label under binary cross-entropy (which must then be 0 or 1), its class
    /// index under sparse categorical cross-entropy, and the index of the largest value of its one-hot target under
    /// categorical cross-entropy. A class left out weighs 1, as in Keras. As in Keras, a batch's loss is the weighted
    /// sum divided by the number of examples (not by the sum of the weights), so the logged <c>loss</c> is weighted;
    /// the metrics are not (Keras weighs only its <c>weighted_metrics</c>, which are not provided here), and validation
    /// is not weighted. It needs a model with one output row per example (Keras refuses class weights for sequence
    /// targets too) and a classification loss. Negative, NaN and infinite weights are refused, and so are weights that
    /// leave every training example at 0.
    /// </summary>
    public IReadOnlyDictionary<int, float>? ClassWeight { get; init; }

    /// <summary>Stop early when a monitored value stops improving.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>Save the weights after each epoch, or after each epoch that improves a monitored value (Keras <c>ModelCheckpoint</c>).</summary>
    public ModelCheckpoint? Checkpoint { get; init; }

    /// <summary>
    /// Multiply the learning rate by a factor when a monitored value stops improving (Keras <c>ReduceLROnPlateau</c>).
    /// While it is set the history logs <c>learning_rate</c> every epoch, as Keras's does. Not with <see cref="LearningRateSchedule"/>.
    /// </summary>
    public ReduceLROnPlateau? ReduceLROnPlateau { get; init; }

    /// <summary>
    /// The learning rate of every step, from the optimizer's step count (<see cref="Optimizer.Iterations"/>, 0 for a new
    /// optimizer's first step), as a Keras schedule passed as the optimizer's <c>learning_rate</c>: <see cref="ExponentialDecay"/>,
    /// <see cref="CosineDecay"/>, <see cref="PiecewiseConstantDecay"/>. Fit sets <see cref="Optimizer.LearningRate"/>
    /// from it before each step, so during Fit the optimizer's rate reads as the current step's (as a Keras optimizer's
    /// <c>learning_rate</c> does) and changes made in a callback last until the next step. When Fit ends, however it
    /// ends (returning, canceled, diverged, or a callback's exception), it puts back the rate the optimizer had before
    /// Fit: in Keras the schedule is the optimizer's rate and travels with it, but here it belongs to this Fit, so a
    /// later Fit without it trains at the optimizer's own rate, not at the schedule's last value (read that from
    /// <see cref="EpochProgress.LearningRate"/>). <see cref="Optimizer.Iterations"/> counts on, so the same schedule in
    /// a later Fit continues where it stopped. Not with <see cref="ReduceLROnPlateau"/> (Keras cannot set the rate of an
    /// optimizer that has a schedule either).
    /// </summary>
    public LearningRateSchedule? LearningRateSchedule { get; init; }

    /// <summary>Called after every batch. <see cref="BatchProgress.StopTraining"/> ends training after that batch's epoch is wrapped up.</summary>
    public Action<BatchProgress>? OnBatchEnd { get; init; }

    /// <summary>Called after every epoch, with that epoch's logs. <see cref="EpochProgress.StopTraining"/> ends training there.</summary>
    public Action<EpochProgress>? OnEpochEnd { get; init; }

    /// <summary>
    /// Cancels training: Fit checks it before every batch (and between validation examples), so it stops within one
    /// batch, and throws <see cref="TrainingCanceledException"/> (an <see cref="OperationCanceledException"/>) carrying
    /// the history of the epochs that finished. The model keeps the weights of the last completed step: a step is
    /// never left half applied, and <see cref="EarlyStopping.RestoreBestWeights"/> is not applied. Canceled during
    /// validation, an epoch keeps all its training steps but is not in the history (as in Keras, an epoch enters the
    /// history after its validation); its training logs are in <see cref="TrainingCanceledException.EpochTrainingLogs"/>.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Threads that share each batch, each with its own gradient buffer. Defaults to the machine's cores.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}

/// <summary>Keras <c>EarlyStopping</c>: stop when a monitored value stops improving.</summary>
public sealed class EarlyStopping
{
    /// <summary>The history key to watch, such as <c>val_loss</c> (the default) or <c>val_accuracy</c>.</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>Epochs without improvement before training stops.</summary>
    public int Patience { get; init; }

    /// <summary>The smallest change that counts as an improvement (its size: Keras takes <c>abs(min_delta)</c>).</summary>
    public double MinDelta { get; init; }

    /// <summary>Put back the weights of the best epoch when training ends.</summary>
    public bool RestoreBestWeights { get; init; }

    /// <summary>
    /// Whether larger is better. By default (Keras 3 mode "auto", which reads each metric's direction) false for
    /// <c>loss</c> and <c>val_loss</c> and true for every <see cref="Metric"/>: accuracies, precision, recall, F1 and AUC.
    /// </summary>
    public bool? HigherIsBetter { get; init; }
}

/// <summary>Progress after one batch: 1-based epoch and batch numbers, and the epoch's mean loss so far.</summary>
public readonly record struct BatchProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss)
{
    private readonly TrainingStop? _stop;

    internal BatchProgress(int epoch, int epochs, int batch, int batches, double loss, float learningRate, TrainingStop stop)
        : this(epoch, epochs, batch, batches, loss)
    {
        LearningRate = learningRate;
        _stop = stop;
    }

    /// <summary>The learning rate of this batch's step.</summary>
    public float LearningRate { get; init; }

    /// <summary>
    /// Ends training, as Keras's <c>model.stop_training = True</c> from <c>on_train_batch_end</c>: the rest of this epoch is
    /// skipped, the epoch is wrapped up as usual over the batches run (validation, history, checkpoint, <c>OnEpochEnd</c>),
    /// and <c>Fit</c> returns with <see cref="History.StoppedByCallback"/> set.
    /// </summary>
    /// <exception cref="InvalidOperationException">This progress was not made by <c>Fit</c>.</exception>
    public void StopTraining() => TrainingStop.Request(_stop);
}

/// <summary>Progress after one epoch: 1-based epoch number and its logs (<c>loss</c>, metrics, <c>val_</c> values).</summary>
public sealed record EpochProgress(int Epoch, int Epochs, IReadOnlyDictionary<string, double> Logs, TimeSpan Elapsed)
{
    private readonly TrainingStop? _stop;

    internal EpochProgress(int epoch, int epochs, IReadOnlyDictionary<string, double> logs, TimeSpan elapsed, float learningRate, TrainingStop stop)
        : this(epoch, epochs, logs, elapsed)
    {
        LearningRate = learningRate;
        _stop = stop;
    }

    /// <summary>
    /// The learning rate of the epoch's last step, before <see cref="FitOptions.ReduceLROnPlateau"/> acts on this epoch
    /// (the value Keras logs as <c>learning_rate</c>).
    /// </summary>
    public float LearningRate { get; init; }

    /// <summary>
    /// Ends training after this epoch, as Keras's <c>model.stop_training = True</c> from <c>on_epoch_end</c>; <c>Fit</c> returns
    /// with <see cref="History.StoppedByCallback"/> set.
    /// </summary>
    /// <exception cref="InvalidOperationException">This progress was not made by <c>Fit</c>.</exception>
    public void StopTraining() => TrainingStop.Request(_stop);
}

/// <summary>A callback's request to end training, shared by the progress reports of one <c>Fit</c>.</summary>
internal sealed class TrainingStop
{
    public bool Requested { get; private set; }

    public static void Request(TrainingStop? stop)
    {
        if (stop is null)
        {
            throw new InvalidOperationException("StopTraining works on the progress that Fit passes to OnBatchEnd and OnEpochEnd; this one was made elsewhere.");
        }

        stop.Requested = true;
    }
}
