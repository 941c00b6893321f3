using System;
using RnnDsl;

namespace Sentiment;

/// <summary>
/// A one-line progress bar redrawn in place after every batch when the output is a terminal; when it is
/// redirected (a log, CI), one line per epoch instead.
/// </summary>
internal sealed class ProgressBar
{
    private const int Width = 30;
    private readonly bool _interactive = !Console.IsOutputRedirected;

    public void OnBatch(BatchProgress progress)
    {
        if (!_interactive)
        {
            return;
        }

        int filled = Width * progress.Batch / progress.Batches;
        Console.Write($"\r  epoch {progress.Epoch,2}/{progress.Epochs} [{new string('#', filled)}{new string('.', Width - filled)}] {progress.Batch,3}/{progress.Batches}  loss {progress.Loss:F4}");
    }

    public void OnEpoch(EpochProgress progress)
    {
        string line = $"  epoch {progress.Epoch,2}/{progress.Epochs}  loss {progress.Logs["loss"]:F4}  accuracy {progress.Logs["accuracy"]:P1}"
            + $"  val_loss {progress.Logs["val_loss"]:F4}  val_accuracy {progress.Logs["val_accuracy"]:P1}  ({progress.Elapsed.TotalSeconds:F1} s)";
        Console.Write(_interactive ? "\r" + line.PadRight(Width + 60) + "\n" : line + "\n");
    }
}
