using System;

namespace RnnDsl;

/// <summary>Training that produced NaN or infinity. The model keeps the weights of the last good step.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for a 1-based epoch and batch.</summary>
    public TrainingDivergedException(int epoch, int batch, string what)
        : base($"Training diverged at epoch {epoch}, batch {batch}: {what}. The model keeps the weights of the last good step; "
            + "try a lower learning rate or gradient clipping (Optimizer.GlobalClipNorm).")
    {
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>The 1-based epoch in which training diverged.</summary>
    public int Epoch { get; }

    /// <summary>The 1-based batch in which training diverged.</summary>
    public int Batch { get; }
}
