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
