using System;
using System.Collections.Generic;
using System.Linq;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// Fit and Evaluate check every example before any work: bad data is named by argument, example and position,
/// never reported as divergence, and leaves the model as it was.
/// </summary>
public class TrainingDataCheckTests
{
    private static FitOptions Options(Loss loss = Loss.BinaryCrossentropy) =>
        new() { Epochs = 1, BatchSize = 4, Loss = loss, Optimizer = new Sgd(0.1f), Threads = 2 };

    /// <summary>Series of 5 steps of 1 feature for <see cref="Forecaster"/>, with targets in [0, 1].</summary>
    private static (float[][] Inputs, float[][] Targets) Series(int count)
    {
        float[][] inputs = Enumerable.Range(0, count).Select(n => TestData.Reals(5, seed: n + 1)).ToArray();
        float[][] targets = inputs.Select(x => new[] { x[^1] > 0 ? 1f : 0f }).ToArray();
        return (inputs, targets);
    }

    /// <summary>Token sequences of 6 steps for <see cref="OrderModel"/> (vocabulary 10), with 0/1 labels.</summary>
    private static (int[][] Inputs, float[][] Targets) Tokens(int count)
    {
        int[][] inputs = Enumerable.Range(0, count).Select(n => TestData.Tokens(6, 10, seed: n + 1, padding: false)).ToArray();
        float[][] targets = inputs.Select(x => new[] { x[0] < x[1] ? 1f : 0f }).ToArray();
        return (inputs, targets);
    }

