using System;
using System.Threading;

namespace RnnDsl;

/// <summary>
/// Training stopped by <see cref="FitOptions.CancellationToken"/>: an <see cref="OperationCanceledException"/>, so code
/// that catches that one catches this. The model keeps the weights of the last completed step; <see cref="History"/>
/// holds the epochs that finished.
/// </summary>
public sealed class TrainingCanceledException : OperationCanceledException
{
    internal TrainingCanceledException(History history, int epoch, int batch, CancellationToken token)
        : base(
            (batch > 0 ? $"Training was canceled before batch {batch} of epoch {epoch}." : $"Training was canceled during the validation of epoch {epoch}.")
                + $" The model keeps the weights of the last completed step; History holds the {history.Epochs} epoch(s) that finished.",
            token)
    {
        History = history;
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>The history of the epochs that finished before the cancellation.</summary>
    public History History { get; }

    /// <summary>The 1-based epoch that was running.</summary>
    public int Epoch { get; }

    /// <summary>The 1-based batch that did not run; 0 when the cancellation came during validation, after the epoch's last step.</summary>
    public int Batch { get; }
}
