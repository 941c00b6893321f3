using System;
using System.Numerics.Tensors;

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
    public static void TanhBackward(ReadOnlySpan<float> output, Span<float> gradient)
    {
        for (int i = 0; i < gradient.Length; i++)
        {
            gradient[i] *= 1f - output[i] * output[i];
        }
    }

    /// <summary>In place: <c>gradient[i] *= output[i] * (1 - output[i])</c>, the sigmoid derivative from its output.</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> output, Span<float> gradient)
    {
        for (int i = 0; i < gradient.Length; i++)
        {
            gradient[i] *= output[i] * (1f - output[i]);
        }
    }

    /// <summary>In place: <c>gradient[i] = 0</c> where the ReLU output is 0.</summary>
    public static void ReluBackward(ReadOnlySpan<float> output, Span<float> gradient)
    {
        for (int i = 0; i < gradient.Length; i++)
        {
            if (output[i] <= 0f)
            {
                gradient[i] = 0f;
            }
        }
    }

    /// <summary>
    /// In place, from the softmax output y: <c>gradient[i] = y[i] * (gradient[i] - sum over j of gradient[j] * y[j])</c>.
    /// </summary>
    public static void SoftmaxBackward(ReadOnlySpan<float> output, Span<float> gradient)
    {
        float dot = TensorPrimitives.Dot(gradient, output);
        for (int i = 0; i < gradient.Length; i++)
        {
            gradient[i] = output[i] * (gradient[i] - dot);
        }
    }
}
