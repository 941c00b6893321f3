using System;
using System.Collections.Generic;
using System.Threading;

namespace RnnDsl;

/// <summary>
/// Training stopped by <see cref="FitOptions.CancellationToken"/>: an <see cref="OperationCanceledException"/>, so code
/// that catches that one catches this. The model keeps the weights of the last completed step; <see cref="History"/>
/// holds the epochs that finished.
/// </summary>
/// <remarks>
/// An epoch finishes, and enters <see cref="History"/>, once it is validated, logged and reported, as Keras's
/// <c>History</c> records an epoch in <c>on_epoch_end</c>, after validation. So a cancellation during validation
/// (<see cref="Batch"/> 0) leaves out an epoch whose training steps were all applied: the model has the weights after
/// them and <see cref="Optimizer.Iterations"/> counts them, but the epoch has no history entry, no checkpoint and no
/// <c>OnEpochEnd</c> call. Its training logs are in <see cref="EpochTrainingLogs"/>. History keeps only whole epochs, so
/// every key in it has one value per epoch.
/// </remarks>
public sealed class TrainingCanceledException : OperationCanceledException
{
    internal TrainingCanceledException(History history, int epoch, int batch, CancellationToken token, IReadOnlyDictionary<string, double>? epochTrainingLogs = null)
        : base(
            (batch > 0
                ? $"Training was canceled before batch {batch} of epoch {epoch}. The model keeps the weights of the last completed step;"
                : $"Training was canceled during the validation of epoch {epoch}, after all its training steps: the model keeps their weights, "
                    + $"but epoch {epoch} is not in History (its training logs are in EpochTrainingLogs);")
                + $" History holds the {history.Epochs} epoch(s) that finished.",
            token)
    {
        History = history;
        Epoch = epoch;
        Batch = batch;
        EpochTrainingLogs = epochTrainingLogs;
    }

    /// <summary>The history of the epochs that finished (were validated and logged) before the cancellation.</summary>
    public History History { get; }

    /// <summary>The 1-based epoch that was running.</summary>
    public int Epoch { get; }

    /// <summary>The 1-based batch that did not run; 0 when the cancellation came during validation, after the epoch's last step.</summary>
    public int Batch { get; }

    /// <summary>
    /// When the cancellation came during validation (<see cref="Batch"/> 0): the logs of <see cref="Epoch"/>'s training,
    /// whose steps were all applied (<c>loss</c> and the metrics, no <c>val_</c> values), which are not in
    /// <see cref="History"/>. Null when the cancellation came before a batch.
    /// </summary>
    public IReadOnlyDictionary<string, double>? EpochTrainingLogs { get; }
}
