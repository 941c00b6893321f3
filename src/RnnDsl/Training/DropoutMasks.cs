using System;

namespace RnnDsl;

/// <summary>
/// The random masks of dropout, as the generated training code draws them: each value is kept with probability
/// 1 - rate and then scaled by 1 / (1 - rate) (Keras's inverted dropout), else 0. A mask depends only on its seed, so
/// a training run is the same however its batches are split across threads. SplitMix64, as <see cref="SeededRandom"/>,
/// kept in a <c>ulong</c> so drawing allocates nothing.
/// </summary>
public static class DropoutMasks
{
    /// <summary>The seed of one sequence's masks: <paramref name="sequence"/> of a batch whose masks come from <paramref name="seed"/>.</summary>
    public static ulong SequenceSeed(ulong seed, long sequence) => Mix(seed ^ Mix(unchecked((ulong)sequence + 0x632BE59BD9B4E019UL)));

    /// <summary>The seed of a training batch: <paramref name="batch"/> of <paramref name="epoch"/> in a run seeded with <paramref name="seed"/>.</summary>
    public static ulong BatchSeed(int seed, int epoch, int batch) =>
        Mix(Mix(Mix(unchecked((ulong)seed)) ^ unchecked((ulong)epoch)) ^ unchecked((ulong)batch * 0x9E3779B97F4A7C15UL)) | 1;

    /// <summary>Fills <paramref name="mask"/> with 1 / (1 - rate) or 0, drawing from <paramref name="state"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is not in <c>[0, 1)</c>.</exception>
    public static void Fill(Span<float> mask, float rate, ref ulong state)
    {
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "A dropout rate must be in [0, 1).");
        }

        float kept = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            double uniform = (Mix(state) >> 11) * (1.0 / (1UL << 53));
            mask[i] = uniform >= rate ? kept : 0f;
        }
    }

    /// <summary>Scales row i of the <c>[scales.Length, columns]</c> <paramref name="matrix"/> by <paramref name="scales"/>[i].</summary>
    /// <exception cref="ArgumentException">The matrix is not a whole number of rows.</exception>
    public static void ScaleRows(Span<float> matrix, ReadOnlySpan<float> scales)
    {
        if (scales.Length == 0 || matrix.Length % scales.Length != 0)
        {
            throw new ArgumentException($"A matrix of {matrix.Length} values is not {scales.Length} whole rows.", nameof(matrix));
        }

        int columns = matrix.Length / scales.Length;
        for (int row = 0; row < scales.Length; row++)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(matrix.Slice(row * columns, columns), scales[row], matrix.Slice(row * columns, columns));
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
