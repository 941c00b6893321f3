using System;
using System.Collections.Generic;
using System.Linq;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

public class TrainingTests
{
    /// <summary>
    /// Sequences of 6 tokens holding one 1 and one 2 among fillers 3..9; the label is whether the 1 comes
    /// first. The test set is made of pairs that differ only by swapping the 1 and the 2: the same bag of
    /// words with opposite labels, so any bag-of-words model scores exactly 50% on it.
    /// </summary>
    internal static (int[][] Inputs, float[][] Targets) OrderTask(int count, int seed, bool pairs)
    {
        var random = new SeededRandom(seed);
        var inputs = new List<int[]>();
        var targets = new List<float[]>();
        while (inputs.Count < count)
        {
            var tokens = new int[6];
            for (int t = 0; t < 6; t++)
            {
                tokens[t] = 3 + random.NextInt(7);
            }

            int a = random.NextInt(6);
            int b = (a + 1 + random.NextInt(5)) % 6;
            tokens[a] = 1;
            tokens[b] = 2;
            inputs.Add(tokens);
            targets.Add([a < b ? 1f : 0f]);
            if (pairs)
            {
                int[] swapped = (int[])tokens.Clone();
                (swapped[a], swapped[b]) = (2, 1);
                inputs.Add(swapped);
                targets.Add([a < b ? 0f : 1f]);
            }
        }

        return (inputs.ToArray(), targets.ToArray());
    }

    private static FitOptions Options(int threads = 1, int epochs = 12) => new()
    {
        Epochs = epochs,
        BatchSize = 32,
        Optimizer = new Adam(learningRate: 0.01f),
        Loss = Loss.BinaryCrossentropy,
        Metrics = [Metric.Accuracy],
        Seed = 5,
        Threads = threads,
    };

    [Fact]
    public void Learns_a_task_that_needs_word_order()
    {
        var (trainInputs, trainTargets) = OrderTask(1200, seed: 1, pairs: false);
        var (testInputs, testTargets) = OrderTask(400, seed: 2, pairs: true);
        var model = new OrderModel(seed: 3);
        History history = model.Fit(trainInputs, trainTargets, Options());

        var result = model.Evaluate(testInputs, testTargets, Loss.BinaryCrossentropy, [Metric.Accuracy]);
        Assert.True(result["accuracy"] >= 0.95, $"test accuracy {result["accuracy"]:F3}; training loss by epoch: {string.Join(", ", history["loss"].Select(l => l.ToString("F3")))}");
        Assert.True(history["loss"][^1] < history["loss"][0] / 4);
        Assert.Equal(12, history["accuracy"].Count);
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        var (inputs, targets) = OrderTask(200, seed: 1, pairs: false);
        var first = new OrderModel(seed: 3);
        var second = new OrderModel(seed: 3);
        first.Fit(inputs, targets, Options(epochs: 2));
        second.Fit(inputs, targets, Options(epochs: 2));
        Assert.True(first.Parameters.SequenceEqual(second.Parameters));
    }

