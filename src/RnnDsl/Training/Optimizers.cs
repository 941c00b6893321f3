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
    private float[][] _state = Array.Empty<float[]>();

    /// <summary>The step size. It may be changed between steps or epochs.</summary>
    public float LearningRate { get; set; }

    /// <summary>Keras <c>global_clipnorm</c>: when set, a gradient whose L2 norm over all parameters exceeds it is scaled down to it.</summary>
    public float? GlobalClipNorm { get; set; }

    /// <summary>Keras <c>clipvalue</c>: when set, each gradient value is clipped to <c>[-ClipValue, ClipValue]</c>.</summary>
    public float? ClipValue { get; set; }

    /// <summary>The number of steps taken (Keras <c>iterations</c>).</summary>
    public long Iterations { get; private set; }

    /// <summary>How many state arrays of the parameters' length the rule keeps (moments, velocities).</summary>
    protected abstract int StateCount { get; }

    /// <summary>Applies one update to <paramref name="parameters"/> from <paramref name="gradients"/>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or from the first step's length; or both clipping options are set.</exception>
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
            Clip(_clipped, ClipScale(TensorPrimitives.SumOfSquares(_clipped)));
            gradients = _clipped;
        }

        BeginStep(parameters.Length);
        Update(parameters, gradients, Iterations, 0);
    }

    /// <summary>
    /// The factor <see cref="GlobalClipNorm"/> scales a gradient by, from its sum of squares (1 when it is not set
    /// or not exceeded). Keras allows one kind of clipping at a time, and so does this.
    /// </summary>
    internal float ClipScale(float sumOfSquares)
    {
        if (GlobalClipNorm is not null && ClipValue is not null)
        {
            throw new ArgumentException("Set GlobalClipNorm or ClipValue, not both: Keras applies one kind of clipping.");
        }

        float norm = MathF.Sqrt(sumOfSquares);
        return GlobalClipNorm is float maxNorm && norm > maxNorm ? maxNorm / norm : 1f;
    }

    /// <summary>Clips a gradient (or a range of one) in place: by value, or by the factor from <see cref="ClipScale"/>.</summary>
    internal void Clip(Span<float> gradients, float scale)
    {
        if (ClipValue is float limit)
        {
            TensorPrimitives.Clamp(gradients, -limit, limit, gradients);
        }
        else if (scale != 1f)
        {
            TensorPrimitives.Multiply(gradients, scale, gradients);
        }
    }

    /// <summary>Counts the step and makes sure the state arrays exist; <see cref="UpdateRange"/> then applies it in parts.</summary>
    internal void BeginStep(int length)
    {
        if (_state.Length != StateCount || (StateCount > 0 && _state[0].Length != length))
        {
            if (_state.Length > 0)
            {
                throw new ArgumentException($"This optimizer was used with {_state[0].Length} parameters; it cannot step {length}.");
            }

            _state = new float[StateCount][];
            for (int k = 0; k < StateCount; k++)
            {
                _state[k] = new float[length];
            }
        }

        Iterations++;
    }

    /// <summary>Applies the current step to parameters <c>[offset, offset + parameters.Length)</c>; ranges may run on different threads.</summary>
    internal void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int offset) => Update(parameters, gradients, Iterations, offset);

    /// <summary>
    /// The update rule proper for the <paramref name="iteration"/>-th step (counting from 1), on the parameters
    /// starting at <paramref name="offset"/> in the whole buffer (the same offset into <see cref="State"/>).
    /// </summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration, int offset);

    /// <summary>State array <paramref name="index"/> for the parameters starting at <paramref name="offset"/>.</summary>
    protected Span<float> State(int index, int offset, int length) => _state[index].AsSpan(offset, length);
}

/// <summary>
/// Keras <c>SGD(learning_rate=0.01, momentum=0.0, nesterov=False)</c>:
/// <c>v = momentum * v - lr * g</c>; <c>w += v</c>, or with Nesterov <c>w += momentum * v - lr * g</c>;
/// without momentum <c>w -= lr * g</c>.
/// </summary>
public sealed class Sgd : Optimizer
{
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
    protected override int StateCount => Momentum == 0f ? 0 : 1;

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration, int offset)
    {
        float lr = LearningRate;
        if (Momentum == 0f)
        {
            TensorPrimitives.MultiplyAdd(gradients, -lr, parameters, parameters);
            return;
        }

        Span<float> velocity = State(0, offset, parameters.Length);
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
    protected override int StateCount => 2;

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration, int offset)
    {
        Span<float> m = State(0, offset, parameters.Length);
        Span<float> v = State(1, offset, parameters.Length);
        float alpha = (float)(LearningRate * Math.Sqrt(1 - Math.Pow(Beta2, iteration)) / (1 - Math.Pow(Beta1, iteration)));
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // The same arithmetic as the scalar loop below, a vector at a time.
            var oneMinusBeta1 = new Vector<float>(1 - Beta1);
            var oneMinusBeta2 = new Vector<float>(1 - Beta2);
            var step = new Vector<float>(alpha);
            var epsilon = new Vector<float>(Epsilon);
            Span<Vector<float>> mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            Span<Vector<float>> vv = MemoryMarshal.Cast<float, Vector<float>>(v);
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
    protected override int StateCount => 1;

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long iteration, int offset)
    {
        Span<float> meanSquare = State(0, offset, parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            float g = gradients[i];
            meanSquare[i] = Rho * meanSquare[i] + (1 - Rho) * g * g;
            parameters[i] -= LearningRate * g / MathF.Sqrt(meanSquare[i] + Epsilon);
        }
    }
}