    /// <summary>Asserts that Fit throws <typeparamref name="T"/> naming <paramref name="argument"/>, starting with <paramref name="message"/>, and changes nothing.</summary>
    private static T AssertFitRefuses<T, TInput>(
        ISequenceModel<TInput> model, IReadOnlyList<TInput[]> inputs, IReadOnlyList<float[]> targets, FitOptions options, string argument, string message,
        IReadOnlyList<TInput[]>? validationInputs = null, IReadOnlyList<float[]>? validationTargets = null)
        where T : ArgumentException
        where TInput : unmanaged
    {
        float[] before = model.Parameters.ToArray();
        int batches = 0;
        var watched = new FitOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            Loss = options.Loss,
            Optimizer = options.Optimizer,
            Threads = options.Threads,
            ValidationSplit = options.ValidationSplit,
            OnBatchEnd = _ => batches++,
        };
        T error = Assert.Throws<T>(() => model.Fit(inputs, targets, watched, validationInputs, validationTargets));
        Assert.Equal(argument, error.ParamName);
        Assert.StartsWith(message, error.Message);
        Assert.Equal(0, batches); // refused up front, before the first batch
        Assert.True(model.Parameters.SequenceEqual(before));
        return error;
    }

    [Fact]
    public void A_NaN_or_infinite_real_input_is_named_not_reported_as_divergence()
    {
        var (inputs, targets) = Series(24);
        inputs[17][3] = float.NaN;
        AssertFitRefuses<ArgumentException, float>(new Forecaster(), inputs, targets, Options(Loss.MeanSquaredError), "inputs", "inputs[17][3] is NaN; inputs must be finite numbers.");

        inputs[17][3] = float.NegativeInfinity;
        AssertFitRefuses<ArgumentException, float>(new Forecaster(), inputs, targets, Options(Loss.MeanSquaredError), "inputs", "inputs[17][3] is -Infinity;");

        // With several features a step, the message also says which step and feature.
        float[][] wide = Enumerable.Range(0, 6).Select(n => TestData.Reals(9, seed: n + 1)).ToArray();
        wide[2][4] = float.PositiveInfinity;
        AssertFitRefuses<ArgumentException, float>(new BidiAve(), wide, wide.Select(_ => new[] { 0.5f }).ToArray(), Options(Loss.MeanSquaredError), "inputs", "inputs[2][4] (step 1, feature 1) is Infinity;");
    }

    [Fact]
    public void A_NaN_target_is_named_not_reported_as_divergence()
    {
        var (inputs, targets) = Series(24);
        targets[4][0] = float.NaN;
        AssertFitRefuses<ArgumentException, float>(new Forecaster(), inputs, targets, Options(Loss.MeanSquaredError), "targets", "targets[4][0] is NaN; targets must be finite numbers.");
    }

    [Fact]
    public void Labels_outside_what_the_loss_accepts_are_refused()
    {
        var (tokens, labels) = Tokens(24);
        labels[4][0] = 2;
        AssertFitRefuses<ArgumentOutOfRangeException, int>(new OrderModel(), tokens, labels, Options(), "targets", "targets[4][0] is 2; binary cross-entropy takes labels in [0, 1].");
        labels[4][0] = -0.5f;
        AssertFitRefuses<ArgumentOutOfRangeException, int>(new OrderModel(), tokens, labels, Options(), "targets", "targets[4][0] is -0.5; binary cross-entropy takes labels in [0, 1].");

        // Sparse categorical: one integer class index per row; the Tagger has 4 classes and a row per step.
        int[][] sentences = Enumerable.Range(0, 12).Select(n => TestData.Tokens(3, 40, seed: n + 1, padding: false)).ToArray();
        float[][] tags = sentences.Select(s => s.Select(t => (float)(t % 4)).ToArray()).ToArray();
        tags[9][1] = 1.5f;
        AssertFitRefuses<ArgumentOutOfRangeException, int>(new Tagger(), sentences, tags, Options(Loss.SparseCategoricalCrossentropy), "targets", "targets[9][1] is 1.5; sparse categorical cross-entropy takes an integer class index in [0, 4).");
        tags[9][1] = 4;
        AssertFitRefuses<ArgumentOutOfRangeException, int>(new Tagger(), sentences, tags, Options(Loss.SparseCategoricalCrossentropy), "targets", "targets[9][1] is 4; sparse categorical cross-entropy");
        tags[9][1] = -1;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Tagger().Evaluate(sentences, tags, Loss.SparseCategoricalCrossentropy));
        Assert.StartsWith("targets[9][1] is -1; sparse categorical", error.Message);

        // A padding step counts in no loss, so its target is not checked: here it is -1, as some data sets mark them.
        tags[9][1] = 1;
        sentences[9][2] = 0;
        tags[9][2] = -1;
        var scores = new Tagger().Evaluate(sentences, tags, Loss.SparseCategoricalCrossentropy);
        Assert.True(double.IsFinite(scores["loss"]));
    }

    [Fact]
    public void A_token_out_of_range_is_named_by_example_and_position()
    {
        var (tokens, labels) = Tokens(24);
        tokens[17][3] = 10;
        var error = AssertFitRefuses<ArgumentOutOfRangeException, int>(new OrderModel(), tokens, labels, Options(), "inputs", "inputs[17][3] is 10; token ids must be in [0, 10).");
        Assert.Equal(10, error.ActualValue);

        tokens[17][3] = 1;
        tokens[5][0] = -1;
        AssertFitRefuses<ArgumentOutOfRangeException, int>(new OrderModel(), tokens, labels, Options(), "inputs", "inputs[5][0] is -1; token ids must be in [0, 10).");

        // The vocabulary of the tutorial model, found without an id anywhere near it in the data.
        tokens[5][0] = 1;
        tokens[8][1] = int.MaxValue;
        AssertFitRefuses<ArgumentOutOfRangeException, int>(new SimpleClassifier(), tokens, labels, Options(), "inputs", $"inputs[8][1] is {int.MaxValue}; token ids must be in [0, 10000).");
    }

    [Fact]
    public void Null_examples_and_targets_are_named_by_index()
    {
        var (tokens, labels) = Tokens(8);
        tokens[3] = null!;
        AssertFitRefuses<ArgumentNullException, int>(new OrderModel(), tokens, labels, Options(), "inputs", "inputs[3] is null.");

        (tokens, labels) = Tokens(8);
        labels[6] = null!;
        AssertFitRefuses<ArgumentNullException, int>(new OrderModel(), tokens, labels, Options(), "targets", "targets[6] is null.");
        var error = Assert.Throws<ArgumentNullException>(() => new OrderModel().Evaluate(tokens, labels, Loss.BinaryCrossentropy));
        Assert.Equal("targets", error.ParamName);
    }

    [Fact]
    public void Empty_too_long_and_partial_sequences_are_named_by_example()
    {
        int[][] tokens = Enumerable.Range(0, 8).Select(n => TestData.Tokens(12, 100, seed: n + 1, padding: false)).ToArray();
        float[][] labels = tokens.Select(_ => new[] { 1f }).ToArray();
        tokens[2] = [];
        AssertFitRefuses<ArgumentException, int>(new FixedLength(), tokens, labels, Options(), "inputs", "inputs[2] is empty; a sequence needs at least one step.");

        tokens[2] = TestData.Tokens(5, 100, seed: 1, padding: false);
        tokens[6] = TestData.Tokens(13, 100, seed: 2, padding: false); // InputLength = 12
        AssertFitRefuses<ArgumentException, int>(new FixedLength(), tokens, labels, Options(), "inputs", "inputs[6] has 13 steps; this model is declared for sequences of at most 12 steps.");

        float[][] wide = Enumerable.Range(0, 6).Select(n => TestData.Reals(9, seed: n + 1)).ToArray();
        wide[1] = new float[7];
        AssertFitRefuses<ArgumentException, float>(new BidiAve(), wide, wide.Select(_ => new[] { 0.5f }).ToArray(), Options(Loss.MeanSquaredError), "inputs", "inputs[1] has 7 values, which is not a whole number of steps of 3 features.");
    }

    [Fact]
    public void Validation_data_is_checked_the_same_way_under_its_own_names()
    {
        var (tokens, labels) = Tokens(16);
        var (validationTokens, validationLabels) = Tokens(6);
        validationLabels[2][0] = float.NaN;
        AssertFitRefuses<ArgumentException, int>(new OrderModel(), tokens, labels, Options(), "validationTargets", "validationTargets[2][0] is NaN;", validationTokens, validationLabels);

        validationLabels[2][0] = 1;
        validationTokens[4][5] = 12;
        AssertFitRefuses<ArgumentOutOfRangeException, int>(new OrderModel(), tokens, labels, Options(), "validationInputs", "validationInputs[4][5] is 12; token ids must be in [0, 10).", validationTokens, validationLabels);

        AssertFitRefuses<ArgumentNullException, int>(new OrderModel(), tokens, labels, Options(), "validationTargets", "Value cannot be null.", validationTokens, null);

        // A validation split is part of the training arguments: its examples keep their index in inputs.
        labels[14][0] = 3;
        var split = new FitOptions { Epochs = 1, BatchSize = 4, Threads = 1, ValidationSplit = 0.25 };
        AssertFitRefuses<ArgumentOutOfRangeException, int>(new OrderModel(), tokens, labels, split, "targets", "targets[14][0] is 3; binary cross-entropy");
    }

    [Fact]
    public void An_undefined_loss_is_refused_not_trained_as_zero()
    {
        var (tokens, labels) = Tokens(8);
        AssertFitRefuses<ArgumentOutOfRangeException, int>(new OrderModel(), tokens, labels, Options((Loss)42), "options", "options.Loss is 42, which is not a Loss; use one of BinaryCrossentropy,");
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new OrderModel().Evaluate(tokens, labels, (Loss)42));
        Assert.Equal("loss", error.ParamName);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => new OrderModel().ComputeGradients(tokens[0], labels[0], 1, new float[OrderModel.ParameterCount], (Loss)42));
        Assert.Equal("loss", error.ParamName);
    }

    [Fact]
    public void A_loss_that_cannot_fit_the_output_names_the_loss_to_use()
    {
        // Dense(1, Sigmoid): a softmax over one class is always 1, so categorical losses would learn nothing.
        var (tokens, labels) = Tokens(8);
        foreach (Loss loss in new[] { Loss.CategoricalCrossentropy, Loss.SparseCategoricalCrossentropy })
        {
            var error = AssertFitRefuses<ArgumentException, int>(new OrderModel(), tokens, labels, Options(loss), "options", $"options.Loss is {loss}, but the model outputs one value per row");
            Assert.Contains("use Loss.BinaryCrossentropy", error.Message);
            error = Assert.Throws<ArgumentException>(() => new OrderModel().Evaluate(tokens, labels, loss));
            Assert.Equal("loss", error.ParamName);
        }
    }

    [Fact]
    public void Evaluate_with_no_examples_throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new OrderModel().Evaluate(Array.Empty<int[]>(), Array.Empty<float[]>(), Loss.BinaryCrossentropy));
        Assert.Equal("inputs", error.ParamName);
        Assert.Contains("no examples", error.Message);
    }

    [Fact]
    public void Evaluate_checks_its_examples_like_Fit()
    {
        var (inputs, targets) = Series(10);
        inputs[7][0] = float.NaN;
        var error = Assert.Throws<ArgumentException>(() => new Forecaster().Evaluate(inputs, targets, Loss.MeanSquaredError));
        Assert.Equal("inputs", error.ParamName);
        Assert.StartsWith("inputs[7][0] is NaN", error.Message);
    }
}