    [Fact]
    public void One_and_two_threads_give_the_same_weights_up_to_rounding()
    {
        var (inputs, targets) = OrderTask(300, seed: 1, pairs: false);
        var single = new OrderModel(seed: 3);
        var dual = new OrderModel(seed: 3);
        single.Fit(inputs, targets, Options(threads: 1, epochs: 1));
        dual.Fit(inputs, targets, Options(threads: 2, epochs: 1));
        float[] a = single.Parameters.ToArray();
        float[] b = dual.Parameters.ToArray();
        Assert.False(a.SequenceEqual(new OrderModel(seed: 3).Parameters.ToArray())); // training moved the weights
        for (int i = 0; i < a.Length; i++)
        {
            // Only the order of float additions differs; after 10 Adam steps of size ~0.01 that is far below 1e-4.
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-4f, $"parameter {i}: {a[i]} with 1 thread, {b[i]} with 2");
        }
    }

    [Fact]
    public void Clipping_applies_in_Fits_parallel_step()
    {
        // Plain SGD with the global norm clipped to 1e-3: each of the 4 steps moves the weights by at most
        // lr * 1e-3 = 1e-4 in L2 norm, and the raw gradients here are far larger than that.
        var (inputs, targets) = OrderTask(128, seed: 1, pairs: false);
        foreach (int threads in new[] { 1, 2 })
        {
            var model = new OrderModel(seed: 3);
            float[] before = model.Parameters.ToArray();
            var steps = new List<float[]>();
            var options = new FitOptions
            {
                Epochs = 1,
                BatchSize = 32,
                Optimizer = new Sgd(learningRate: 0.1f) { GlobalClipNorm = 1e-3f },
                Threads = threads,
                OnBatchEnd = _ => steps.Add(model.Parameters.ToArray()),
            };
            model.Fit(inputs, targets, options);
            Assert.Equal(4, steps.Count);
            float[] previous = before;
            foreach (float[] weights in steps)
            {
                double moved = Math.Sqrt(weights.Zip(previous, (a, b) => (double)(a - b) * (a - b)).Sum());
                Assert.InRange(moved, 0.99e-4, 1.01e-4); // clipped to exactly the bound: the raw step is larger
                previous = weights;
            }
        }
    }

    [Fact]
    public void Divergence_stops_with_epoch_and_batch_and_keeps_the_last_good_weights()
    {
        var (inputs, targets) = OrderTask(96, seed: 1, pairs: false);
        var model = new Forecaster();
        float[][] series = inputs.Select(s => s.Take(5).Select(v => (float)v).ToArray()).ToArray();
        float[][] values = targets.Select(t => new[] { t[0] * 1e30f }).ToArray(); // squared errors overflow float
        float[]? lastGood = null;
        var options = new FitOptions
        {
            Epochs = 3,
            BatchSize = 32,
            Optimizer = new Sgd(learningRate: 1e-3f),
            Loss = Loss.MeanSquaredError,
            Shuffle = false,
            Threads = 1,
            OnBatchEnd = _ => lastGood = model.Parameters.ToArray(),
        };
        float[] initial = model.Parameters.ToArray();
        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(series, values, options));
        Assert.Equal(1, error.Epoch);
        Assert.Equal(1, error.Batch);
        Assert.Contains("epoch 1, batch 1", error.Message);
        Assert.Null(lastGood);
        Assert.True(model.Parameters.SequenceEqual(initial)); // nothing was applied

        // An update that makes a weight NaN, −∞ or +∞ on the second step: the first step's weights stay. (−∞ once
        // slipped through: the check took the largest signed value of each chunk, and −∞ is the smallest.)
        foreach (float poison in new[] { float.NaN, float.NegativeInfinity, float.PositiveInfinity })
        {
            var (tokens, labels) = OrderTask(64, seed: 4, pairs: false);
            var order = new OrderModel(seed: 3);
            float[]? afterFirst = null;
            var poisoned = new FitOptions
            {
                Epochs = 1,
                BatchSize = 32,
                Optimizer = new NaNOnSecondStep(poison),
                Shuffle = false,
                Threads = 2,
                OnBatchEnd = progress => afterFirst ??= order.Parameters.ToArray(),
            };
            error = Assert.Throws<TrainingDivergedException>(() => order.Fit(tokens, labels, poisoned));
            Assert.Equal(2, error.Batch);
            Assert.Contains("the update made a weight infinite or NaN", error.Message);
            Assert.NotNull(afterFirst);
            Assert.False(afterFirst.AsSpan().SequenceEqual(new OrderModel(seed: 3).Parameters)); // the first step was applied
            Assert.True(order.Parameters.SequenceEqual(afterFirst));
            Assert.True(order.Parameters.ToArray().All(float.IsFinite));
        }
    }

    [Fact]
    public void Early_stopping_stops_after_patience_and_restores_the_best_weights()
    {
        var (inputs, targets) = OrderTask(200, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        var weightsByEpoch = new List<float[]>();
        var options = new FitOptions
        {
            Epochs = 20,
            BatchSize = 32,
            Optimizer = new Adam(learningRate: 0.01f),
            Seed = 5,
            Threads = 1,
            // The loss falls every epoch, so "higher is better" never improves after epoch 1.
            EarlyStopping = new EarlyStopping { Monitor = "loss", Patience = 2, HigherIsBetter = true, RestoreBestWeights = true },
            OnEpochEnd = _ => weightsByEpoch.Add(model.Parameters.ToArray()),
        };
        History history = model.Fit(inputs, targets, options);
        Assert.True(history.StoppedEarly);
        Assert.Equal(3, history.Epochs);
        Assert.True(model.Parameters.SequenceEqual(weightsByEpoch[0]));
        Assert.False(weightsByEpoch[2].AsSpan().SequenceEqual(weightsByEpoch[0]));
    }

    [Theory]
    [InlineData("val_loss")]
    [InlineData("val_accuracy")]
    [InlineData("val_auc")]
    public void Early_stopping_with_Keras_defaults_stops_at_the_first_epoch_without_improvement(string monitor)
    {
        // Keras defaults: patience 0, min_delta 0, mode "auto", restore_best_weights False. The validation
        // labels are the opposite of the rule the model learns, so the validation loss rises and the
        // validation accuracy falls once training takes hold.
        var (inputs, targets) = OrderTask(200, seed: 1, pairs: false);
        var (validationInputs, validationTargets) = OrderTask(60, seed: 9, pairs: false);
        float[][] flipped = validationTargets.Select(t => new[] { 1f - t[0] }).ToArray();
        var model = new OrderModel(seed: 3);
        var weightsByEpoch = new List<float[]>();
        var options = new FitOptions
        {
            Epochs = 20,
            BatchSize = 32,
            Optimizer = new Adam(learningRate: 0.01f),
            Metrics = [Metric.Accuracy, Metric.Auc],
            Seed = 5,
            Threads = 1,
            EarlyStopping = new EarlyStopping { Monitor = monitor },
            OnEpochEnd = _ => weightsByEpoch.Add(model.Parameters.ToArray()),
        };
        History history = model.Fit(inputs, targets, options, validationInputs, flipped);

        // Keras's rule: stop at the first epoch whose value is not better than the best so far;
        // "auto" mode takes higher as better for accuracy and AUC and lower for loss.
        IReadOnlyList<double> values = history[monitor];
        bool higherIsBetter = monitor != "val_loss";
        int expectedEpochs = values.Count;
        double best = values[0];
        for (int e = 1; e < values.Count; e++)
        {
            if (higherIsBetter ? values[e] > best : values[e] < best)
            {
                best = values[e];
            }
            else
            {
                expectedEpochs = e + 1;
                break;
            }
        }

        Assert.True(history.StoppedEarly, $"{monitor} by epoch: {string.Join(", ", values.Select(v => v.ToString("F4")))}");
        Assert.True(history.Epochs < options.Epochs);
        Assert.Equal(expectedEpochs, history.Epochs);
        Assert.Equal(history.Epochs, weightsByEpoch.Count);

        // Without RestoreBestWeights the model keeps the weights of the last epoch run, as in Keras.
        Assert.True(model.Parameters.SequenceEqual(weightsByEpoch[^1]));
        Assert.False(weightsByEpoch[^1].AsSpan().SequenceEqual(weightsByEpoch[0]));
    }

    [Fact]
    public void Validation_split_and_callbacks_report_what_Keras_reports()
    {
        var (inputs, targets) = OrderTask(100, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        var batches = new List<BatchProgress>();
        var epochs = new List<EpochProgress>();
        var options = new FitOptions
        {
            Epochs = 2,
            BatchSize = 16,
            Metrics = [Metric.BinaryAccuracy],
            ValidationSplit = 0.2,
            Threads = 2,
            OnBatchEnd = batches.Add,
            OnEpochEnd = epochs.Add,
        };
        History history = model.Fit(inputs, targets, options);

        // 80 training examples in batches of 16: 5 a epoch; the last 20 examples validate.
        Assert.Equal(10, batches.Count);
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, batches.Take(5).Select(b => b.Batch));
        Assert.All(batches, b => Assert.Equal(5, b.Batches));
        Assert.Equal(2, epochs.Count);
        Assert.Equal(new[] { "loss", "binary_accuracy", "val_loss", "val_binary_accuracy" }, history.Values.Keys);
        var validation = model.Evaluate(inputs.Skip(80).ToArray(), targets.Skip(80).ToArray(), Loss.BinaryCrossentropy, [Metric.BinaryAccuracy]);
        Assert.Equal(validation["loss"], history["val_loss"][^1], 6);
        Assert.Equal(validation["binary_accuracy"], history["val_binary_accuracy"][^1], 6);
    }

    [Fact]
    public void Explicit_validation_data_is_evaluated_after_every_epoch()
    {
        var (inputs, targets) = OrderTask(64, seed: 1, pairs: false);
        var (validationInputs, validationTargets) = OrderTask(20, seed: 9, pairs: true);
        var model = new OrderModel(seed: 3);
        var options = new FitOptions { Epochs = 2, BatchSize = 16, Metrics = [Metric.Accuracy], Threads = 1 };
        History history = model.Fit(inputs, targets, options, validationInputs, validationTargets);
        Assert.Equal(2, history["val_loss"].Count);
        var validation = model.Evaluate(validationInputs, validationTargets, Loss.BinaryCrossentropy, [Metric.Accuracy]);
        Assert.Equal(validation["loss"], history["val_loss"][^1], 6);
        Assert.Equal(validation["accuracy"], history["val_accuracy"][^1], 6);
    }

    [Fact]
    public void Evaluate_loss_equals_the_ComputeGradients_loss()
    {
        // A masked sequence output: padding steps count in neither.
        var model = new Tagger();
        TestData.Randomize(model.Parameters, seed: 2);
        int[][] inputs = [[3, 4, 0, 5], [0, 6, 7, 8]];
        float[][] targets = [[1, 2, 0, 3], [0, 1, 1, 2]];
        float viaGradients = model.ComputeGradients(inputs.SelectMany(x => x).ToArray(), targets.SelectMany(x => x).ToArray(), 2, new float[Tagger.ParameterCount], Loss.SparseCategoricalCrossentropy);
        var evaluated = model.Evaluate(inputs, targets, Loss.SparseCategoricalCrossentropy, [Metric.Accuracy]);
        Assert.Equal(viaGradients, evaluated["loss"], 5);
        Assert.InRange(evaluated["accuracy"], 0, 1);
    }

    [Fact]
    public void Real_valued_sequence_models_train_too()
    {
        // Tag each step by the sign pattern of its two features: a per-step softmax over 3 classes.
        var random = new SeededRandom(1);
        var inputs = new List<float[]>();
        var targets = new List<float[]>();
        for (int n = 0; n < 300; n++)
        {
            var x = new float[8];
            var y = new float[4];
            for (int t = 0; t < 4; t++)
            {
                x[2 * t] = (float)(random.NextDouble() * 2 - 1);
                x[2 * t + 1] = (float)(random.NextDouble() * 2 - 1);
                y[t] = x[2 * t] > 0 ? (x[2 * t + 1] > 0 ? 2 : 1) : 0;
            }

            inputs.Add(x);
            targets.Add(y);
        }

        var model = new SequenceTagger(seed: 1);
        var options = new FitOptions { Epochs = 30, BatchSize = 16, Optimizer = new Adam(0.02f), Loss = Loss.SparseCategoricalCrossentropy, Metrics = [Metric.Accuracy], Threads = 2 };
        History history = model.Fit(inputs, targets, options);
        Assert.True(history["accuracy"][^1] > 0.9, $"accuracy {history["accuracy"][^1]:F3}");
    }

    [Fact]
    public void A_training_step_allocates_nothing_after_warm_up()
    {
        var model = new SentimentModel();
        int[] tokens = TestData.Tokens(32 * 50, 10000, seed: 1, padding: false);
        float[] targets = Enumerable.Range(0, 32).Select(i => (float)(i % 2)).ToArray();
        var gradients = new float[SentimentModel.ParameterCount];
        var adam = new Adam();
        model.ComputeGradients(tokens, targets, 32, gradients, Loss.BinaryCrossentropy);
        adam.Step(model.Parameters, gradients);

        long before = TestData.AllocatedBytes();
        for (int step = 0; step < 5; step++)
        {
            model.ComputeGradients(tokens, targets, 32, gradients, Loss.BinaryCrossentropy);
            adam.Step(model.Parameters, gradients);
        }

        Assert.Equal(0, TestData.AllocatedBytes() - before);
    }

    [Fact]
    public void Fit_rejects_bad_data_before_training_and_changes_nothing()
    {
        var (inputs, targets) = OrderTask(64, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        float[] before = model.Parameters.ToArray();

        float[][] shortTarget = targets.ToArray();
        shortTarget[40] = [];
        var error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, shortTarget, Options(threads: 2)));
        Assert.Contains("targets[40] has 0 values", error.Message);

        error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets.Take(63).ToArray(), Options()));
        Assert.Contains("inputs has 64 examples but targets has 63", error.Message);
        error = Assert.Throws<ArgumentException>(() => model.Evaluate(inputs, targets.Take(63).ToArray(), Loss.BinaryCrossentropy));
        Assert.Equal("targets", error.ParamName);

        error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, new FitOptions { EarlyStopping = new EarlyStopping() }));
        Assert.Contains("'val_loss'", error.Message);

        // A token out of range is found before the first epoch and named by example and position.
        int[][] badToken = inputs.Select(x => (int[])x.Clone()).ToArray();
        badToken[50][2] = 99;
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(badToken, targets, Options(threads: 2, epochs: 1)));
        Assert.Equal("inputs", outOfRange.ParamName);
        Assert.StartsWith("inputs[50][2] is 99; token ids must be in [0, 10).", outOfRange.Message);
        Assert.True(model.Parameters.SequenceEqual(before));
    }

    [Fact]
    public void An_exception_on_a_worker_thread_is_reported_as_itself()
    {
        var (inputs, targets) = OrderTask(64, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        var options = new FitOptions { Epochs = 1, BatchSize = 32, Optimizer = new ThrowingOptimizer(), Threads = 2 };
        var error = Assert.Throws<InvalidOperationException>(() => model.Fit(inputs, targets, options));
        Assert.Equal(ThrowingOptimizer.Message, error.Message);
    }

    [Fact]
    public void ComputeGradients_checks_its_spans()
    {
        var model = new OrderModel();
        var error = Assert.Throws<ArgumentException>(() => model.ComputeGradients([1, 2, 3, 4], [1f], 2, new float[OrderModel.ParameterCount], Loss.BinaryCrossentropy));
        Assert.Equal("targets", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => model.ComputeGradients([1, 2, 3, 4], [1f, 0f], 2, new float[3], Loss.BinaryCrossentropy));
        Assert.Equal("gradients", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ComputeGradients([1, 2, 3, 40], [1f, 0f], 2, new float[OrderModel.ParameterCount], Loss.BinaryCrossentropy));
    }

    /// <summary>An optimizer whose update fails, as a bug in a custom rule would, on whichever thread runs it.</summary>
    private sealed class ThrowingOptimizer : Optimizer
    {
        public const string Message = "This update rule is broken.";

        protected override int StateCount => 0;

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration, int offset) =>
            throw new InvalidOperationException(Message);
    }

    /// <summary>Plain SGD whose second step writes NaN into the first weight, as a broken update would.</summary>
    private sealed class NaNOnSecondStep : Optimizer
    {
        private readonly float _poison;

        public NaNOnSecondStep(float poison = float.NaN)
        {
            LearningRate = 0.1f;
            _poison = poison;
        }

        protected override int StateCount => 0;

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration, int offset)
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] -= LearningRate * gradients[i];
            }

            if (iteration == 2 && offset == 0)
            {
                parameters[0] = _poison;
            }
        }
    }
}
