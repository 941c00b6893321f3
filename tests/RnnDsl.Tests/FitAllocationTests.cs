using System;
using System.Linq;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// <c>Fit</c> on one thread allocates nothing from one batch to the next: the step's buffers, delegates and the
/// metrics' row masks are made once per <c>Fit</c> (what an epoch allocates, its logs and shuffled order, is outside).
/// </summary>
public class FitAllocationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_batch_allocates_nothing_on_one_thread(bool withMetrics)
    {
        var model = new OrderModel(seed: 1);
        var random = new SeededRandom(3);
        int[][] inputs = Enumerable.Range(0, 96).Select(_ => Enumerable.Range(0, 6).Select(_ => 1 + random.NextInt(9)).ToArray()).ToArray();
        float[][] targets = inputs.Select(x => new[] { Array.IndexOf(x, 1) < Array.IndexOf(x, 2) ? 1f : 0f }).ToArray();
        var allocated = new long[12];
        int batches = 0;
        model.Fit(inputs, targets, new FitOptions
        {
            Epochs = 1,
            BatchSize = 8,
            Threads = 1,
            Optimizer = new Adam(0.01f),
            Loss = Loss.BinaryCrossentropy,
            Metrics = withMetrics ? [Metric.Accuracy, Metric.Auc] : [],
            OnBatchEnd = _ => allocated[batches++] = TestData.AllocatedBytes(),
        });

        Assert.Equal(12, batches);
        for (int b = 2; b < batches; b++)
        {
            Assert.True(allocated[b] == allocated[b - 1], $"batch {b + 1} allocated {allocated[b] - allocated[b - 1]} bytes");
        }
    }

    [Fact]
    public void A_second_fit_reuses_the_steps_parameter_sized_buffers()
    {
        // The design card model has 332,545 parameters: its gradient sum, last good weights and each thread's gradient
        // are 1.3 MB each. They are rented for a Fit and given back, so a second Fit (same optimizer, whose moments are
        // its own) allocates less than one of them; before, each call allocated three.
        var model = new SentimentModel();
        var random = new SeededRandom(5);
        int[][] inputs = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 5).Select(_ => 1 + random.NextInt(9999)).ToArray()).ToArray();
        float[][] targets = inputs.Select((_, i) => new[] { i % 2f }).ToArray();
        var options = new FitOptions { Epochs = 1, BatchSize = 4, Threads = 1, Optimizer = new Adam(), Loss = Loss.BinaryCrossentropy };
        model.Fit(inputs, targets, options);
        long before = TestData.AllocatedBytes();
        model.Fit(inputs, targets, options);
        long allocated = TestData.AllocatedBytes() - before;
        Assert.True(allocated < model.Parameters.Length * sizeof(float), $"the second Fit allocated {allocated:N0} bytes");
    }
}
