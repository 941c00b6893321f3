using System;
using System.Collections.Generic;
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

        // Canceled after the epoch's last step: validation notices, so the epoch never reaches the history.
        using var cancellation = new CancellationTokenSource();
        float[]? last = null;
        var options = Options(
            onBatchEnd: p =>
            {
                last = model.Parameters.ToArray();
                if (p.Batch == p.Batches)
                {
                    cancellation.Cancel();
                }
            },
            cancellation: cancellation.Token);
        error = Assert.Throws<TrainingCanceledException>(() => model.Fit(inputs, targets, options, validationInputs, validationTargets));
        Assert.Equal((1, 0), (error.Epoch, error.Batch));
        Assert.StartsWith("Training was canceled during the validation of epoch 1.", error.Message);
        Assert.Equal(0, error.History.Epochs);
        Assert.True(model.Parameters.SequenceEqual(last));
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
