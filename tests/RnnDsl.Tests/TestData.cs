using System;
using System.Runtime;
using Xunit;

namespace RnnDsl.Tests;

internal static class TestData
{
    /// <summary>Parameters drawn uniform in ±scale, so biases are non-zero too (the Keras defaults zero them).</summary>
    public static void Randomize(Span<float> parameters, int seed, float scale = 0.5f) =>
        Initializers.Uniform(parameters, -scale, scale, new SeededRandom(seed));

    /// <summary>Token ids in [1, vocabulary), with padding (0) mixed in when <paramref name="padding"/> is set.</summary>
    public static int[] Tokens(int steps, int vocabulary, int seed, bool padding)
    {
        var random = new SeededRandom(seed);
        var tokens = new int[steps];
        for (int t = 0; t < steps; t++)
        {
            tokens[t] = 1 + random.NextInt(vocabulary - 1);
            if (padding && random.NextDouble() < 0.3)
            {
                tokens[t] = 0;
            }
        }

        return tokens;
    }

    /// <summary>
    /// The bytes allocated on this thread so far, for zero-allocation tests. The count is exact only with blocking GC:
    /// the mark phase of a background GC (started by any thread's allocations) empties every thread's allocation
    /// buffer without taking its unused rest off the count, so a window in which nothing is allocated can count up to
    /// one buffer (~8 KB). The test project turns background GC off (ConcurrentGarbageCollection=false); this checks it.
    /// </summary>
    /// <summary>
    /// The outputs of a batch against the same sequences predicted alone. PredictBatch steps sequences together with a
    /// matrix kernel that sums each product in another order than the vector kernel of Predict, so the last bits may
    /// differ: a sum rounds differently by about 1e-7 of its size. A wrong row, step or weight is off by far more.
    /// </summary>
    public static void AssertSameUpToRounding(ReadOnlySpan<float> alone, ReadOnlySpan<float> batched, string what)
    {
        Xunit.Assert.Equal(alone.Length, batched.Length);
        for (int i = 0; i < alone.Length; i++)
        {
            float tolerance = 1e-5f + (1e-5f * Math.Abs(alone[i]));
            Xunit.Assert.True(Math.Abs(alone[i] - batched[i]) <= tolerance, $"{what}, value {i}: {batched[i]:R} batched, {alone[i]:R} alone");
        }
    }

    public static long AllocatedBytes()
    {
        if (GCSettings.LatencyMode != GCLatencyMode.Batch)
        {
            Assert.Fail($"GC latency mode is {GCSettings.LatencyMode}: with background GC the per-thread allocation count is not exact, so zero-allocation tests would flake.");
        }

        return GC.GetAllocatedBytesForCurrentThread();
    }

    public static float[] Reals(int count, int seed)
    {
        var values = new float[count];
        Initializers.Uniform(values, -1f, 1f, new SeededRandom(seed));
        return values;
    }
}
