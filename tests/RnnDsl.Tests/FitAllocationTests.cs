using System;
using System.Linq;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// <c>Fit</c> allocates nothing from one batch to the next: the step's buffers, delegates and the
/// metrics' row masks are made once per <c>Fit</c> (what an epoch allocates, its logs and shuffled order, is outside).
/// </summary>
public class FitAllocationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_batch_allocates_nothing_on_one_thread(bool withMetrics) => AssertBatchesAllocateNothing(threads: 1, withMetrics);

    /// <summary>Fits 12 batches and checks that, after the first two, the calling thread allocates nothing from one to the next.</summary>
    internal static void AssertBatchesAllocateNothing(int threads, bool withMetrics)
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
            Threads = threads,
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
}
