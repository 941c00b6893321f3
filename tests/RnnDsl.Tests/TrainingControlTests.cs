using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>Ending training from outside and from callbacks: cancellation, StopTraining, checkpoints.</summary>
public sealed class TrainingControlTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rnndsl-training-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>80 training examples in batches of 16 (5 a epoch), 20 validation examples, plain SGD, two threads.</summary>
    private static (int[][] Inputs, float[][] Targets, int[][] ValidationInputs, float[][] ValidationTargets) Data()
    {
        var (inputs, targets) = TrainingTests.OrderTask(80, seed: 1, pairs: false);
        var (validationInputs, validationTargets) = TrainingTests.OrderTask(20, seed: 2, pairs: false);
        return (inputs, targets, validationInputs, validationTargets);
    }

    private static FitOptions Options(
        Optimizer? optimizer = null,
        Action<BatchProgress>? onBatchEnd = null,
        Action<EpochProgress>? onEpochEnd = null,
        CancellationToken cancellation = default,
        ModelCheckpoint? checkpoint = null) => new()
    {
        Epochs = 4,
        BatchSize = 16,
        Optimizer = optimizer ?? new Sgd(learningRate: 0.5f),
        Metrics = [Metric.Accuracy, Metric.Auc],
        Seed = 5,
        Threads = 2,
        OnBatchEnd = onBatchEnd,
        OnEpochEnd = onEpochEnd,
        CancellationToken = cancellation,
        Checkpoint = checkpoint,
    };

    [Fact]
    public void Cancellation_stops_before_the_next_batch_and_keeps_the_last_steps_weights()
    {
        var (inputs, targets, validationInputs, validationTargets) = Data();
        var model = new OrderModel(seed: 3);
        using var cancellation = new CancellationTokenSource();
        var afterBatch = new List<float[]>();
        var options = Options(
            onBatchEnd: progress =>
            {
                afterBatch.Add(model.Parameters.ToArray());
                if (progress is { Epoch: 2, Batch: 2 })
                {
                    cancellation.Cancel();
                }
            },
            cancellation: cancellation.Token);

        var error = Assert.Throws<TrainingCanceledException>(() => model.Fit(inputs, targets, options, validationInputs, validationTargets));
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.Equal((2, 3), (error.Epoch, error.Batch));
        Assert.StartsWith("Training was canceled before batch 3 of epoch 2.", error.Message);
        Assert.Equal(5 + 2, afterBatch.Count); // no batch ran after the one that canceled
        Assert.True(model.Parameters.SequenceEqual(afterBatch[^1]));
        Assert.False(afterBatch[^1].AsSpan().SequenceEqual(afterBatch[^2])); // the steps did move the weights
        Assert.Equal(1, error.History.Epochs);
        Assert.Single(error.History["val_loss"]);
    }

    [Fact]
    public void A_cancellation_during_a_step_lets_that_step_finish_whole()
    {
        // The optimizer cancels while it applies the second step, from inside the update that two threads share. The
        // weights must be those after the second step of an identical run that is not canceled, bit for bit.
        var (inputs, targets, _, _) = Data();
        var reference = new OrderModel(seed: 3);
        float[]? afterSecond = null;
        reference.Fit(inputs, targets, Options(new CancelingSgd(null), onBatchEnd: p => afterSecond ??= p.Batch == 2 ? reference.Parameters.ToArray() : null));

        var model = new OrderModel(seed: 3);
        using var cancellation = new CancellationTokenSource();
        var error = Assert.Throws<TrainingCanceledException>(() => model.Fit(inputs, targets, Options(new CancelingSgd(cancellation), cancellation: cancellation.Token)));
        Assert.Equal((1, 3), (error.Epoch, error.Batch));
        Assert.NotNull(afterSecond);
        Assert.True(model.Parameters.SequenceEqual(afterSecond));
    }

    [Fact]
    public void A_token_canceled_before_Fit_leaves_the_model_as_it_was_and_one_canceled_in_validation_keeps_the_epochs_steps()
    {
        var (inputs, targets, validationInputs, validationTargets) = Data();
        var model = new OrderModel(seed: 3);
        float[] before = model.Parameters.ToArray();
        var error = Assert.Throws<TrainingCanceledException>(() => model.Fit(inputs, targets, Options(cancellation: new CancellationToken(canceled: true))));
        Assert.Equal((1, 1), (error.Epoch, error.Batch));
        Assert.Equal(0, error.History.Epochs);
        Assert.True(model.Parameters.SequenceEqual(before));

        Assert.Null(error.EpochTrainingLogs);

        // Canceled after epoch 2's last step: validation notices, so epoch 2 never reaches the history (as in Keras,
        // whose History records an epoch in on_epoch_end, after validation), though its steps were all applied; the
        // history keeps whole epochs only, and the exception carries epoch 2's training logs.
        using var cancellation = new CancellationTokenSource();
        float[]? last = null;
        BatchProgress lastBatch = default;
        var options = Options(
            onBatchEnd: p =>
            {
                last = model.Parameters.ToArray();
                lastBatch = p;
                if (p is { Epoch: 2, Batch: 5 })
                {
                    cancellation.Cancel();
                }
            },
            cancellation: cancellation.Token);
        error = Assert.Throws<TrainingCanceledException>(() => model.Fit(inputs, targets, options, validationInputs, validationTargets));
        Assert.Equal((2, 0), (error.Epoch, error.Batch));
        Assert.StartsWith(
            "Training was canceled during the validation of epoch 2, after all its training steps: the model keeps their weights, but epoch 2 is not in History",
            error.Message);
        Assert.Equal(1, error.History.Epochs);
        Assert.All(error.History.Values.Values, values => Assert.Single(values));
        Assert.True(model.Parameters.SequenceEqual(last));
        Assert.NotNull(error.EpochTrainingLogs);
        Assert.Equal(["loss", "accuracy", "auc"], error.EpochTrainingLogs.Keys);
        Assert.Equal(lastBatch.Loss, error.EpochTrainingLogs["loss"], 12);
    }

    [Fact]
    public void StopTraining_from_a_batch_wraps_up_that_epoch_and_ends()
    {
        var (inputs, targets, validationInputs, validationTargets) = Data();
        var model = new OrderModel(seed: 3);
        var batches = new List<BatchProgress>();
        var epochs = new List<EpochProgress>();
        var options = Options(
            onBatchEnd: p =>
            {
                batches.Add(p);
                if (p is { Epoch: 2, Batch: 2 })
                {
                    p.StopTraining();
                }
            },
            onEpochEnd: epochs.Add);
        History history = model.Fit(inputs, targets, options, validationInputs, validationTargets);

        // As Keras: the rest of epoch 2 is skipped, then it is validated, logged and reported as any epoch.
        Assert.True(history.StoppedByCallback);
        Assert.False(history.StoppedEarly);
        Assert.Equal(2, history.Epochs);
        Assert.Equal(7, batches.Count);
        Assert.Equal(2, epochs.Count);
        Assert.Equal(batches[^1].Loss, history["loss"][1], 12); // the epoch's loss is that of its two batches
        Assert.Equal(2, history["val_auc"].Count);
        var validation = model.Evaluate(validationInputs, validationTargets, Loss.BinaryCrossentropy, [Metric.Auc]);
        Assert.Equal(validation["loss"], history["val_loss"][1], 12);
    }

    [Fact]
    public void StopTraining_from_an_epoch_ends_after_it()
    {
        var (inputs, targets, _, _) = Data();
        var model = new OrderModel(seed: 3);
        int batches = 0;
        History history = model.Fit(inputs, targets, Options(onBatchEnd: _ => batches++, onEpochEnd: e =>
        {
            if (e.Epoch == 3)
            {
                e.StopTraining();
            }
        }));
        Assert.True(history.StoppedByCallback);
        Assert.Equal(3, history.Epochs);
        Assert.Equal(15, batches);

        var made = new EpochProgress(1, 1, new Dictionary<string, double>(), TimeSpan.Zero);
        Assert.Throws<InvalidOperationException>(() => made.StopTraining());
        Assert.Throws<InvalidOperationException>(() => default(BatchProgress).StopTraining());
    }

    [Theory]
    [InlineData("val_loss")]
    [InlineData("val_auc")]
    public void A_best_only_checkpoint_holds_the_best_epochs_weights(string monitor)
    {
        // Validation labels opposite to the rule being learned: the validation loss rises (and the AUC falls) as
        // training takes hold, so the best epoch comes before the last.
        var (inputs, targets, validationInputs, validationTargets) = Data();
        float[][] flipped = validationTargets.Select(t => new[] { 1f - t[0] }).ToArray();
        var model = new OrderModel(seed: 3);
        var weightsByEpoch = new List<float[]>();
        string path = Path.Combine(_folder, "made/by/fit", "best.rnnw");
        var options = Options(
            optimizer: new Adam(0.02f),
            onEpochEnd: _ => weightsByEpoch.Add(model.Parameters.ToArray()),
            checkpoint: new ModelCheckpoint(path) { Monitor = monitor, SaveBestOnly = true });
        History history = model.Fit(inputs, targets, options, validationInputs, flipped);

        IReadOnlyList<double> values = history[monitor];
        int best = values.ToList().IndexOf(monitor == "val_auc" ? values.Max() : values.Min());
        Assert.True(best < values.Count - 1, $"{monitor} by epoch: {string.Join(", ", values)}");
        var loaded = new OrderModel(seed: 99);
        loaded.LoadWeights(path);
        Assert.True(loaded.Parameters.SequenceEqual(weightsByEpoch[best]));
        Assert.False(loaded.Parameters.SequenceEqual(model.Parameters));
    }

    [Fact]
    public void A_checkpoint_saves_every_epoch_unless_best_only_and_refuses_keys_not_logged()
    {
        var (inputs, targets, _, _) = Data();
        var model = new OrderModel(seed: 3);
        string path = Path.Combine(_folder, "last.rnnw");
        int saves = 0;
        var options = Options(
            onEpochEnd: _ =>
            {
                // The checkpoint has been written by the time OnEpochEnd runs.
                var loaded = new OrderModel(seed: 99);
                loaded.LoadWeights(path);
                Assert.True(loaded.Parameters.SequenceEqual(model.Parameters));
                saves++;
            },
            checkpoint: new ModelCheckpoint(path)); // monitor val_loss is not logged, but only SaveBestOnly reads it
        model.Fit(inputs, targets, options);
        Assert.Equal(4, saves);

        var error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, Options(checkpoint: new ModelCheckpoint(path) { SaveBestOnly = true })));
        Assert.Equal("options", error.ParamName);
        Assert.StartsWith("ModelCheckpoint monitors 'val_loss', which this training does not log; it logs loss, accuracy, auc.", error.Message);
    }

    [Fact]
    public void A_checkpoint_path_is_formatted_with_the_epoch_and_the_logs_as_Keras_formats_it()
    {
        // Keras formats the file path with epoch (from 1) and the epoch's logs, Python format specs and all, so a
        // best-only checkpoint with {epoch} in its path writes a file for each improvement.
        // At this rate the validation loss falls for two epochs, then rises: two improvements, two files.
        var (inputs, targets, validationInputs, validationTargets) = Data();
        var model = new OrderModel(seed: 3);
        var weightsByEpoch = new List<float[]>();
        string everyEpoch = Path.Combine(_folder, "every");
        string best = Path.Combine(_folder, "best");
        model.Fit(inputs, targets, Options(checkpoint: new ModelCheckpoint(Path.Combine(everyEpoch, "ck-{epoch}.rnnw"))), validationInputs, validationTargets);
        Assert.Equal(["ck-1.rnnw", "ck-2.rnnw", "ck-3.rnnw", "ck-4.rnnw"], Directory.GetFiles(everyEpoch).Select(Path.GetFileName).Order());

        model = new OrderModel(seed: 3);
        History history = model.Fit(inputs, targets, Options(
            optimizer: new Adam(0.02f),
            onEpochEnd: _ => weightsByEpoch.Add(model.Parameters.ToArray()),
            checkpoint: new ModelCheckpoint(Path.Combine(best, "{epoch:03d}-{val_loss:.4f}.rnnw")) { SaveBestOnly = true }), validationInputs, validationTargets);

        var expected = new List<string>();
        double lowest = double.PositiveInfinity;
        for (int epoch = 1; epoch <= history.Epochs; epoch++)
        {
            double value = history["val_loss"][epoch - 1];
            if (value < lowest)
            {
                lowest = value;
                string name = $"{epoch:D3}-{value.ToString("F4", CultureInfo.InvariantCulture)}.rnnw";
                expected.Add(name);
                var loaded = new OrderModel(seed: 99);
                loaded.LoadWeights(Path.Combine(best, name));
                Assert.True(loaded.Parameters.SequenceEqual(weightsByEpoch[epoch - 1]));
            }
        }

        Assert.Equal(2, expected.Count);
        Assert.Equal(expected, Directory.GetFiles(best).Select(Path.GetFileName).Order());
    }

    [Theory]
    [InlineData(0.625, 2, "0.62")] // exact binary values round half to even, as Python's format does
    [InlineData(0.125, 2, "0.12")]
    [InlineData(0.375, 2, "0.38")]
    [InlineData(2.5, 0, "2")]
    [InlineData(0.6931471805599453, 3, "0.693")]
    [InlineData(0.1, 20, "0.10000000000000000555")] // the exact binary value, not the shortest digits
    [InlineData(-0.001, 2, "-0.00")]
    [InlineData(1e22, 1, "10000000000000000000000.0")]
    [InlineData(3, 2, "3.00")]
    [InlineData(double.NaN, 2, "nan")]
    [InlineData(double.NegativeInfinity, 2, "-inf")]
    public void Fixed_point_fields_format_as_Python_does(double value, int decimals, string python) =>
        Assert.Equal(python, CheckpointPath.FixedPoint(value, decimals));

    [Theory]
    [InlineData(0.6931471824645996, "0.6931471824645996")] // each expected string is Python 3's str() of the value
    [InlineData(0.1, "0.1")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(1.5e-07, "1.5e-07")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(-2.75, "-2.75")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(double.PositiveInfinity, "inf")]
    public void Plain_fields_format_a_float_as_Python_does(double value, string python) =>
        Assert.Equal(python, CheckpointPath.PythonFloat(value));

    [Fact]
    public void A_checkpoint_template_fills_epoch_and_logs_and_keeps_doubled_braces()
    {
        var path = CheckpointPath.Parse("run{{1}}/{epoch}-{epoch:03d}-{epoch:d}-{epoch:.1f}/{loss}_{val_auc:.3f}_{learning_rate}.rnnw", ["loss", "val_auc", "learning_rate"], "options");
        var logs = new Dictionary<string, double> { ["loss"] = 0.25, ["val_auc"] = 0.9875, ["learning_rate"] = 1e-05 };
        Assert.Equal("run{1}/7-007-7-7.0/0.25_0.988_1e-05.rnnw", path.Format(7, logs)); // 0.9875 is not exact in binary: above the half
        Assert.Equal("run{1}/1234-1234-1234-1234.0/0.25_0.988_1e-05.rnnw", path.Format(1234, logs)); // a width is a minimum
    }

    [Theory]
    [InlineData("{val_auc}.rnnw", "'val_auc'")] // not logged without validation data
    [InlineData("{batch}.rnnw", "'batch'")] // Keras has no batch in an epoch's checkpoint either
    [InlineData("{epoch:x}.rnnw", "'x'")]
    [InlineData("{loss:03d}.rnnw", "'03d'")]
    [InlineData("{epoch!r}.rnnw", "'!r'")]
    [InlineData("{epoch.real}.rnnw", "'epoch.real'")]
    [InlineData("{}.rnnw", "{}")]
    [InlineData("{epoch.rnnw", "'{' that is not closed")]
    [InlineData("epoch}.rnnw", "'}' that is not doubled")]
    public void A_checkpoint_path_Fit_cannot_format_is_refused_before_training(string file, string named)
    {
        var (inputs, targets, _, _) = Data();
        var model = new OrderModel(seed: 3);
        float[] before = model.Parameters.ToArray();
        var error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, Options(checkpoint: new ModelCheckpoint(Path.Combine(_folder, file)))));
        Assert.Equal("options", error.ParamName);
        Assert.StartsWith("ModelCheckpoint path ", error.Message);
        Assert.Contains(named, error.Message);
        Assert.True(model.Parameters.SequenceEqual(before));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    /// <summary>Plain SGD that cancels <c>cancellation</c> while it applies its second step.</summary>
    private sealed class CancelingSgd(CancellationTokenSource? cancellation) : Optimizer
    {
        protected override int StateCount => 0;

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration, int offset)
        {
            if (iteration == 2)
            {
                cancellation?.Cancel();
            }

            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] -= 0.5f * gradients[i];
            }
        }
    }
}
