using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks;

namespace RnnDsl;

/// <summary>
/// One training step split across threads: each worker accumulates the gradient of a contiguous share of the
/// batch into its own buffer; the buffers are then summed in a fixed order, checked, and the optimizer applied,
/// each part split by parameter range. The result depends on the thread count only through float rounding.
/// </summary>
internal sealed class DataParallelStep<TInput>
    where TInput : unmanaged
{
    private readonly ISequenceModel<TInput> _model;
    private readonly Worker[] _workers;
    private readonly float[] _gradients;
    private readonly float[] _lastGood;

    /// <summary>
    /// Sets up <paramref name="threads"/> workers for <paramref name="model"/>, with each training example's class weight
    /// (<paramref name="exampleWeights"/>, by example index; null for weight 1) and the buffer that AUC's scores go to.
    /// </summary>
    public DataParallelStep(ISequenceModel<TInput> model, int threads, int metrics, float[]? exampleWeights, ScoreBuffer? scores)
    {
        _model = model;
        int parameterCount = model.Parameters.Length;
        _workers = new Worker[threads];
        for (int w = 0; w < threads; w++)
        {
            _workers[w] = new Worker(parameterCount, metrics, exampleWeights, scores);
        }

        _gradients = new float[parameterCount];
        _lastGood = new float[parameterCount];
    }

    /// <summary>
    /// Accumulates the gradients of examples <c>order[start .. start + count)</c>, each scaled by 1 / <paramref name="terms"/>
    /// and by its class weight (Keras divides the weighted sum by the batch size, not by the sum of the weights),
    /// adds their metric counts to <paramref name="counts"/> (scores at their place <c>i</c> in the epoch), and returns the
    /// batch's mean (class-weighted) loss. The metric counts are not weighted: Keras passes class weights to its
    /// <c>weighted_metrics</c> only, not to the metrics given to <c>compile</c>. Dropout is on, its masks drawn from
    /// <paramref name="dropoutSeed"/>.
    /// </summary>
    public double Accumulate(
        IReadOnlyList<TInput[]> inputs,
        IReadOnlyList<float[]> targets,
        int[] order,
        int start,
        int count,
        int terms,
        Loss loss,
        Metric[] metrics,
        MetricCounts counts,
        ulong dropoutSeed)
    {
        ISequenceModel<TInput> model = _model;
        Worker[] workers = _workers;
        float scale = 1f / terms;
        int used = Math.Min(workers.Length, count);
        void Run(int w)
        {
            Worker worker = workers[w];
            worker.Reset();
            if (w >= used)
            {
                return;
            }

            // Contiguous shares, so the work each buffer holds depends only on the thread count.
            (int from, int share) = Range(w, used, count);
            for (int i = start + from; i < start + from + share; i++)
            {
                TInput[] input = inputs[order[i]];
                float[] target = targets[order[i]];
                int length = model.OutputLength(model.StepsOf(input.Length));
                float[] output = worker.Output(length);
                float weight = worker.ExampleWeights is { } weights ? weights[order[i]] : 1f;
                // Training mode (a model without dropout ignores the seed): each example's dropout masks come from the batch
                // seed and its place in the batch, so they are the same however the batch is split across threads.
                worker.Loss += (double)weight * model.AccumulateGradients(input, target, loss, scale * weight, worker.Gradients, output, DropoutMasks.SequenceSeed(dropoutSeed, i - start));
                if (metrics.Length > 0)
                {
                    Metrics.Count(model, Training.CountedRows(model, input, output.Length / model.OutputLength(1)), target, output, loss, metrics, worker.Counts, i);
                }
            }
        }

        RunOnWorkers(workers.Length, parallel: used > 1, Run);
        double sum = 0;
        foreach (Worker worker in workers)
        {
            sum += worker.Loss;
            counts.Add(worker.Counts);
        }

        return sum * scale;
    }

    /// <summary>
    /// Sums the threads' gradients, checks them, and applies the optimizer, each part split by parameter range
    /// across the worker threads. A loss, gradient or weight that is not finite ends training with the weights
    /// of the last good step.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss, a gradient or an updated weight is not finite.</exception>
    public void Apply(Optimizer optimizer, double batchLoss, int epoch, int batch)
    {
        ISequenceModel<TInput> model = _model;
        Worker[] workers = _workers;
        float[] gradients = _gradients;
        float[] lastGood = _lastGood;
        int length = gradients.Length;
        int ranges = workers.Length;
        var largest = new float[ranges];
        var squares = new float[ranges];
        void Sum(int r)
        {
            (int from, int count) = Range(r, ranges, length);
            Span<float> total = gradients.AsSpan(from, count);
            workers[0].Gradients.AsSpan(from, count).CopyTo(total);
            for (int w = 1; w < workers.Length; w++)
            {
                TensorPrimitives.Add(total, workers[w].Gradients.AsSpan(from, count), total);
            }

            largest[r] = count == 0 ? 0 : TensorPrimitives.MaxMagnitude(total);
            squares[r] = optimizer.GlobalClipNorm is null ? 0 : TensorPrimitives.SumOfSquares(total);
        }

        RunOnWorkers(ranges, parallel: ranges > 1, Sum);
        if (!double.IsFinite(batchLoss))
        {
            throw new TrainingDivergedException(epoch, batch, $"the loss is {batchLoss}");
        }

        if (!largest.All(float.IsFinite))
        {
            throw new TrainingDivergedException(epoch, batch, "a gradient is not finite");
        }

        float scale = optimizer.ClipScale(squares.Sum());
        optimizer.BeginStep(length);
        void Update(int r)
        {
            (int from, int count) = Range(r, ranges, length);
            Span<float> parameters = model.Parameters.Slice(from, count);
            parameters.CopyTo(lastGood.AsSpan(from, count));
            Span<float> gradient = gradients.AsSpan(from, count);
            optimizer.Clip(gradient, scale);
            optimizer.UpdateRange(parameters, gradient, from);
            largest[r] = count == 0 ? 0 : TensorPrimitives.MaxMagnitude(parameters);
        }

        RunOnWorkers(ranges, parallel: ranges > 1, Update);
        if (!largest.All(float.IsFinite))
        {
            lastGood.CopyTo(model.Parameters);
            throw new TrainingDivergedException(epoch, batch, "the update made a weight infinite or NaN");
        }
    }

    /// <summary>Part <paramref name="index"/> of <paramref name="parts"/> contiguous parts of <c>[0, length)</c>.</summary>
    private static (int From, int Count) Range(int index, int parts, int length)
    {
        int from = (int)((long)length * index / parts);
        int to = (int)((long)length * (index + 1) / parts);
        return (from, to - from);
    }

    /// <summary>Runs <paramref name="body"/> for 0 … count - 1, on parallel threads or inline, reporting a worker's exception as itself.</summary>
    private static void RunOnWorkers(int count, bool parallel, Action<int> body)
    {
        if (!parallel)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = count }, body);
        }
        catch (AggregateException error) when (error.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(error.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>One thread's share of a batch: its own gradient buffer, output buffer and counts.</summary>
    private sealed class Worker
    {
        private float[] _output = Array.Empty<float>();

        public Worker(int parameterCount, int metrics, float[]? exampleWeights, ScoreBuffer? scores)
        {
            Gradients = new float[parameterCount];
            Counts = new MetricCounts(metrics, scores);
            ExampleWeights = exampleWeights;
        }

        /// <summary>Each training example's class weight, by example index; null when every weight is 1. The same array for every worker.</summary>
        public float[]? ExampleWeights { get; }

        public float[] Gradients { get; }

        public MetricCounts Counts { get; }

        public double Loss { get; set; }

        public float[] Output(int length)
        {
            if (_output.Length != length)
            {
                _output = new float[length];
            }

            return _output;
        }

        public void Reset()
        {
            Array.Clear(Gradients);
            Loss = 0;
            Counts.Clear();
        }
    }
}
