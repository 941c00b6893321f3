using System;
using System.Linq;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// Tests that count the bytes a multi-threaded call allocates, or that rely on the shared array pool. They run alone:
/// with other tests on the thread pool its shared work queue grows now and then (a new segment, a few KB, allocated by
/// whichever thread enqueues into a full one), which is the pool's, not the call's; and another test's Fit of the same
/// model could take the arrays a Fit gave back.
/// </summary>
[CollectionDefinition(nameof(ParallelAllocationTests), DisableParallelization = true)]
[Collection(nameof(ParallelAllocationTests))]
public class ParallelAllocationTests
{
    [Fact]
    public void PredictBatch_on_two_threads_allocates_nothing_after_warm_up()
    {
        // Parallel.For allocated about 1.75 KB per call here (its tasks, loop state and the closure).
        var sentiment = new SentimentModel();
        var forecaster = new Forecaster();
        var tokens = new int[64 * 100];
        var windows = new float[64 * 10];
        var outputs = new float[64];

        void Run()
        {
            sentiment.PredictBatch(tokens, 64, outputs, degreeOfParallelism: 2);
            forecaster.PredictBatch(windows, 64, outputs, degreeOfParallelism: 2);
        }

        for (int i = 0; i < 20; i++)
        {
            Run(); // warm-up: scratch buffers on both threads, pooled arrays, the job and the fork-join
        }

        long before = TestData.AllocatedBytes();
        for (int i = 0; i < 200; i++)
        {
            Run();
        }

        Assert.Equal(0, TestData.AllocatedBytes() - before);
    }

    [Fact]
    public void Fit_on_two_threads_allocates_nothing_from_one_batch_to_the_next()
    {
        // With Parallel.For each of a batch's three dispatches allocated (4.8 KB per batch).
        FitAllocationTests.AssertBatchesAllocateNothing(threads: 2, withMetrics: true);
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
