using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace RnnDsl;

/// <summary>Metrics reported by <see cref="Training.Fit{TInput}"/> and <see cref="Training.Evaluate{TInput}"/>, as in Keras.</summary>
public enum Metric
{
    /// <summary>Keras <c>'accuracy'</c>: binary, sparse categorical or categorical accuracy, chosen by the loss.</summary>
    Accuracy,

    /// <summary>The fraction of outputs on the right side of 0.5.</summary>
    BinaryAccuracy,

    /// <summary>The fraction of rows whose largest output is the target class index.</summary>
    SparseCategoricalAccuracy,

    /// <summary>The fraction of rows whose largest output is where the one-hot target is largest.</summary>
    CategoricalAccuracy,
}

/// <summary>Keras <c>EarlyStopping</c>: stop when a monitored value stops improving.</summary>
public sealed class EarlyStopping
{
    /// <summary>The history key to watch, such as <c>val_loss</c> (the default) or <c>val_accuracy</c>.</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>Epochs without improvement before training stops.</summary>
    public int Patience { get; init; }

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; init; }

    /// <summary>Put back the weights of the best epoch when training ends.</summary>
    public bool RestoreBestWeights { get; init; }

    /// <summary>Whether larger is better; by default, true for keys containing "accuracy", false otherwise (Keras mode "auto").</summary>
    public bool? HigherIsBetter { get; init; }
}

/// <summary>What <see cref="Training.Fit{TInput}"/> is told to do, in the spirit of Keras <c>compile</c> and <c>fit</c>.</summary>
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

    /// <summary>The fraction of the data, taken from its end before shuffling as Keras does, held out for validation.</summary>
    public double ValidationSplit { get; init; }

    /// <summary>Stop early when a monitored value stops improving.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>Called after every batch.</summary>
    public Action<BatchProgress>? OnBatchEnd { get; init; }

    /// <summary>Called after every epoch, with that epoch's logs.</summary>
    public Action<EpochProgress>? OnEpochEnd { get; init; }

    /// <summary>Threads that share each batch, each with its own gradient buffer. Defaults to the machine's cores.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}

/// <summary>Progress after one batch: 1-based epoch and batch numbers, and the epoch's mean loss so far.</summary>
public readonly record struct BatchProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss);

/// <summary>Progress after one epoch: 1-based epoch number and its logs (<c>loss</c>, metrics, <c>val_</c> values).</summary>
public sealed record EpochProgress(int Epoch, int Epochs, IReadOnlyDictionary<string, double> Logs, TimeSpan Elapsed);

/// <summary>What <see cref="Training.Fit{TInput}"/> returns: Keras <c>History.history</c>, one value per epoch for each key.</summary>
public sealed class History
{
    internal History()
    {
    }

    /// <summary>Per-epoch values by key: <c>loss</c>, metric names, and the same with <c>val_</c> in front.</summary>
    public Dictionary<string, List<double>> Values { get; } = new();

    /// <summary>Epochs run.</summary>
    public int Epochs { get; internal set; }

    /// <summary>Whether early stopping ended training.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>The values of <paramref name="key"/>, one per epoch.</summary>
    public IReadOnlyList<double> this[string key] => Values[key];

    internal void Add(IReadOnlyDictionary<string, double> logs)
    {
        foreach (var (key, value) in logs)
        {
            if (!Values.TryGetValue(key, out List<double>? values))
            {
                Values[key] = values = new List<double>();
            }

            values.Add(value);
        }
    }
}

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

/// <summary>Keras-style training and evaluation for any generated model.</summary>
public static class Training
{
    /// <summary>
    /// Trains the model, like Keras <c>model.fit</c>: shuffled mini-batches, the optimizer, validation,
    /// metrics, early stopping and callbacks. Each batch is split across <see cref="FitOptions.Threads"/>
    /// threads with a gradient buffer each; the buffers are summed in a fixed order, so the result depends
    /// on the thread count only through float rounding.
    /// </summary>
    /// <param name="model">The model to train; its parameters change in place.</param>
    /// <param name="inputs">One sequence per example (token ids, or real values step-major).</param>
    /// <param name="targets">One target array per example: a row per output row (see <c>ComputeGradients</c>).</param>
    /// <param name="options">Epochs, batch size, optimizer, loss, metrics, validation, callbacks.</param>
    /// <param name="validationInputs">Explicit validation examples (Keras <c>validation_data</c>); ignored when <see cref="FitOptions.ValidationSplit"/> is set.</param>
    /// <param name="validationTargets">Their targets.</param>
    /// <exception cref="ArgumentException">The data are empty, mismatched, or out of range for the model.</exception>
    /// <exception cref="TrainingDivergedException">The loss, a gradient or a weight became NaN or infinite.</exception>
    public static History Fit<TInput>(
        this ISequenceModel<TInput> model,
        IReadOnlyList<TInput[]> inputs,
        IReadOnlyList<float[]> targets,
        FitOptions options,
        IReadOnlyList<TInput[]>? validationInputs = null,
        IReadOnlyList<float[]>? validationTargets = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Epochs < 1 || options.BatchSize < 1 || options.Threads < 1)
        {
            throw new ArgumentException("Epochs, BatchSize and Threads must be at least 1.", nameof(options));
        }

