using System;
using System.Collections.Generic;
using System.Linq;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>Learning-rate schedules (per optimizer step) and ReduceLROnPlateau (per epoch), against hand-computed rates.</summary>
public class LearningRateTests
{
    [Fact]
    public void Exponential_decay_by_hand()
    {
        var smooth = new ExponentialDecay(0.1f, decaySteps: 10, decayRate: 0.96f);
        Assert.Equal(0.1f, smooth.LearningRate(0));
        Assert.Equal(0.1 * Math.Sqrt(0.96), smooth.LearningRate(5), 7); // 0.96 ^ (5 / 10)
        Assert.Equal(0.1 * 0.96 * 0.96, smooth.LearningRate(20), 7);

        // Staircase: the exponent rounds down, so the rate halves once every 2 steps (step decay).
        var stairs = new ExponentialDecay(0.1f, decaySteps: 2, decayRate: 0.5f, staircase: true);
        Assert.Equal(new[] { 0.1f, 0.1f, 0.05f, 0.05f, 0.025f, 0.025f, 0.0125f }, Enumerable.Range(0, 7).Select(s => stairs.LearningRate(s)));
        Assert.Equal(0.096f, new ExponentialDecay(0.1f, 10, 0.96f, staircase: true).LearningRate(15));
    }

    [Fact]
    public void Cosine_decay_by_hand()
    {
        // rate = 1 × ((1 - 0.1) × 0.5 × (1 + cos(π × step / 100)) + 0.1), and alpha × 1 from step 100 on.
        var cosine = new CosineDecay(1f, decaySteps: 100, alpha: 0.1f);
        Assert.Equal(1f, cosine.LearningRate(0));
        Assert.Equal((0.9 * 0.5 * (1 + (Math.Sqrt(2) / 2))) + 0.1, cosine.LearningRate(25), 6); // cos(π/4) = √2/2
        Assert.Equal(0.55, cosine.LearningRate(50), 6); // cos(π/2) = 0
        Assert.Equal(0.1, cosine.LearningRate(100), 6);
        Assert.Equal(0.1, cosine.LearningRate(1000), 6);
        Assert.Equal(0.0, new CosineDecay(0.5f, 10).LearningRate(10), 7); // alpha 0 by default
    }

