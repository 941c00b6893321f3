using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnDsl.Kernels;

/// <summary>Activation functions applied in place, with Keras definitions.</summary>
public static class Activations
{
    /// <summary>Effectively computes <c>values[i] = max(values[i], 0)</c>.</summary>
    public static void Relu(Span<float> values) => TensorPrimitives.Max(values, 0f, values);

    /// <summary>Effectively computes <c>values[i] = tanh(values[i])</c>, within 3 units in the last place (see <see cref="FastMath"/>).</summary>
    public static void Tanh(Span<float> values) => FastMath.Tanh(values, 512);

    /// <summary>Effectively computes <c>values[i] = 1 / (1 + exp(-values[i]))</c>, within 3 units in the last place (see <see cref="FastMath"/>).</summary>
    public static void Sigmoid(Span<float> values) => FastMath.Sigmoid(values, 512);

    /// <summary>
    /// Effectively computes <c>values[i] = exp(values[i] - max) / sum over j of exp(values[j] - max)</c>:
    /// the maximum is subtracted first, as Keras does, so large logits do not overflow.
    /// </summary>
    public static void Softmax(Span<float> values)
    {
        float max = TensorPrimitives.Max(values);
        TensorPrimitives.Subtract(values, max, values);
        TensorPrimitives.Exp(values, values);
        float sum = TensorPrimitives.Sum(values);
        TensorPrimitives.Divide(values, sum, values);
    }

    /// <summary>
    /// Turns the gradient of tanh's output into the gradient of its input, in place, from the output
    /// itself: <c>gradient[i] *= 1 - output[i]²</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <paramref name="gradient"/>.</exception>
    public static void TanhBackward(ReadOnlySpan<float> output, Span<float> gradient) => Backward<TanhDerivative>(output, gradient);

    /// <summary>In place: <c>gradient[i] *= output[i] * (1 - output[i])</c>, the sigmoid derivative from its output.</summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <paramref name="gradient"/>.</exception>
    public static void SigmoidBackward(ReadOnlySpan<float> output, Span<float> gradient) => Backward<SigmoidDerivative>(output, gradient);

    /// <summary>In place: <c>gradient[i] = 0</c> where the ReLU output is 0.</summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <paramref name="gradient"/>.</exception>
    public static void ReluBackward(ReadOnlySpan<float> output, Span<float> gradient) => Backward<ReluDerivative>(output, gradient);

    /// <summary>
    /// A derivative taken from the activation's output, the same expression at every vector width and in scalar code.
    /// Each is written as separate multiplies and subtractions, never fused: the vector and scalar paths round alike,
    /// so a value's result does not depend on where it sits in the span.
    /// </summary>
    private interface IDerivative
    {
        static abstract Vector512<float> Apply(Vector512<float> output, Vector512<float> gradient);

        static abstract Vector256<float> Apply(Vector256<float> output, Vector256<float> gradient);

        static abstract float Apply(float output, float gradient);
    }

    private readonly struct TanhDerivative : IDerivative
    {
        public static Vector512<float> Apply(Vector512<float> output, Vector512<float> gradient) => gradient * (Vector512<float>.One - output * output);

        public static Vector256<float> Apply(Vector256<float> output, Vector256<float> gradient) => gradient * (Vector256<float>.One - output * output);

        public static float Apply(float output, float gradient) => gradient * (1f - output * output);
    }

    private readonly struct SigmoidDerivative : IDerivative
    {
        public static Vector512<float> Apply(Vector512<float> output, Vector512<float> gradient) => gradient * (output * (Vector512<float>.One - output));

        public static Vector256<float> Apply(Vector256<float> output, Vector256<float> gradient) => gradient * (output * (Vector256<float>.One - output));

        public static float Apply(float output, float gradient) => gradient * (output * (1f - output));
    }

    private readonly struct ReluDerivative : IDerivative
    {
        public static Vector512<float> Apply(Vector512<float> output, Vector512<float> gradient) =>
            Vector512.ConditionalSelect(Vector512.LessThanOrEqual(output, Vector512<float>.Zero), Vector512<float>.Zero, gradient);

        public static Vector256<float> Apply(Vector256<float> output, Vector256<float> gradient) =>
            Vector256.ConditionalSelect(Vector256.LessThanOrEqual(output, Vector256<float>.Zero), Vector256<float>.Zero, gradient);

        public static float Apply(float output, float gradient) => output <= 0f ? 0f : gradient;
    }

    /// <summary>
    /// <typeparamref name="TDerivative"/> over the spans, in place in <paramref name="gradient"/>: the widest hardware vectors
    /// first, then scalar code for the last few values. A backward pass calls this once per step and gate block, so it has
    /// to be vector code (it was a scalar loop, 14 % of the design card model's batched training time).
    /// </summary>
    private static void Backward<TDerivative>(ReadOnlySpan<float> output, Span<float> gradient)
        where TDerivative : struct, IDerivative
    {
        if (output.Length < gradient.Length)
        {
            throw new ArgumentException($"output has {output.Length} values; the gradient has {gradient.Length}.", nameof(output));
        }

        ref float y = ref MemoryMarshal.GetReference(output);
        ref float g = ref MemoryMarshal.GetReference(gradient);
        int n = gradient.Length;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
            {
                TDerivative.Apply(Vector512.LoadUnsafe(ref y, (nuint)i), Vector512.LoadUnsafe(ref g, (nuint)i)).StoreUnsafe(ref g, (nuint)i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                TDerivative.Apply(Vector256.LoadUnsafe(ref y, (nuint)i), Vector256.LoadUnsafe(ref g, (nuint)i)).StoreUnsafe(ref g, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref g, i) = TDerivative.Apply(Unsafe.Add(ref y, i), Unsafe.Add(ref g, i));
        }
    }

    /// <summary>
    /// In place, from the softmax output y: <c>gradient[i] = y[i] * (gradient[i] - sum over j of gradient[j] * y[j])</c>.
    /// </summary>
    public static void SoftmaxBackward(ReadOnlySpan<float> output, Span<float> gradient)
    {
        float dot = TensorPrimitives.Dot(gradient, output);
        TensorPrimitives.Subtract(gradient, dot, gradient);
        TensorPrimitives.Multiply(gradient, output.Slice(0, gradient.Length), gradient);
    }
}
