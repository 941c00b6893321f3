using System;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// Tests that count the bytes a multi-threaded call allocates. They run alone: with other tests on the thread pool its
/// shared work queue grows now and then (a new segment, a few KB, allocated by whichever thread enqueues into a full
/// one), which is the pool's, not the call's.
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
}