        if (options.ValidationSplit is < 0 or >= 1)
        {
            throw new ArgumentException($"ValidationSplit is {options.ValidationSplit}; it must be in [0, 1).", nameof(options));
        }

        // Keras takes the validation split from the end of the data, before any shuffling.
        int validationCount = (int)(inputs.Count * options.ValidationSplit);
        int trainCount = inputs.Count - validationCount;
        if (trainCount == 0)
        {
            throw new ArgumentException("There are no training examples.", nameof(inputs));
        }

        if (validationCount > 0)
        {
            validationInputs = inputs.Skip(trainCount).ToArray();
            validationTargets = targets.Skip(trainCount).ToArray();
        }

        // Everything that can be checked before training is checked here, so bad data never costs an epoch.
        CheckExamples(model, inputs, targets, options.Loss, nameof(inputs), nameof(targets));
        bool validating = validationInputs is not null && validationTargets is not null && validationInputs.Count > 0;
        if (validating)
        {
            CheckExamples(model, validationInputs!, validationTargets!, options.Loss, nameof(validationInputs), nameof(validationTargets));
        }

        if (options.EarlyStopping is { } earlyStopping)
        {
            var keys = new List<string> { "loss" };
            keys.AddRange(options.Metrics.Select(Name));
            if (validating)
            {
                keys.AddRange(keys.Select(k => "val_" + k).ToArray());
            }

            if (!keys.Contains(earlyStopping.Monitor))
            {
                throw new ArgumentException(
                    $"EarlyStopping monitors '{earlyStopping.Monitor}', which this training does not log; it logs {string.Join(", ", keys)}.", nameof(options));
            }
        }

        int parameterCount = model.Parameters.Length;
        int threads = Math.Min(options.Threads, options.BatchSize);
        var workers = new Worker[threads];
        for (int w = 0; w < threads; w++)
        {
            workers[w] = new Worker(parameterCount, options.Metrics.Count);
        }

        var gradients = new float[parameterCount];
        var lastGood = new float[parameterCount];
        var bestWeights = options.EarlyStopping?.RestoreBestWeights == true ? new float[parameterCount] : null;
        int[] order = Enumerable.Range(0, trainCount).ToArray();
        var random = new SeededRandom(options.Seed);
        Metric[] metrics = options.Metrics.ToArray();
        var history = new History();
        double best = double.NaN;
        int wait = 0;
        int batches = (trainCount + options.BatchSize - 1) / options.BatchSize;

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            if (options.Shuffle)
            {
                for (int i = trainCount - 1; i > 0; i--)
                {
                    int j = random.NextInt(i + 1);
                    (order[i], order[j]) = (order[j], order[i]);
                }
            }

            double epochLoss = 0;
            long epochTerms = 0;
            var epochCounts = new MetricCounts(metrics.Length);
            for (int batch = 0; batch < batches; batch++)
            {
                int start = batch * options.BatchSize;
                int count = Math.Min(options.BatchSize, trainCount - start);
                int terms = 0;
                for (int i = start; i < start + count; i++)
                {
                    terms += model.LossTermCount(inputs[order[i]]);
                }

                if (terms > 0)
                {
                    double batchLoss = AccumulateBatch(model, inputs, targets, order, start, count, terms, options.Loss, metrics, workers);
                    foreach (Worker worker in workers)
                    {
                        epochCounts.Add(worker.Counts);
                    }

                    ApplyStep(model, workers, gradients, lastGood, options.Optimizer, batchLoss, epoch, batch + 1);
                    epochLoss += batchLoss * terms;
                    epochTerms += terms;
                }

                options.OnBatchEnd?.Invoke(new BatchProgress(epoch, options.Epochs, batch + 1, batches, epochTerms == 0 ? 0 : epochLoss / epochTerms));
            }

            var logs = new Dictionary<string, double> { ["loss"] = epochTerms == 0 ? 0 : epochLoss / epochTerms };
            epochCounts.WriteTo(logs, metrics);
            if (validationInputs is not null && validationTargets is not null && validationInputs.Count > 0)
            {
                foreach (var (key, value) in model.Evaluate(validationInputs, validationTargets, options.Loss, metrics))
                {
                    logs["val_" + key] = value;
                }
            }

