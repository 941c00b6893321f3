using System;
using System.Buffers;
using System.ComponentModel;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks;

namespace RnnDsl;

/// <summary>A generated model's forward pass over <paramref name="count"/> sequences stored back to back: what each thread of <see cref="BatchParallel"/> runs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate void BatchForward<TModel, TInput>(TModel model, ReadOnlySpan<TInput> inputs, int count, Span<float> outputs);

/// <summary>
/// Splits a checked batch across threads for <c>PredictBatch(…, degreeOfParallelism)</c>: each thread takes a contiguous
/// part of the sequences (parts differ by at most one sequence) and runs it through the model in groups of at most
/// <c>lanes</c>. The caller's spans cannot cross threads, so the inputs are copied to a pooled array and the outputs back
/// from one; both copies are tiny next to the work (6,400 token ids for 64 sequences of 100 steps).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BatchParallel
{
    /// <summary>Runs <paramref name="forward"/> over the batch on up to <paramref name="degreeOfParallelism"/> threads, one of them the caller's.</summary>
    public static void Run<TModel, TInput>(TModel model, ReadOnlySpan<TInput> inputs, int batchSize, Span<float> outputs, int lanes, int degreeOfParallelism, BatchForward<TModel, TInput> forward)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        if (inputs.Length % batchSize != 0 || outputs.Length % batchSize != 0)
        {
            throw new ArgumentException($"{inputs.Length} inputs and {outputs.Length} outputs do not divide into {batchSize} sequences.", nameof(batchSize));
        }

        int sequenceLength = inputs.Length / batchSize;
        int outputLength = outputs.Length / batchSize;
        int parts = Math.Min(degreeOfParallelism, batchSize);
        TInput[] input = ArrayPool<TInput>.Shared.Rent(inputs.Length);
        float[] output = ArrayPool<float>.Shared.Rent(outputs.Length);
        try
        {
            inputs.CopyTo(input);
            try
            {
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
                {
                    int end = (int)((long)batchSize * (part + 1) / parts);
                    for (int first = (int)((long)batchSize * part / parts); first < end; first += lanes)
                    {
                        int count = Math.Min(lanes, end - first);
                        forward(model, input.AsSpan(first * sequenceLength, count * sequenceLength), count, output.AsSpan(first * outputLength, count * outputLength));
                    }
                });
            }
            catch (AggregateException error) when (error.InnerExceptions.Count >= 1)
            {
                ExceptionDispatchInfo.Capture(error.InnerExceptions[0]).Throw(); // as the one-thread call would throw it
            }
            output.AsSpan(0, outputs.Length).CopyTo(outputs);
        }
        finally
        {
            ArrayPool<TInput>.Shared.Return(input);
            ArrayPool<float>.Shared.Return(output);
        }
    }
}
