using System;
using System.Collections.Generic;
using System.Linq;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

public class TrainingMetricTests
{
    private static readonly Metric[] Binary = [Metric.Precision, Metric.Recall, Metric.F1Score, Metric.Auc];

    /// <summary>The model's score for each example, from Predict: what the metrics must agree with.</summary>
    private static float[] Scores(OrderModel model, int[][] inputs)
    {
        var output = new float[1];
        return inputs.Select(x =>
        {
            model.Predict(x, output);
            return output[0];
        }).ToArray();
    }

    private static void AssertMatchesClassification(IReadOnlyDictionary<string, double> logs, string prefix, float[] scores, float[] labels)
    {
        Assert.Equal(Classification.Precision(scores, labels), logs[prefix + "precision"], 12);
        Assert.Equal(Classification.Recall(scores, labels), logs[prefix + "recall"], 12);
        Assert.Equal(Classification.F1Score(scores, labels), logs[prefix + "f1_score"], 12);
        Assert.Equal(Classification.RocAuc(scores, labels), logs[prefix + "auc"], 12);
    }

    [Fact]
    public void Evaluate_binary_metrics_equal_the_Classification_functions_on_the_predictions()
    {
        var (inputs, targets) = TrainingTests.OrderTask(150, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        model.Fit(inputs, targets, new FitOptions { Epochs = 2, BatchSize = 16, Optimizer = new Adam(0.01f), Threads = 1 });

        var logs = model.Evaluate(inputs, targets, Loss.BinaryCrossentropy, Binary);
        Assert.Equal(new[] { "loss", "precision", "recall", "f1_score", "auc" }, logs.Keys);
        float[] scores = Scores(model, inputs);
        float[] labels = targets.Select(t => t[0]).ToArray();
        AssertMatchesClassification(logs, string.Empty, scores, labels);
        Assert.InRange(logs["auc"], 0.5, 1); // two epochs of training rank better than chance
        Assert.True(logs["precision"] is > 0 and < 1);
    }

    [Fact]
    public void Training_metrics_count_every_example_of_the_epoch_across_threads()
    {
        // A learning rate of 0 keeps the weights, so the metrics counted during training (on the outputs of each
        // step's forward pass, in two threads, in batches of 7 that leave a short last batch) must equal those of
        // the fixed model over the training examples; the validation metrics those over the validation examples.
        var (inputs, targets) = TrainingTests.OrderTask(120, seed: 1, pairs: false);
        var (validationInputs, validationTargets) = TrainingTests.OrderTask(40, seed: 2, pairs: false);
        var model = new OrderModel(seed: 3);
        TestData.Randomize(model.Parameters, seed: 4);
        var options = new FitOptions
        {
            Epochs = 2,
            BatchSize = 7,
            Optimizer = new Sgd(learningRate: 0f),
            Metrics = [.. Binary, Metric.Accuracy],
            Threads = 2,
        };
        History history = model.Fit(inputs, targets, options, validationInputs, validationTargets);

        var last = history.Values.ToDictionary(pair => pair.Key, pair => pair.Value[^1]);
        AssertMatchesClassification(last, string.Empty, Scores(model, inputs), targets.Select(t => t[0]).ToArray());
        AssertMatchesClassification(last, "val_", Scores(model, validationInputs), validationTargets.Select(t => t[0]).ToArray());
        Assert.Equal(history["auc"][0], history["auc"][1]);
        Assert.True(history["auc"][0] is > 0.3 and < 0.9 and not 0.5); // random weights: some ranking, neither degenerate nor perfect
    }

    [Fact]
    public void Binary_metrics_refuse_models_without_one_score_per_example_and_soft_labels()
    {
        var tagger = new Tagger();
        var error = Assert.Throws<ArgumentException>(() => tagger.Evaluate([[3, 4]], [[1, 2]], Loss.SparseCategoricalCrossentropy, [Metric.Accuracy, Metric.Auc]));
        Assert.Equal("metrics", error.ParamName);
        Assert.StartsWith("metrics[1] is Metric.Auc, a binary metric: it reads one score per example", error.Message);
        Assert.Contains("this model outputs a sequence (4 value(s) per step)", error.Message);

        var stacked = new Stacked();
        error = Assert.Throws<ArgumentException>(() => stacked.Fit([[1, 2]], [[1f]], new FitOptions { Loss = Loss.SparseCategoricalCrossentropy, Metrics = [Metric.F1Score] }));
        Assert.Equal("options", error.ParamName);
        Assert.Contains("options.Metrics[0] is Metric.F1Score", error.Message);
        Assert.Contains("this model outputs 3 values per example", error.Message);

        var (inputs, targets) = TrainingTests.OrderTask(20, seed: 1, pairs: false);
        targets[13] = [0.7f]; // binary cross-entropy takes it; precision does not
        var model = new OrderModel(seed: 3);
        float[] before = model.Parameters.ToArray();
        var label = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(inputs, targets, new FitOptions { Metrics = [Metric.Precision] }));
        Assert.Equal("targets", label.ParamName);
        Assert.StartsWith("targets[13][0] is 0.7; Metric.Precision counts labels 0 and 1 only.", label.Message);
        label = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(inputs.Take(10).ToArray(), targets.Take(10).ToArray(), new FitOptions { Metrics = [Metric.Recall] }, inputs, targets));
        Assert.Equal("validationTargets", label.ParamName);
        Assert.True(model.Parameters.SequenceEqual(before));