            history.Add(logs);
            history.Epochs = epoch;
            options.OnEpochEnd?.Invoke(new EpochProgress(epoch, options.Epochs, logs, clock.Elapsed));

            if (options.EarlyStopping is { } stopping)
            {
                double current = logs[stopping.Monitor];
                bool higherIsBetter = stopping.HigherIsBetter ?? stopping.Monitor.Contains("accuracy", StringComparison.Ordinal);
                bool improved = double.IsNaN(best) || (higherIsBetter ? current > best + stopping.MinDelta : current < best - stopping.MinDelta);
                if (improved)
                {
                    best = current;
                    wait = 0;
                    if (bestWeights is not null)
                    {
                        model.Parameters.CopyTo(bestWeights);
                    }
                }
                else if (++wait >= stopping.Patience)
                {
                    history.StoppedEarly = true;
                    break;
                }
            }
        }

        if (bestWeights is not null && !double.IsNaN(best))
        {
            bestWeights.CopyTo(model.Parameters);
        }

        return history;
    }

    /// <summary>
    /// Like Keras <c>model.evaluate</c>: the mean loss and the metrics over the given examples, by key
    /// (<c>loss</c>, then each metric's name).
    /// </summary>
    public static IReadOnlyDictionary<string, double> Evaluate<TInput>(
        this ISequenceModel<TInput> model,
        IReadOnlyList<TInput[]> inputs,
        IReadOnlyList<float[]> targets,
        Loss loss,
        IReadOnlyList<Metric>? metrics = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        CheckExamples(model, inputs, targets, loss, nameof(inputs), nameof(targets));
        Metric[] wanted = metrics?.ToArray() ?? Array.Empty<Metric>();
        var counts = new MetricCounts(wanted.Length);
        double total = 0;
        long terms = 0;
        float[] output = Array.Empty<float>();
        float[] scratchGradient = Array.Empty<float>();
        for (int n = 0; n < inputs.Count; n++)
        {
            int steps = model.StepsOf(inputs[n].Length);
            int length = model.OutputLength(steps);
            if (output.Length != length)
            {
                output = new float[length];
                scratchGradient = new float[length];
            }

            model.Predict(inputs[n], output);
            total += RowLosses(model, inputs[n], targets[n], output, loss, wanted, counts, scratchGradient, out int rows);
            terms += rows;
        }

        var logs = new Dictionary<string, double> { ["loss"] = terms == 0 ? 0 : total / terms };
        counts.WriteTo(logs, wanted);
        return logs;
    }

    private static double AccumulateBatch<TInput>(
        ISequenceModel<TInput> model,
        IReadOnlyList<TInput[]> inputs,
        IReadOnlyList<float[]> targets,
        int[] order,
        int start,
        int count,
        int terms,
        Loss loss,
        Metric[] metrics,
        Worker[] workers)
        where TInput : unmanaged
    {
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
                worker.Loss += model.AccumulateGradients(input, target, loss, scale, worker.Gradients, output);
                if (metrics.Length > 0)
                {
                    CountMetrics(model, input, target, output, loss, metrics, worker.Counts);
                }
            }
        }

        RunOnWorkers(workers.Length, parallel: used > 1, Run);
        double sum = 0;
        foreach (Worker worker in workers)
        {
            sum += worker.Loss;
        }

        return sum * scale;
    }

    /// <summary>
    /// Sums the threads' gradients, checks them, and applies the optimizer, each part split by parameter range
    /// across the worker threads. A loss, gradient or weight that is not finite ends training with the weights
    /// of the last good step.
    /// </summary>
    private static void ApplyStep<TInput>(
        ISequenceModel<TInput> model, Worker[] workers, float[] gradients, float[] lastGood, Optimizer optimizer, double batchLoss, int epoch, int batch)
        where TInput : unmanaged
    {
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

    /// <summary>Checks that there is a target per example, each example has a whole number of steps, and each target the length the model needs.</summary>
    private static void CheckExamples<TInput>(
        ISequenceModel<TInput> model, IReadOnlyList<TInput[]> inputs, IReadOnlyList<float[]> targets, Loss loss, string inputsName, string argumentName)
        where TInput : unmanaged
    {
        if (inputs.Count != targets.Count)
        {
            throw new ArgumentException($"{inputsName} has {inputs.Count} examples but {argumentName} has {targets.Count}.", argumentName);
        }

        int width = model.OutputLength(1);
        int targetWidth = LossFunctions.TargetWidth(loss, width);
        for (int n = 0; n < inputs.Count; n++)
        {
            int steps = model.StepsOf(inputs[n].Length);
            int rows = model.OutputLength(steps) / width;
            if (targets[n] is null || targets[n].Length != rows * targetWidth)
            {
                throw new ArgumentException(
                    $"{argumentName}[{n}] has {targets[n]?.Length ?? 0} values; with {steps} steps and loss {loss} this example needs {rows * targetWidth}.", argumentName);
            }
        }
    }

    /// <summary>The summed loss of one example's counted rows, and its metric counts.</summary>
    private static double RowLosses<TInput>(
        ISequenceModel<TInput> model, TInput[] input, float[] target, float[] output, Loss loss, Metric[] metrics, MetricCounts counts, float[] scratch, out int rows)
        where TInput : unmanaged
    {
        int width = model.OutputLength(1);
        int targetWidth = LossFunctions.TargetWidth(loss, width);
        int outputRows = output.Length / width;
        double total = 0;
        rows = 0;
        for (int row = 0; row < outputRows; row++)
        {
            if (IsPadding(model, input, row, outputRows))
            {
                continue;
            }

            total += LossFunctions.Evaluate(loss, output.AsSpan(row * width, width), target.AsSpan(row * targetWidth, targetWidth), 1f, scratch.AsSpan(0, width));
            rows++;
        }

        CountMetrics(model, input, target, output, loss, metrics, counts);
        return total;
    }

    private static bool IsPadding<TInput>(ISequenceModel<TInput> model, TInput[] input, int row, int rows)
        where TInput : unmanaged =>
        model.MasksPaddingSteps && rows == input.Length && typeof(TInput) == typeof(int)
        && MemoryMarshal.Cast<TInput, int>(input.AsSpan())[row] == 0;

    private static void CountMetrics<TInput>(
        ISequenceModel<TInput> model, TInput[] input, float[] target, float[] output, Loss loss, Metric[] metrics, MetricCounts counts)
        where TInput : unmanaged
    {
        int width = model.OutputLength(1);
        int rows = output.Length / width;
        int targetWidth = LossFunctions.TargetWidth(loss, width);
        for (int m = 0; m < metrics.Length; m++)
        {
            Metric metric = Resolve(metrics[m], loss);
            for (int row = 0; row < rows; row++)
            {
                if (IsPadding(model, input, row, rows))
                {
                    continue;
                }

                ReadOnlySpan<float> predicted = output.AsSpan(row * width, width);
                ReadOnlySpan<float> expected = target.AsSpan(row * targetWidth, targetWidth);
                switch (metric)
                {
                    case Metric.BinaryAccuracy:
                        for (int j = 0; j < width; j++)
                        {
                            counts.Add(m, (predicted[j] > 0.5f) == (expected[j] > 0.5f));
                        }

                        break;
                    case Metric.SparseCategoricalAccuracy:
                        counts.Add(m, TensorPrimitives.IndexOfMax(predicted) == (int)expected[0]);
                        break;
                    default:
                        counts.Add(m, TensorPrimitives.IndexOfMax(predicted) == TensorPrimitives.IndexOfMax(expected));
                        break;
                }
            }
        }
    }

    private static Metric Resolve(Metric metric, Loss loss) => metric != Metric.Accuracy ? metric : loss switch
    {
        Loss.SparseCategoricalCrossentropy => Metric.SparseCategoricalAccuracy,
        Loss.CategoricalCrossentropy => Metric.CategoricalAccuracy,
        _ => Metric.BinaryAccuracy,
    };

    internal static string Name(Metric metric) => metric switch
    {
        Metric.Accuracy => "accuracy",
        Metric.BinaryAccuracy => "binary_accuracy",
        Metric.SparseCategoricalAccuracy => "sparse_categorical_accuracy",
        _ => "categorical_accuracy",
    };

    /// <summary>Right and total counts per metric.</summary>
    private sealed class MetricCounts
    {
        private readonly long[] _right;
        private readonly long[] _total;

        public MetricCounts(int metrics)
        {
            _right = new long[metrics];
            _total = new long[metrics];
        }

        public void Add(int metric, bool right)
        {
            _total[metric]++;
            if (right)
            {
                _right[metric]++;
            }
        }

        public void Add(MetricCounts other)
        {
            for (int m = 0; m < _right.Length; m++)
            {
                _right[m] += other._right[m];
                _total[m] += other._total[m];
            }
        }

        public void Clear()
        {
            Array.Clear(_right);
            Array.Clear(_total);
        }

        public void WriteTo(Dictionary<string, double> logs, Metric[] metrics)
        {
            for (int m = 0; m < metrics.Length; m++)
            {
                logs[Name(metrics[m])] = _total[m] == 0 ? 0 : (double)_right[m] / _total[m];
            }
        }
    }

    /// <summary>One thread's share of a batch: its own gradient buffer, output buffer and counts.</summary>
    private sealed class Worker
    {
        private float[] _output = Array.Empty<float>();

        public Worker(int parameterCount, int metrics)
        {
            Gradients = new float[parameterCount];
            Counts = new MetricCounts(metrics);
        }

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
