using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace RnnDsl;

/// <summary>
/// An optimizer updates the flat parameter buffer from a gradient in the same layout. State (moments,
/// velocities) is allocated on the first step and reused, so steps after the first allocate nothing.
/// </summary>
public abstract class Optimizer
{
    private float[]? _clipped;

    /// <summary>The step size. It may be changed between steps or epochs.</summary>
    public float LearningRate { get; set; }

    /// <summary>Keras <c>global_clipnorm</c>: when set, a gradient whose L2 norm over all parameters exceeds it is scaled down to it.</summary>
    public float? GlobalClipNorm { get; set; }

    /// <summary>Keras <c>clipvalue</c>: when set, each gradient value is clipped to <c>[-ClipValue, ClipValue]</c>.</summary>
    public float? ClipValue { get; set; }

    /// <summary>The number of steps taken (Keras <c>iterations</c>).</summary>
    public long Iterations { get; private set; }

    /// <summary>Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or differ from the first step's length.</exception>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != gradients.Length)
        {
            throw new ArgumentException($"gradients has {gradients.Length} values; parameters has {parameters.Length}.", nameof(gradients));
        }

        if (GlobalClipNorm is not null || ClipValue is not null)
        {
            if (_clipped is null || _clipped.Length != gradients.Length)
            {
                _clipped = new float[gradients.Length];
            }

            gradients.CopyTo(_clipped);
            Clip(_clipped);
            gradients = _clipped;
        }

        Iterations++;
        Update(parameters, gradients, Iterations);
    }

    private void Clip(Span<float> gradients)
    {
        if (ClipValue is float limit)
        {
            TensorPrimitives.Clamp(gradients, -limit, limit, gradients);
        }

        if (GlobalClipNorm is float maxNorm)
        {
            float norm = TensorPrimitives.Norm(gradients);
            if (norm > maxNorm)
            {
                TensorPrimitives.Multiply(gradients, maxNorm / norm, gradients);
            }
        }
    }

    /// <summary>The update rule proper, for the <paramref name="iteration"/>-th step (counting from 1).</summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration);

    /// <summary>Returns a state buffer of the parameters' length, created on first use.</summary>
    protected static float[] State(ref float[]? state, int length)
    {
        if (state is null || state.Length != length)
        {
            if (state is not null)
            {
                throw new ArgumentException($"This optimizer was used with {state.Length} parameters; it cannot step {length}.");
            }

            state = new float[length];
        }

        return state;
    }
}

/// <summary>
/// Keras <c>SGD(learning_rate=0.01, momentum=0.0, nesterov=False)</c>:
/// <c>v = momentum * v - lr * g</c>; <c>w += v</c>, or with Nesterov <c>w += momentum * v - lr * g</c>;
/// without momentum <c>w -= lr * g</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
    private float[]? _velocity;

    /// <summary>Creates SGD with Keras defaults.</summary>
    public Sgd(float learningRate = 0.01f, float momentum = 0f, bool nesterov = false)
    {
        LearningRate = learningRate;
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>The momentum factor.</summary>
    public float Momentum { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration)
    {
        float lr = LearningRate;
        if (Momentum == 0f)
        {
            TensorPrimitives.MultiplyAdd(gradients, -lr, parameters, parameters);
            return;
        }

        float[] velocity = State(ref _velocity, parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            float v = Momentum * velocity[i] - lr * gradients[i];
            velocity[i] = v;
            parameters[i] += Nesterov ? Momentum * v - lr * gradients[i] : v;
        }
    }
}

/// <summary>
/// Keras <c>Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)</c>:
/// <c>m = b1 m + (1 - b1) g</c>, <c>v = b2 v + (1 - b2) g²</c>,
/// <c>w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)</c>.
/// </summary>
public sealed class Adam : Optimizer
{
    private float[]? _m;
    private float[]? _v;

    /// <summary>Creates Adam with Keras defaults.</summary>
    public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f)
    {
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>Decay of the first moment.</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 { get; }

    /// <summary>Added to the root of the second moment.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration)
    {
        float[] m = State(ref _m, parameters.Length);
        float[] v = State(ref _v, parameters.Length);
        float alpha = (float)(LearningRate * Math.Sqrt(1 - Math.Pow(Beta2, iteration)) / (1 - Math.Pow(Beta1, iteration)));
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // The same arithmetic as the scalar loop below, a vector at a time.
            var oneMinusBeta1 = new Vector<float>(1 - Beta1);
            var oneMinusBeta2 = new Vector<float>(1 - Beta2);
            var step = new Vector<float>(alpha);
            var epsilon = new Vector<float>(Epsilon);
            Span<Vector<float>> mv = MemoryMarshal.Cast<float, Vector<float>>(m.AsSpan());
            Span<Vector<float>> vv = MemoryMarshal.Cast<float, Vector<float>>(v.AsSpan());
            Span<Vector<float>> wv = MemoryMarshal.Cast<float, Vector<float>>(parameters);
            ReadOnlySpan<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            for (int k = 0; k < wv.Length; k++)
            {
                Vector<float> g = gv[k];
                Vector<float> mk = mv[k] + (g - mv[k]) * oneMinusBeta1;
                Vector<float> vk = vv[k] + (g * g - vv[k]) * oneMinusBeta2;
                mv[k] = mk;
                vv[k] = vk;
                wv[k] -= step * mk / (Vector.SquareRoot(vk) + epsilon);
            }

            i = wv.Length * Vector<float>.Count;
        }

        for (; i < parameters.Length; i++)
        {
            float g = gradients[i];
            m[i] += (g - m[i]) * (1 - Beta1);
            v[i] += (g * g - v[i]) * (1 - Beta2);
            parameters[i] -= alpha * m[i] / (MathF.Sqrt(v[i]) + Epsilon);
        }
    }
}

/// <summary>
/// Keras <c>RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7)</c>:
/// <c>s = rho s + (1 - rho) g²</c>, <c>w -= lr * g / sqrt(s + epsilon)</c>.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private float[]? _meanSquare;

    /// <summary>Creates RMSprop with Keras defaults.</summary>
    public RmsProp(float learningRate = 0.001f, float rho = 0.9f, float epsilon = 1e-7f)
    {
        LearningRate = learningRate;
        Rho = rho;
        Epsilon = epsilon;
    }

    /// <summary>Decay of the mean square.</summary>
    public float Rho { get; }

    /// <summary>Added to the mean square under the root.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration)
    {
        float[] meanSquare = State(ref _meanSquare, parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            float g = gradients[i];
            meanSquare[i] = Rho * meanSquare[i] + (1 - Rho) * g * g;
            parameters[i] -= LearningRate * g / MathF.Sqrt(meanSquare[i] + Epsilon);
        }
    }
}
