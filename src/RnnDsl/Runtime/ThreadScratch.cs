using System;

namespace RnnDsl;

/// <summary>
/// Per-thread working memory for generated models. Each thread has its own buffer, which only grows,
/// so after the first call of a given size no call allocates, and threads never share mutable state.
/// </summary>
public static class ThreadScratch
{
    [ThreadStatic]
    private static float[]? t_buffer;

    /// <summary>
    /// Returns <paramref name="length"/> floats of this thread's buffer. Their contents are undefined;
    /// the span is valid until this thread's next call.
    /// </summary>
    public static Span<float> Get(int length)
    {
        float[]? buffer = t_buffer;
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[Math.Max(length, (buffer?.Length ?? 0) * 2)];
            t_buffer = buffer;
        }

        return buffer.AsSpan(0, length);
    }

    /// <summary>The most floats a batched method asks for when it may choose how many sequences to take: 4M (16 MB).</summary>
    public const long BatchBudget = 1 << 22;

    /// <summary>
    /// How many sequences a batched method takes at once: <paramref name="most"/>, or fewer where their scratch
    /// (<paramref name="perSequence"/> floats each, plus <paramref name="shared"/>) would pass <see cref="BatchBudget"/>,
    /// and at least one. The per-thread buffer only grows, so this keeps long sequences from leaving a batch's worth of
    /// them on every thread that ran one.
    /// </summary>
    public static int Lanes(long perSequence, long shared, int most)
    {
        long fits = (BatchBudget - shared) / Math.Max(perSequence, 1);
        return (int)Math.Clamp(fits, 1, most);
    }

    /// <summary>Cuts the first <paramref name="length"/> floats off <paramref name="scratch"/> and returns them.</summary>
    public static Span<float> Take(scoped ref Span<float> scratch, int length)
    {
        Span<float> taken = scratch.Slice(0, length);
        scratch = scratch.Slice(length);
        return taken;
    }
}
