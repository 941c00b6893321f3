using System;
using System.Buffers;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace RnnDsl;

/// <summary>
/// One training step split across threads: each worker accumulates the gradient of a contiguous share of the
/// batch into its own buffer; the buffers are then summed in a fixed order, checked, and the optimizer applied,
/// each part split by parameter range. The result depends on the thread count only through float rounding.
/// </summary>
internal sealed class DataParallelStep<TInput> : IDisposable
    where TInput : unmanaged
{
    private readonly ISequenceModel<TInput> _model;
    private readonly Worker[] _workers;
    // The summed gradient and the weights before the step, and each worker's gradient: rented, as long as a Fit (the
    // arrays may be longer than the parameters; only the first _parameterCount values are used). Fresh arrays of this
    // size (1.3 MB each for the design card model) cost a Fit call page faults and zeroing every time it was called.
    private readonly float[] _gradients;
    private readonly float[] _lastGood;
    private readonly int _parameterCount;

    // Parameters a pass over a range takes at a time: the gradient, the weights, the optimizer's state and the last good
    // copy of 4,096 parameters stay in L2 between the passes over them. Whole ranges (1.3 MB each for the design card
    // model) went to L3 and back once per pass, and two threads did not make the update faster.
    private const int Chunk = 4096;

    // Per range of parameters: the largest magnitude (of a gradient, then of an updated weight) and the sum of squares.
    private readonly float[] _largest;
    private readonly float[] _squares;

    // The work of one batch, as cached delegates over the fields below, so a step allocates nothing of its own.
    private readonly Action<int> _accumulateShare;
    private readonly Action<int> _sumRange;
    private readonly Action<int> _updateRange;
    private readonly ForkJoin _forkJoin = new(); // its helpers stay awake between the three dispatches of a batch
    private Batch _batch;
    private Optimizer? _optimizer;
    private float _clipScale;

    /// <summary>What <see cref="Accumulate"/> hands its workers.</summary>
    private readonly record struct Batch(
        IReadOnlyList<TInput[]> Inputs, IReadOnlyList<float[]> Targets, int[] Order, int Start, int Count, int Used, float Scale, Loss Loss, Metric[] Metrics, ulong DropoutSeed);

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

        _gradients = ArrayPool<float>.Shared.Rent(parameterCount);
        _lastGood = ArrayPool<float>.Shared.Rent(parameterCount);
        _parameterCount = parameterCount;
        _largest = new float[threads];
        _squares = new float[threads];
        _accumulateShare = AccumulateShare;
        _sumRange = SumRange;
        _updateRange = UpdateRange;
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
        Worker[] workers = _workers;
        int used = Math.Min(workers.Length, count);
        _batch = new Batch(inputs, targets, order, start, count, used, 1f / terms, loss, metrics, dropoutSeed);
        RunOnWorkers(workers.Length, parallel: used > 1, _accumulateShare);
        double sum = 0;
        foreach (Worker worker in workers)
        {
            sum += worker.Loss;
            counts.Add(worker.Counts);
        }

        return sum * _batch.Scale;
    }

    /// <summary>Worker <paramref name="w"/>'s share of the batch <see cref="Accumulate"/> set up: a contiguous run of its examples.</summary>
    private void AccumulateShare(int w)
    {
        ISequenceModel<TInput> model = _model;
        Worker worker = _workers[w];
        Batch batch = _batch;
        worker.Reset();
        if (w >= batch.Used)
        {
            return;
        }

        // Contiguous shares, so the work each buffer holds depends only on the thread count.
        (int from, int share) = Range(w, batch.Used, batch.Count);
        int end = batch.Start + from + share;
        for (int i = batch.Start + from; i < end;)
        {
            int run = model.HasDropout ? 1 : EqualRun(batch, i, end);
            if (run > 1)
            {
                AccumulateRun(worker, batch, i, run);
            }
            else
            {
                AccumulateOne(worker, batch, i);
            }

            i += run;
        }
    }

    /// <summary>
    /// How many examples from <c>order[i]</c> on (before <paramref name="end"/>) have the same input and target lengths: a
    /// model without dropout takes them together, stepping each recurrent layer over all of them at once.
    /// </summary>
    private static int EqualRun(Batch batch, int i, int end)
    {
        int length = batch.Inputs[batch.Order[i]].Length;
        int targetLength = batch.Targets[batch.Order[i]].Length;
        int run = 1;
        while (i + run < end && batch.Inputs[batch.Order[i + run]].Length == length && batch.Targets[batch.Order[i + run]].Length == targetLength)
        {
            run++;
        }

        return run;
    }

    /// <summary>Example <c>order[i]</c> alone, in training mode: dropout masks from the batch seed and its place in the batch.</summary>
    private void AccumulateOne(Worker worker, Batch batch, int i)
    {
        ISequenceModel<TInput> model = _model;
        TInput[] input = batch.Inputs[batch.Order[i]];
        float[] target = batch.Targets[batch.Order[i]];
        int length = model.OutputLength(model.StepsOf(input.Length));
        float[] output = worker.Output(length);
        float weight = worker.Weight(batch.Order[i]);
        // Training mode (a model without dropout ignores the seed): each example's dropout masks come from the batch
        // seed and its place in the batch, so they are the same however the batch is split across threads.
        worker.Loss += (double)weight * model.AccumulateGradients(input, target, batch.Loss, batch.Scale * weight, worker.Gradients, output, DropoutMasks.SequenceSeed(batch.DropoutSeed, i - batch.Start));
        if (batch.Metrics.Length > 0)
        {
            CountMetrics(worker, batch, input, target, output, i);
        }
    }

    /// <summary>Adds the metric counts of example <c>order[i]</c>, from its prediction <paramref name="output"/>, to the worker's.</summary>
    private void CountMetrics(Worker worker, Batch batch, TInput[] input, float[] target, float[] output, int i) =>
        Metrics.Count(_model, Training.CountedRows(_model, input, output.Length / _model.OutputLength(1), ref worker.Counted), target, output, batch.Loss, batch.Metrics, worker.Counts, i);

    /// <summary>
    /// Examples <c>order[i .. i + run)</c>, of equal lengths, through the model together (no dropout): copied back to back
    /// into the worker's buffers, each with its own scale; losses and metrics per example as <see cref="AccumulateOne"/> counts them.
    /// </summary>
    private void AccumulateRun(Worker worker, Batch batch, int i, int run)
    {
        ISequenceModel<TInput> model = _model;
        int inputLength = batch.Inputs[batch.Order[i]].Length;
        int targetLength = batch.Targets[batch.Order[i]].Length;
        int outputLength = model.OutputLength(model.StepsOf(inputLength));
        Span<TInput> inputs = Worker.Grown(ref worker.RunInputs, run * inputLength);
        Span<float> targets = Worker.Grown(ref worker.RunTargets, run * targetLength);
        Span<float> scales = Worker.Grown(ref worker.RunScales, run);
        Span<float> outputs = Worker.Grown(ref worker.RunOutputs, run * outputLength);
        Span<float> losses = Worker.Grown(ref worker.RunLosses, run);
        for (int k = 0; k < run; k++)
        {
            int example = batch.Order[i + k];
            batch.Inputs[example].CopyTo(inputs.Slice(k * inputLength, inputLength));
            batch.Targets[example].CopyTo(targets.Slice(k * targetLength, targetLength));
            scales[k] = batch.Scale * worker.Weight(example);
        }

        model.AccumulateGradients(inputs, run, targets, batch.Loss, scales, worker.Gradients, outputs, losses);
        for (int k = 0; k < run; k++)
        {
            int example = batch.Order[i + k];
            worker.Loss += (double)worker.Weight(example) * losses[k];
            if (batch.Metrics.Length > 0)
            {
                float[] output = worker.Output(outputLength);
                outputs.Slice(k * outputLength, outputLength).CopyTo(output);
                CountMetrics(worker, batch, batch.Inputs[example], batch.Targets[example], output, i + k);
            }
        }
    }

    /// <summary>
    /// Sums the threads' gradients, checks them, and applies the optimizer, each part split by parameter range
    /// across the worker threads. A loss, gradient or weight that is not finite ends training with the weights
    /// of the last good step.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss, a gradient or an updated weight is not finite.</exception>
    public void Apply(Optimizer optimizer, double batchLoss, int epoch, int batch)
    {
        int ranges = _workers.Length;
        _optimizer = optimizer;
        RunOnWorkers(ranges, parallel: ranges > 1, _sumRange);
        if (!double.IsFinite(batchLoss))
        {
            throw new TrainingDivergedException(epoch, batch, $"the loss is {batchLoss}");
        }

        if (!AllFinite(_largest))
        {
            throw new TrainingDivergedException(epoch, batch, "a gradient is not finite");
        }

        float sumOfSquares = 0;
        foreach (float square in _squares)
        {
            sumOfSquares += square;
        }

        _clipScale = optimizer.ClipScale(sumOfSquares);
        optimizer.BeginStep(_parameterCount);
        RunOnWorkers(ranges, parallel: ranges > 1, _updateRange);
        if (!AllFinite(_largest))
        {
            _lastGood.AsSpan(0, _parameterCount).CopyTo(_model.Parameters);
            throw new TrainingDivergedException(epoch, batch, "the update made a weight infinite or NaN");
        }
    }

    /// <summary>
    /// Range <paramref name="r"/> of the gradient: the workers' buffers summed in a fixed order (and cleared for the next
    /// batch), its largest magnitude and sum of squares. Chunk by chunk, so each part stays in cache through the passes over it.
    /// </summary>
    private void SumRange(int r)
    {
        Worker[] workers = _workers;
        (int from, int count) = Range(r, workers.Length, _parameterCount);
        bool norm = _optimizer!.GlobalClipNorm is not null;
        float largest = 0;
        float squares = 0;
        for (int at = from; at < from + count; at += Chunk)
        {
            int length = Math.Min(Chunk, from + count - at);
            Span<float> total = _gradients.AsSpan(at, length);
            Span<float> first = workers[0].Gradients.Slice(at, length);
            first.CopyTo(total);
            first.Clear();
            for (int w = 1; w < workers.Length; w++)
            {
                Span<float> own = workers[w].Gradients.Slice(at, length);
                TensorPrimitives.Add(total, own, total);
                own.Clear();
            }

            largest = MathF.Max(largest, MathF.Abs(TensorPrimitives.MaxMagnitude(total))); // MaxMagnitude keeps the sign: −∞ must count; NaN stays NaN
            squares += norm ? TensorPrimitives.SumOfSquares(total) : 0;
        }

        _largest[r] = largest;
        _squares[r] = squares;
    }

    /// <summary>
    /// Range <paramref name="r"/> of the parameters, chunk by chunk: kept as the last good values, then clipped and
    /// updated, and the largest magnitude of the result. The copy is part of the pass that updates the chunk, so it reads
    /// nothing the update does not read already.
    /// </summary>
    private void UpdateRange(int r)
    {
        (int from, int count) = Range(r, _workers.Length, _parameterCount);
        Span<float> all = _model.Parameters;
        Optimizer optimizer = _optimizer!;
        float largest = 0;
        for (int at = from; at < from + count; at += Chunk)
        {
            int length = Math.Min(Chunk, from + count - at);
            Span<float> parameters = all.Slice(at, length);
            parameters.CopyTo(_lastGood.AsSpan(at, length));
            Span<float> gradient = _gradients.AsSpan(at, length);
            optimizer.Clip(gradient, _clipScale);
            optimizer.UpdateRange(parameters, gradient, at);
            largest = MathF.Max(largest, MathF.Abs(TensorPrimitives.MaxMagnitude(parameters)));
        }

        _largest[r] = largest;
    }

    /// <summary>Gives the rented buffers back. Called once, when the Fit that made this step ends however it ends.</summary>
    public void Dispose()
    {
        foreach (Worker worker in _workers)
        {
            worker.Return();
        }

        ArrayPool<float>.Shared.Return(_gradients);
        ArrayPool<float>.Shared.Return(_lastGood);
    }

    private static bool AllFinite(float[] values)
    {
        foreach (float value in values)
        {
            if (!float.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Part <paramref name="index"/> of <paramref name="parts"/> contiguous parts of <c>[0, length)</c>.</summary>
    private static (int From, int Count) Range(int index, int parts, int length)
    {
        int from = (int)((long)length * index / parts);
        int to = (int)((long)length * (index + 1) / parts);
        return (from, to - from);
    }

    /// <summary>Runs <paramref name="body"/> for 0 … count - 1, on parallel threads or inline, reporting a worker's exception as itself.</summary>
    private void RunOnWorkers(int count, bool parallel, Action<int> body)
    {
        if (!parallel)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        _forkJoin.For(count, body);
    }

    /// <summary>One thread's share of a batch: its own gradient buffer, output buffer and counts.</summary>
    private sealed class Worker
    {
        private float[] _output = Array.Empty<float>();

        /// <summary>The buffer <c>Training.CountedRows</c> writes this worker's output masks into, kept across batches.</summary>
        public bool[] Counted = Array.Empty<bool>();

        public Worker(int parameterCount, int metrics, float[]? exampleWeights, ScoreBuffer? scores)
        {
            _gradients = ArrayPool<float>.Shared.Rent(parameterCount);
            _gradients.AsSpan(0, parameterCount).Clear();
            _parameterCount = parameterCount;
            Counts = new MetricCounts(metrics, scores);
            ExampleWeights = exampleWeights;
        }

        /// <summary>Each training example's class weight, by example index; null when every weight is 1. The same array for every worker.</summary>
        public float[]? ExampleWeights { get; }

        /// <summary>Buffers for a run of equal-length examples taken together, grown as needed and kept across batches.</summary>
        public TInput[] RunInputs = Array.Empty<TInput>();

        public float[] RunTargets = Array.Empty<float>();

        public float[] RunScales = Array.Empty<float>();

        public float[] RunOutputs = Array.Empty<float>();

        public float[] RunLosses = Array.Empty<float>();

        /// <summary>Example <paramref name="example"/>'s class weight, 1 without class weights.</summary>
        public float Weight(int example) => ExampleWeights is { } weights ? weights[example] : 1f;

        /// <summary>The first <paramref name="length"/> values of <paramref name="buffer"/>, grown to hold them if it is shorter.</summary>
        public static Span<T> Grown<T>(ref T[] buffer, int length)
        {
            if (buffer.Length < length)
            {
                buffer = new T[length];
            }

            return buffer.AsSpan(0, length);
        }

        private readonly float[] _gradients;
        private readonly int _parameterCount;

        /// <summary>This worker's gradient sum for the batch; zero at the start of each (the sum of the previous one clears it).</summary>
        public Span<float> Gradients => _gradients.AsSpan(0, _parameterCount);

        /// <summary>Gives the gradient buffer back to the pool; the worker is not used after this.</summary>
        public void Return() => ArrayPool<float>.Shared.Return(_gradients);

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

        /// <summary>Ready for a batch: its gradient buffer is already zero (cleared as the previous batch's sum read it).</summary>
        public void Reset()
        {
            Loss = 0;
            Counts.Clear();
        }
    }
}