        var undefined = Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(inputs, targets, Loss.BinaryCrossentropy, [(Metric)42]));
        Assert.StartsWith("metrics[0] is 42, which is not a Metric", undefined.Message);
    }

    [Fact]
    public void Class_weights_weigh_the_loss_and_its_gradient_by_hand()
    {
        // Every weight 0 but the output bias b = ln 3: the recurrent state stays 0 and each score is sigmoid(ln 3) = 0.75.
        // Labels 1, 0, 0, 1, 1 with class weights {0: 2, 1: 0.5}. Keras's reduction (sum over the batch size):
        // loss = (3 × 0.5 × -ln 0.75 + 2 × 2 × -ln 0.25) / 5, and d loss / d b = sum of w (p - y) / 5
        // = (3 × 0.5 × (0.75 - 1) + 2 × 2 × 0.75) / 5 = 0.525; every other gradient is 0 (the state and the output
        // kernel are 0), up to TensorPrimitives.Tanh(0), which is -6e-8 rather than 0.
        var model = new OrderModel();
        model.Parameters.Clear();
        model.Parameters[^1] = MathF.Log(3);
        int[][] inputs = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [2, 1, 3], [3, 3, 3]];
        float[][] targets = [[1], [0], [0], [1], [1]];
        var recorder = new RecordingOptimizer(OrderModel.ParameterCount);
        var options = new FitOptions
        {
            BatchSize = 5,
            Optimizer = recorder,
            Metrics = [Metric.Accuracy, Metric.Precision, Metric.Auc],
            ClassWeight = new Dictionary<int, float> { [0] = 2f, [1] = 0.5f },
            Shuffle = false,
            Threads = 1,
        };
        History history = model.Fit(inputs, targets, options);

        double expectedLoss = ((3 * 0.5 * -Math.Log(0.75)) + (2 * 2 * -Math.Log(0.25))) / 5;
        Assert.Equal(expectedLoss, history["loss"][0], 6);
        Assert.Equal(0.525f, recorder.Gradient[^1], 6);
        Assert.All(recorder.Gradient[..^1], g => Assert.InRange(g, -1e-7f, 1e-7f));

        // The training metrics are not weighted (Keras's compile metrics are not): every example is predicted 1, right
        // for the three labelled 1 of five. Equal scores rank at one half.
        Assert.Equal(3.0 / 5, history["accuracy"][0], 12);
        Assert.Equal(3.0 / 5, history["precision"][0], 12);
        Assert.Equal(0.5, history["auc"][0], 12);
    }

    [Fact]
    public void Class_weights_weigh_the_loss_but_not_the_training_metrics_as_Keras_compile_metrics()
    {
        // Keras 3 (keras/src/trainers/compile_utils.py, CompileMetrics.update_state) passes the sample weights that
        // class_weight becomes only to weighted_metrics; the metrics given to compile are updated unweighted. With a
        // learning rate of 0 the weights never move, so the epoch's metrics must be Evaluate's on the training data,
        // while the loss stays weighted: the sum of each example's class weight times its loss, over the example count.
        var (inputs, targets) = TrainingTests.OrderTask(80, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        float[] before = model.Parameters.ToArray();
        Metric[] metrics = [Metric.Accuracy, Metric.Precision, Metric.Recall, Metric.F1Score, Metric.Auc];
        var options = new FitOptions
        {
            BatchSize = 16,
            Optimizer = new Sgd(learningRate: 0f),
            Metrics = metrics,
            ClassWeight = new Dictionary<int, float> { [1] = 5f },
            Seed = 5,
            Threads = 2,
        };
        History history = model.Fit(inputs, targets, options);
        Assert.True(model.Parameters.SequenceEqual(before));

        IReadOnlyDictionary<string, double> evaluated = model.Evaluate(inputs, targets, Loss.BinaryCrossentropy, metrics);
        foreach (string name in new[] { "accuracy", "precision", "recall", "f1_score", "auc" })
        {
            Assert.Equal(evaluated[name], history[name][0], 12);
        }

        double weightedLoss = Enumerable.Range(0, inputs.Length)
            .Sum(n => (targets[n][0] == 1f ? 5 : 1) * model.Evaluate([inputs[n]], [targets[n]], Loss.BinaryCrossentropy)["loss"]) / inputs.Length;
        Assert.Equal(weightedLoss, history["loss"][0], 5);
        Assert.NotEqual(evaluated["loss"], history["loss"][0], 3);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_class_weighted_batch_gradient_is_the_weighted_sum_of_per_example_gradients(int threads)
    {
        // Binary (OrderModel) and sparse categorical (Stacked, 3 classes); 9 examples in one batch. The reference adds
        // each example's own gradient from AccumulateGradients, times its class weight, over the batch size.
        var (tokens, labels) = TrainingTests.OrderTask(9, seed: 2, pairs: false);
        var binary = new OrderModel();
        TestData.Randomize(binary.Parameters, seed: 5);
        CheckWeightedGradient(binary, tokens, labels, Loss.BinaryCrossentropy, new Dictionary<int, float> { [0] = 0.25f, [1] = 3f }, threads);

        var stacked = new Stacked();
        TestData.Randomize(stacked.Parameters, seed: 6);
        int[][] sequences = Enumerable.Range(0, 9).Select(n => TestData.Tokens(4 + (n % 3), 50, seed: 10 + n, padding: false)).ToArray();
        float[][] classes = Enumerable.Range(0, 9).Select(n => new[] { (float)(n % 3) }).ToArray();
        CheckWeightedGradient(stacked, sequences, classes, Loss.SparseCategoricalCrossentropy, new Dictionary<int, float> { [0] = 1.5f, [2] = 0.1f }, threads);
    }

    private static void CheckWeightedGradient(ISequenceModel<int> model, int[][] inputs, float[][] targets, Loss loss, Dictionary<int, float> classWeight, int threads)
    {
        int parameters = model.Parameters.Length;
        var expected = new double[parameters];
        double expectedLoss = 0;
        var gradient = new float[parameters];
        var output = new float[model.OutputLength(1)];
        for (int n = 0; n < inputs.Length; n++)
        {
            Array.Clear(gradient);
            float exampleLoss = model.AccumulateGradients(inputs[n], targets[n], loss, 1f, gradient, output);
            float weight = classWeight.GetValueOrDefault((int)targets[n][0], 1f);
            expectedLoss += weight * exampleLoss / inputs.Length;
            for (int i = 0; i < parameters; i++)
            {
                expected[i] += weight * gradient[i] / inputs.Length;
            }
        }

        var recorder = new RecordingOptimizer(parameters);
        var options = new FitOptions { BatchSize = inputs.Length, Optimizer = recorder, Loss = loss, ClassWeight = classWeight, Threads = threads };
        History history = model.Fit(inputs, targets, options);

        Assert.Equal(expectedLoss, history["loss"][0], 5);
        double largest = expected.Max(Math.Abs);
        Assert.True(largest > 1e-3);
        for (int i = 0; i < parameters; i++)
        {
            Assert.True(Math.Abs(recorder.Gradient[i] - expected[i]) <= 1e-5 * largest, $"{loss} gradient {i}: {recorder.Gradient[i]}, expected {expected[i]}");
        }
    }

    [Fact]
    public void Class_weights_are_refused_where_Keras_has_no_class()
    {
        var weights = new Dictionary<int, float> { [1] = 2f };
        var forecaster = new Forecaster();
        var error = Assert.Throws<ArgumentException>(() => forecaster.Fit([new float[10]], [[0.5f]], new FitOptions { Loss = Loss.MeanSquaredError, ClassWeight = weights }));
        Assert.Contains("options.ClassWeight needs a classification loss", error.Message);

        var tagger = new Tagger();
        error = Assert.Throws<ArgumentException>(() => tagger.Fit([[3, 4]], [[1, 2]], new FitOptions { Loss = Loss.SparseCategoricalCrossentropy, ClassWeight = weights }));
        Assert.Contains("this model outputs a sequence", error.Message);

        var (inputs, targets) = TrainingTests.OrderTask(20, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(inputs, targets, new FitOptions { ClassWeight = new Dictionary<int, float> { [2] = 1f } }));
        Assert.StartsWith("options.ClassWeight has class 2; this model's classes are 0 to 1.", outOfRange.Message);
        error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, new FitOptions { ClassWeight = new Dictionary<int, float> { [0] = -1f } }));
        Assert.StartsWith("options.ClassWeight[0] is -1; a class weight must be a finite number of at least 0.", error.Message);
        // Weights that leave every training example at 0 would log a loss of 0 and learn nothing.
        error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, new FitOptions { ClassWeight = new Dictionary<int, float> { [0] = 0f, [1] = 0f } }));
        Assert.Equal("options", error.ParamName);
        Assert.StartsWith("options.ClassWeight gives every training example weight 0", error.Message);
        float[][] ones = targets.Select(_ => new[] { 1f }).ToArray();
        error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, ones, new FitOptions { ClassWeight = new Dictionary<int, float> { [1] = 0f } }));
        Assert.StartsWith("options.ClassWeight gives every training example weight 0", error.Message);
        model.Fit(inputs, targets, new FitOptions { ClassWeight = new Dictionary<int, float> { [1] = 0f }, Threads = 1 }); // class 0 still counts

        targets[6] = [0.3f];
        outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(inputs, targets, new FitOptions { ClassWeight = weights }));
        Assert.StartsWith("targets[6][0] is 0.3; with options.ClassWeight the label is the class, so it must be 0 or 1.", outOfRange.Message);
    }

    /// <summary>Takes no step: keeps the gradient it is given (in parts, when several threads apply it).</summary>
    private sealed class RecordingOptimizer(int parameters) : Optimizer
    {
        public float[] Gradient { get; } = new float[parameters];

        protected override int StateCount => 0;

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration, int offset) =>
            gradients.CopyTo(Gradient.AsSpan(offset));
    }

    [Theory]
    [InlineData("loss", false)]
    [InlineData("val_loss", false)]
    [InlineData("accuracy", true)]
    [InlineData("val_binary_accuracy", true)]
    [InlineData("val_precision", true)]
    [InlineData("recall", true)]
    [InlineData("val_f1_score", true)]
    [InlineData("val_auc", true)]
    public void Monitored_keys_know_which_way_is_better(string key, bool higherIsBetter) =>
        Assert.Equal(higherIsBetter, Metrics.HigherIsBetter(key));
}
