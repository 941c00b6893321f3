using System;
using System.Buffers;
using System.ComponentModel;

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

        int parts = Math.Min(degreeOfParallelism, batchSize);
        TInput[] input = ArrayPool<TInput>.Shared.Rent(inputs.Length);
        float[] output = ArrayPool<float>.Shared.Rent(outputs.Length);
        Job<TModel, TInput> job = Job<TModel, TInput>.Rent();
        try
        {
            inputs.CopyTo(input);
            job.Set(model, input, output, batchSize, inputs.Length / batchSize, outputs.Length / batchSize, lanes, parts, forward);
            ForkJoin.Run(parts, job.RunPart);
            output.AsSpan(0, outputs.Length).CopyTo(outputs);
        }
        finally
        {
            job.Return();
            ArrayPool<TInput>.Shared.Return(input);
            ArrayPool<float>.Shared.Return(output);
        }
    }

    /// <summary>
    /// One call's batch, as the parts see it: kept per thread and type pair with its part delegate, so a call allocates
    /// nothing (a closure per call was part of the 1.75 KB <c>Parallel.For</c> cost).
    /// </summary>
    private sealed class Job<TModel, TInput>
        where TInput : unmanaged
    {
        [ThreadStatic]
        private static Job<TModel, TInput>? t_cached;

        private TModel? _model;
        private TInput[] _input = Array.Empty<TInput>();
        private float[] _output = Array.Empty<float>();
        private BatchForward<TModel, TInput>? _forward;
        private int _batchSize;
        private int _sequenceLength;
        private int _outputLength;
        private int _lanes;
        private int _parts;
        private bool _busy;

        private Job() => RunPart = Part;

        /// <summary>Runs part <c>p</c> of the batch: its contiguous sequences, <c>lanes</c> at a time.</summary>
        public Action<int> RunPart { get; }

        /// <summary>This thread's job, or a new one if it is in use (a part that predicts a batch again on this thread).</summary>
        public static Job<TModel, TInput> Rent()
        {
            Job<TModel, TInput> job = t_cached ??= new Job<TModel, TInput>();
            if (job._busy)
            {
                job = new Job<TModel, TInput>();
            }

            job._busy = true;
            return job;
        }

        public void Set(TModel model, TInput[] input, float[] output, int batchSize, int sequenceLength, int outputLength, int lanes, int parts, BatchForward<TModel, TInput> forward)
        {
            (_model, _input, _output, _forward) = (model, input, output, forward);
            (_batchSize, _sequenceLength, _outputLength, _lanes, _parts) = (batchSize, sequenceLength, outputLength, lanes, parts);
        }

        /// <summary>Lets go of the call's model and arrays, so a cached job keeps nothing alive.</summary>
        public void Return()
        {
            (_model, _input, _output, _forward) = (default, Array.Empty<TInput>(), Array.Empty<float>(), null);
            _busy = false;
        }

        private void Part(int part)
        {
            int end = (int)((long)_batchSize * (part + 1) / _parts);
            for (int first = (int)((long)_batchSize * part / _parts); first < end; first += _lanes)
            {
                int count = Math.Min(_lanes, end - first);
                _forward!(_model!, _input.AsSpan(first * _sequenceLength, count * _sequenceLength), count, _output.AsSpan(first * _outputLength, count * _outputLength));
            }
        }
    }
}
