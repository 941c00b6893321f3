using System;
using RnnDsl.Kernels;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// <see cref="FastMath"/>'s tanh and sigmoid against double precision, at both vector widths, over millions of floats
/// spread evenly by bit pattern (so every binade from 1e-30 up is covered as densely as the ones near 1), plus the
/// special values.
/// </summary>
public class FastMathTests
{
    private const int MaxUlps = 3; // for the special values below

    /// <summary>How many floats lie between <paramref name="a"/> and <paramref name="b"/> (both finite).</summary>
    private static long UlpDistance(float a, float b)
    {
        static long Ordered(float f)
        {
            int bits = BitConverter.SingleToInt32Bits(f);
            return bits < 0 ? int.MinValue - (long)bits : bits;
        }

        return Math.Abs(Ordered(a) - Ordered(b));
    }

    /// <summary>Every 61st float from 1e-30 to 100, both signs: about 14 million values.</summary>
    private static float[] Sweep()
    {
        int from = BitConverter.SingleToInt32Bits(1e-30f);
        int to = BitConverter.SingleToInt32Bits(100f);
        var values = new float[2 * ((to - from) / 61 + 1)];
        int k = 0;
        for (int bits = from; bits <= to; bits += 61)
        {
            float f = BitConverter.Int32BitsToSingle(bits);
            values[k++] = f;
            values[k++] = -f;
        }

        return values.AsSpan(0, k).ToArray();
    }

    private static void Check(Action<float[]> function, Func<double, double> exact, string what, int maxUlps)
    {
        float[] inputs = Sweep();
        long worst = 0;
        float worstAt = 0;
        // Spans of every length from 1 to 70, one after another, so the 512- and 256-bit, overlapping and padded paths all run.
        int at = 0;
        int length = 1;
        var outputs = new float[inputs.Length];
        while (at < inputs.Length)
        {
            int n = Math.Min(length, inputs.Length - at);
            float[] chunk = inputs.AsSpan(at, n).ToArray();
            function(chunk);
            chunk.CopyTo(outputs, at);
            at += n;
            length = length % 70 + 1;
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            long ulps = UlpDistance(outputs[i], (float)exact(inputs[i]));
            if (ulps > worst)
            {
                worst = ulps;
                worstAt = inputs[i];
            }
        }

        Assert.True(worst <= maxUlps, $"{what}: {worst} ulp at {worstAt:R}");
    }

    [VectorWidthFact(512)]
    public void Tanh_512_bit_is_within_2_ulp_everywhere() => Check(values => FastMath.Tanh(values, 512), Math.Tanh, "tanh, 512-bit", maxUlps: 2);

    [VectorWidthFact(256)]
    public void Tanh_256_bit_is_within_2_ulp_everywhere() => Check(values => FastMath.Tanh(values, 256), Math.Tanh, "tanh, 256-bit", maxUlps: 2);

    [VectorWidthFact(512)]
    public void Sigmoid_512_bit_is_within_3_ulp_everywhere() => Check(values => FastMath.Sigmoid(values, 512), Sigmoid, "sigmoid, 512-bit", maxUlps: 3);

    [VectorWidthFact(256)]
    public void Sigmoid_256_bit_is_within_3_ulp_everywhere() => Check(values => FastMath.Sigmoid(values, 256), Sigmoid, "sigmoid, 256-bit", maxUlps: 3);

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void Without_256_bit_vectors_they_are_TensorPrimitives()
    {
        float[] values = TestData.Reals(77, seed: 3);
        float[] tanh = (float[])values.Clone();
        FastMath.Tanh(tanh, 128);
        float[] expected = new float[values.Length];
        System.Numerics.Tensors.TensorPrimitives.Tanh(values, expected);
        Assert.Equal(expected, tanh);
        float[] sigmoid = (float[])values.Clone();
        FastMath.Sigmoid(sigmoid, 128);
        System.Numerics.Tensors.TensorPrimitives.Sigmoid(values, expected);
        Assert.Equal(expected, sigmoid);
    }

    [Fact]
    public void Special_values()
    {
        float[] values = { 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -float.Epsilon, 1e30f, -1e30f, 0.5f, -0.5f };
        float[] tanh = (float[])values.Clone();
        Activations.Tanh(tanh);
        Assert.Equal(0f, tanh[0]);
        Assert.True(float.IsNegative(tanh[1]) && tanh[1] == 0f, "tanh(-0) is -0");
        Assert.Equal(1f, tanh[2]);
        Assert.Equal(-1f, tanh[3]);
        Assert.True(float.IsNaN(tanh[4]), "tanh(NaN) is NaN, so a diverging run is still caught");
        Assert.Equal(float.Epsilon, tanh[5]);
        Assert.Equal(-float.Epsilon, tanh[6]);
        Assert.Equal(1f, tanh[7]);
        Assert.Equal(-1f, tanh[8]);
        Assert.True(UlpDistance(tanh[9], (float)Math.Tanh(0.5)) <= MaxUlps);
        Assert.Equal(-tanh[9], tanh[10]); // odd

        float[] sigmoid = (float[])values.Clone();
        Activations.Sigmoid(sigmoid);
        Assert.Equal(0.5f, sigmoid[0]);
        Assert.Equal(0.5f, sigmoid[1]);
        Assert.Equal(1f, sigmoid[2]);
        Assert.Equal(0f, sigmoid[3], 1e-37f);
        Assert.True(float.IsNaN(sigmoid[4]), "sigmoid(NaN) is NaN");
        Assert.Equal(1f, sigmoid[7]);
        Assert.Equal(0f, sigmoid[8], 1e-37f);
    }

    [Fact]
    public void A_value_gives_the_same_bits_wherever_it_sits_in_a_span()
    {
        float[] pattern = TestData.Reals(70, seed: 9);
        for (int i = 0; i < pattern.Length; i++)
        {
            pattern[i] *= 6f;
        }

        float[] alone = new float[pattern.Length];
        for (int i = 0; i < pattern.Length; i++)
        {
            float[] one = { pattern[i] };
            Activations.Tanh(one);
            alone[i] = one[0];
        }

        for (int length = 1; length <= pattern.Length; length++)
        {
            float[] span = pattern.AsSpan(0, length).ToArray();
            Activations.Tanh(span);
            Assert.Equal(alone.AsSpan(0, length).ToArray(), span);
        }
    }
}