    [Fact]
    public void Piecewise_constant_decay_by_hand()
    {
        // Keras: values[0] while step <= 10, values[1] while 10 < step <= 20, values[2] after.
        var piecewise = new PiecewiseConstantDecay([10L, 20L], [1f, 0.5f, 0.1f]);
        long[] steps = [0, 10, 11, 20, 21, 1000];
        Assert.Equal(new[] { 1f, 1f, 0.5f, 0.5f, 0.1f, 0.1f }, steps.Select(piecewise.LearningRate));

        Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([10L, 20L], [1f, 0.5f]));
        var error = Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([10L, 10L], [1f, 0.5f, 0.1f]));
        Assert.StartsWith("boundaries[1] is 10, not above boundaries[0] (10)", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.1f, decaySteps: 0, decayRate: 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(float.NaN, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(0.1f, 10, alpha: 2f));
    }

    [Fact]
    public void Fit_sets_each_steps_rate_from_the_optimizers_step_count()
    {
        // 80 examples in batches of 16: 5 steps an epoch. Steps 0..9 run at 0.1 × 0.5 ^ floor(step / 2).
        var (inputs, targets) = TrainingTests.OrderTask(80, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        var optimizer = new RateRecordingSgd();
        var schedule = new ExponentialDecay(0.1f, decaySteps: 2, decayRate: 0.5f, staircase: true);
        var batchRates = new List<float>();
        var epochRates = new List<float>();
        var options = new FitOptions
        {
            Epochs = 2,
            BatchSize = 16,
            Optimizer = optimizer,
            LearningRateSchedule = schedule,
            Threads = 1,
            OnBatchEnd = p => batchRates.Add(p.LearningRate),
            OnEpochEnd = e => epochRates.Add(e.LearningRate),
        };
        History history = model.Fit(inputs, targets, options);

        float[] expected = Enumerable.Range(0, 10).Select(s => (float)(0.1 * Math.Pow(0.5, s / 2))).ToArray();
        Assert.Equal(expected, optimizer.Rates);
        Assert.Equal(expected, batchRates);
        Assert.Equal(new[] { expected[4], expected[9] }, epochRates);
        Assert.DoesNotContain("learning_rate", history.Values.Keys); // Keras logs it for ReduceLROnPlateau, not for a schedule

        // The same optimizer counts on in a second Fit, as Keras's iterations do: step 10 runs at 0.1 × 0.5 ^ 5.
        model.Fit(inputs, targets, new FitOptions { Epochs = 1, BatchSize = 80, Optimizer = optimizer, LearningRateSchedule = schedule, Threads = 1 });
        Assert.Equal((float)(0.1 * Math.Pow(0.5, 5)), optimizer.Rates[^1]);

        var error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, new FitOptions { LearningRateSchedule = schedule, ReduceLROnPlateau = new ReduceLROnPlateau { Monitor = "loss" } }));
        Assert.StartsWith("options has both a LearningRateSchedule and ReduceLROnPlateau", error.Message);
    }

    [Fact]
    public void A_schedule_leaves_the_optimizers_own_rate_when_Fit_ends()
    {
        // In Keras the schedule is the optimizer's learning_rate, so it goes wherever the optimizer goes; here it is a
        // Fit option, so Fit puts back the optimizer's own rate when it ends, however it ends, and a later Fit without
        // the schedule trains at that rate rather than at the schedule's last value.
        var (inputs, targets) = TrainingTests.OrderTask(80, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        var optimizer = new RateRecordingSgd { LearningRate = 0.05f };
        var schedule = new ExponentialDecay(0.1f, decaySteps: 2, decayRate: 0.5f, staircase: true);
        var options = new FitOptions { Epochs = 2, BatchSize = 16, Optimizer = optimizer, LearningRateSchedule = schedule, Threads = 1 };
        model.Fit(inputs, targets, options);
        Assert.Equal((float)(0.1 * Math.Pow(0.5, 4)), optimizer.Rates[^1]);
        Assert.Equal(0.05f, optimizer.LearningRate);

        model.Fit(inputs, targets, new FitOptions { Epochs = 1, BatchSize = 80, Optimizer = optimizer, Threads = 1 });
        Assert.Equal(0.05f, optimizer.Rates[^1]);

        // Ended by a callback's exception, and by cancellation.
        var failing = new FitOptions
        {
            BatchSize = 16,
            Optimizer = optimizer,
            LearningRateSchedule = schedule,
            Threads = 1,
            OnBatchEnd = p => throw new InvalidOperationException("callback"),
        };
        Assert.Throws<InvalidOperationException>(() => model.Fit(inputs, targets, failing));
        Assert.Equal(0.05f, optimizer.LearningRate);
        using var cancellation = new System.Threading.CancellationTokenSource();
        var canceled = new FitOptions
        {
            BatchSize = 16,
            Optimizer = optimizer,
            LearningRateSchedule = schedule,
            Threads = 1,
            OnBatchEnd = p => cancellation.Cancel(),
            CancellationToken = cancellation.Token,
        };
        Assert.Throws<TrainingCanceledException>(() => model.Fit(inputs, targets, canceled));
        Assert.Equal(0.05f, optimizer.LearningRate);
    }

    [Fact]
    public void ReduceLROnPlateau_follows_Keras_step_by_step_on_scripted_values()
    {
        // Lower is better, an improvement must beat the best by more than 0.1; patience 2, factor 0.5, cooldown 2,
        // floor 0.2, starting at 1. Worked through Keras's on_epoch_end (the cooldown counts down first, then an
        // improvement resets the wait, else the wait grows outside the cooldown and reaching the patience reduces):
        //  1: 1.0 first value, best                    -> 1
        //  2: 0.95 no (0.95 + 0.1 > 1), wait 1         -> 1
        //  3: 0.92 no, wait 2: reduce, cooldown 2      -> 0.5
        //  4: 0.5 cooldown 1; improves (0.6 < 1)       -> 0.5
        //  5: 0.45 cooldown 0; no, wait 1              -> 0.5
        //  6: 0.44 no, wait 2: reduce, cooldown 2      -> 0.25
        //  7: 0.43 cooldown 1; no, in cooldown         -> 0.25
        //  8: 0.42 cooldown 0; no, wait 1              -> 0.25
        //  9: 0.41 no, wait 2: max(0.125, 0.2)         -> 0.2
        // 10: 0.40 cooldown 1; no                      -> 0.2
        // 11: 0.39 cooldown 0; improves (0.49 < 0.5)   -> 0.2
        // 12, 13, 14: no improvement; at the floor nothing is reduced -> 0.2
        double[] values = [1.0, 0.95, 0.92, 0.5, 0.45, 0.44, 0.43, 0.42, 0.41, 0.40, 0.39, 0.385, 0.38, 0.38];
        float[] expected = [1f, 1f, 0.5f, 0.5f, 0.5f, 0.25f, 0.25f, 0.25f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f];
        foreach (double minDelta in new[] { 0.1, -0.1 }) // Keras takes abs(min_delta)
        {
            var settings = new ReduceLROnPlateau { Monitor = "val_loss", Factor = 0.5, Patience = 2, MinDelta = minDelta, Cooldown = 2, MinLearningRate = 0.2 };
            var plateau = new PlateauMonitor(settings, [], validating: true, "options");
            var optimizer = new Sgd(learningRate: 1f);
            var rates = new List<float>();
            foreach (double value in values)
            {
                plateau.EpochEnded(new Dictionary<string, double> { ["val_loss"] = value }, optimizer);
                rates.Add(optimizer.LearningRate);
            }

            Assert.Equal(expected, rates);
        }
    }

    [Fact]
    public void ReduceLROnPlateau_in_Fit_logs_each_epochs_rate_and_the_next_epoch_runs_at_the_reduced_one()
    {
        // "Higher is better" on a falling training loss: no epoch after the first improves, so with patience 1 the
        // rate halves at the end of every epoch from the second on. The history logs the rate each epoch ran at.
        var (inputs, targets) = TrainingTests.OrderTask(64, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        var optimizer = new RateRecordingSgd { LearningRate = 0.1f };
        var epochRates = new List<float>();
        var options = new FitOptions
        {
            Epochs = 4,
            BatchSize = 32,
            Optimizer = optimizer,
            ReduceLROnPlateau = new ReduceLROnPlateau { Monitor = "loss", HigherIsBetter = true, Factor = 0.5, Patience = 1 },
            Threads = 1,
            OnEpochEnd = e => epochRates.Add(e.LearningRate),
        };
        History history = model.Fit(inputs, targets, options);

        Assert.Equal(new[] { 0.1, 0.1, 0.05, 0.025 }, history["learning_rate"].Select(r => Math.Round(r, 6)));
        Assert.Equal(new[] { 0.1f, 0.1f, 0.05f, 0.025f }, epochRates);
        Assert.Equal(new[] { 0.1f, 0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.025f, 0.025f }, optimizer.Rates);
        Assert.Equal(0.0125f, optimizer.LearningRate);
        Assert.Equal(new[] { "loss", "learning_rate" }, history.Values.Keys);
    }

    [Fact]
    public void ReduceLROnPlateau_settings_are_checked_before_training()
    {
        var (inputs, targets) = TrainingTests.OrderTask(20, seed: 1, pairs: false);
        var model = new OrderModel(seed: 3);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, new FitOptions { ReduceLROnPlateau = new ReduceLROnPlateau { Monitor = "loss", Factor = 1 } }));
        Assert.StartsWith("ReduceLROnPlateau.Factor is 1; it must be in (0, 1)", error.Message);
        error = Assert.Throws<ArgumentException>(() => model.Fit(inputs, targets, new FitOptions { ReduceLROnPlateau = new ReduceLROnPlateau() }));
        Assert.StartsWith("ReduceLROnPlateau monitors 'val_loss', which this training does not log; it logs loss.", error.Message);
    }

    /// <summary>Plain SGD that records the learning rate of every step it takes.</summary>
    private sealed class RateRecordingSgd : Optimizer
    {
        public List<float> Rates { get; } = new();

        protected override int StateCount => 0;

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration, int offset)
        {
            Rates.Add(LearningRate);
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] -= LearningRate * gradients[i];
            }
        }
    }
}
