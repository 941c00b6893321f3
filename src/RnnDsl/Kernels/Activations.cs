using System;
using System.Numerics.Tensors;

namespace RnnDsl.Kernels;

/// <summary>Activation functions applied in place, with Keras definitions.</summary>
public static class Activations
{
    /// <summary>Effectively computes <c>values[i] = max(values[i], 0)</c>.</summary>
    public static void Relu(Span<float> values) => TensorPrimitives.Max(values, 0f, values);

    /// <summary>Effectively computes <c>values[i] = tanh(values[i])</c>.</summary>
    public static void Tanh(Span<float> values) => TensorPrimitives.Tanh(values, values);

    /// <summary>Effectively computes <c>values[i] = 1 / (1 + exp(-values[i]))</c>.</summary>
    public static void Sigmoid(Span<float> values) => TensorPrimitives.Sigmoid(values, values);

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
}
