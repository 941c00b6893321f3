using System;
using System.Collections.Generic;
using System.Linq;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>Fit's Keras habits: History lookups, validation splits, one target per example.</summary>
public class KerasHabitTests
{
    private static FitOptions Quick(double validationSplit = 0) => new()
    {
        Epochs = 1,
        BatchSize = 16,
        Optimizer = new Adam(0.01f),
        Metrics = [Metric.Accuracy],
        ValidationSplit = validationSplit,
        Threads = 1,
    };

    [Fact]
    public void Asking_History_for_a_missing_key_names_it_and_lists_the_keys()
    {
        var (inputs, targets) = TrainingTests.OrderTask(40, seed: 1, pairs: false);
        History history = new OrderModel(seed: 3).Fit(inputs, targets, Quick(validationSplit: 0.25));
        var error = Assert.Throws<KeyNotFoundException>(() => history["val_auc"]);
        Assert.Equal("no 'val_auc' in the history; it has: loss, accuracy, val_loss, val_accuracy.", error.Message);
        Assert.Single(history["val_accuracy"]);
    }

    [Theory]
    [InlineData(50, 0.01, 1)] // floor(50 × 0.99) = 49 train: Keras 3 holds out 1, not floor(50 × 0.01) = 0
    [InlineData(55, 0.1, 6)] // floor(49.5) = 49 train
    [InlineData(40, 0.25, 10)]
    public void Validation_split_takes_Keras_3s_count_from_the_end(int count, double split, int expectedValidation)
    {
        var (inputs, targets) = TrainingTests.OrderTask(count, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        var batches = new List<BatchProgress>();
        var options = new FitOptions { Epochs = 1, BatchSize = 4, ValidationSplit = split, Threads = 1, OnBatchEnd = batches.Add };
        History history = model.Fit(inputs, targets, options);

        Assert.Equal((count - expectedValidation + 3) / 4, batches[0].Batches);
        double expected = model.Evaluate(inputs.Skip(count - expectedValidation).ToArray(), targets.Skip(count - expectedValidation).ToArray(), Loss.BinaryCrossentropy)["loss"];
        Assert.Equal(expected, history["val_loss"][0], 12);
    }

    [Fact]
    public void Explicit_validation_data_wins_over_ValidationSplit_as_in_Keras_and_is_checked()
    {
        // Keras 3's fit splits only when no validation_data is given ("validation_data will override
        // validation_split"): every example trains and the explicit data validates.
        var (inputs, targets) = TrainingTests.OrderTask(40, seed: 1, pairs: false);
        var (validationInputs, validationTargets) = TrainingTests.OrderTask(12, seed: 2, pairs: false);
        var model = new OrderModel(seed: 3);
        var batches = new List<BatchProgress>();
        var options = new FitOptions { Epochs = 1, BatchSize = 8, Metrics = [Metric.Accuracy], ValidationSplit = 0.25, Threads = 1, OnBatchEnd = batches.Add };
        History history = model.Fit(inputs, targets, options, validationInputs, validationTargets);

        Assert.Equal(5, batches[0].Batches); // 40 examples; the split would have left 30, in 4 batches
        var validation = model.Evaluate(validationInputs, validationTargets, Loss.BinaryCrossentropy, [Metric.Accuracy]);
        Assert.Equal(validation["loss"], history["val_loss"][0], 12);
        Assert.Equal(validation["accuracy"], history["val_accuracy"][0], 12);

        // The explicit data is checked as it is without a split, before any work.
        float[] before = model.Parameters.ToArray();
        validationInputs[3] = [1, 2, 10];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(inputs, targets, options, validationInputs, validationTargets));
        Assert.Equal("validationInputs", error.ParamName);
        Assert.StartsWith("validationInputs[3][2] is 10; token ids must be in [0, 10).", error.Message);
        Assert.True(model.Parameters.SequenceEqual(before));

        // A split that could not be taken is not refused, since it is not used; a NaN one still is.
        validationInputs[3] = [1, 2, 3];
        model.Fit(inputs.Take(3).ToArray(), targets.Take(3).ToArray(), Quick(validationSplit: 0.9), validationInputs, validationTargets);
        Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, Quick(validationSplit: double.NaN), validationInputs, validationTargets));
    }

    [Fact]
    public void Validation_that_would_be_empty_or_NaN_is_refused()
    {
        var (inputs, targets) = TrainingTests.OrderTask(50, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        float[] before = model.Parameters.ToArray();

        // 1 - 1e-17 is 1 in double, so nothing is held out; Keras refuses the same.
        var error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, Quick(validationSplit: 1e-17)));
        Assert.Equal("options", error.ParamName);
        Assert.StartsWith("options.ValidationSplit 1E-17 of 50 examples leaves 50 to train on and 0 to validate on;", error.Message);

        // floor(3 × 0.1) = 0 training examples.
        error = Assert.Throws<ArgumentException>(() => model.Fit(inputs.Take(3).ToArray(), targets.Take(3).ToArray(), Quick(validationSplit: 0.9)));
        Assert.StartsWith("options.ValidationSplit 0.9 of 3 examples leaves 0 to train on and 3 to validate on;", error.Message);

        error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, Quick(validationSplit: double.NaN)));
        Assert.StartsWith("options.ValidationSplit is NaN; it must be in [0, 1).", error.Message);
        Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, Quick(validationSplit: 1)));

        error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, Quick(), Array.Empty<int[]>(), Array.Empty<float[]>()));
        Assert.Equal("validationInputs", error.ParamName);
        Assert.StartsWith("validationInputs has no examples", error.Message);

        error = Assert.Throws<ArgumentException>(() => model.Fit(Array.Empty<int[]>(), Array.Empty<float[]>(), Quick()));
        Assert.Equal("inputs", error.ParamName);
        Assert.True(model.Parameters.SequenceEqual(before));
    }

    [Fact]
    public void One_target_per_example_trains_and_evaluates_as_one_row_each()
    {
        var (inputs, targets) = TrainingTests.OrderTask(64, seed: 1, pairs: false);
        var (validationInputs, validationTargets) = TrainingTests.OrderTask(20, seed: 2, pairs: false);
        float[] labels = targets.Select(t => t[0]).ToArray();
        float[] validationLabels = validationTargets.Select(t => t[0]).ToArray();
        var rows = new OrderModel(seed: 3);
        var flat = new OrderModel(seed: 3);
        History byRows = rows.Fit(inputs, targets, Quick(), validationInputs, validationTargets);
        History byValue = flat.Fit(inputs, labels, Quick(), validationInputs, validationLabels);

        Assert.True(flat.Parameters.SequenceEqual(rows.Parameters));
        Assert.Equal(byRows["val_accuracy"], byValue["val_accuracy"]);
        Assert.Equal(rows.Evaluate(inputs, targets, Loss.BinaryCrossentropy, [Metric.Auc]), flat.Evaluate(inputs, labels, Loss.BinaryCrossentropy, [Metric.Auc]));

        // Class indices of a 3-way softmax over the whole sequence, one per example.
        var stacked = new Stacked(seed: 1);
        int[][] sequences = [[1, 2, 3], [4, 5], [6, 7, 8, 9]];
        var scores = stacked.Evaluate(sequences, [0f, 2f, 1f], Loss.SparseCategoricalCrossentropy, [Metric.Accuracy]);
        Assert.Equal(stacked.Evaluate(sequences, [[0f], [2f], [1f]], Loss.SparseCategoricalCrossentropy, [Metric.Accuracy]), scores);
    }

    [Fact]
    public void One_target_per_example_names_places_as_written_and_refuses_models_that_take_more()
    {
        var (inputs, targets) = TrainingTests.OrderTask(10, seed: 1, pairs: false);
        float[] labels = targets.Select(t => t[0]).ToArray();
        labels[4] = float.NaN;
        var model = new OrderModel(seed: 3);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, labels, Quick()));
        Assert.StartsWith("targets[4] is NaN; targets must be finite numbers.", error.Message);
        labels[4] = 0.5f;
        var label = Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(inputs, labels, Loss.BinaryCrossentropy, [Metric.Recall]));
        Assert.StartsWith("targets[4] is 0.5; Metric.Recall counts labels 0 and 1 only.", label.Message);

        var tagger = new Tagger();
        error = Assert.Throws<ArgumentException>(() => tagger.Evaluate([[3, 4]], [1f], Loss.SparseCategoricalCrossentropy));
        Assert.Equal("targets", error.ParamName);
        Assert.StartsWith("targets holds one value per example, but this model outputs a sequence", error.Message);

        var stacked = new Stacked();
        error = Assert.Throws<ArgumentException>(() => stacked.Fit([[1, 2]], [1f], new FitOptions { Loss = Loss.CategoricalCrossentropy }));
        Assert.StartsWith("targets holds one value per example, but with loss CategoricalCrossentropy this model takes 3 per example", error.Message);
    }
}
