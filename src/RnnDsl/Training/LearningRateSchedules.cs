using System;
using System.Collections.Generic;
using System.Globalization;

namespace RnnDsl;

/// <summary>
/// A learning rate for every optimizer step, as Keras's <c>keras.optimizers.schedules</c>: set as
/// <see cref="FitOptions.LearningRateSchedule"/>, it gives the rate of each step from the optimizer's step count
/// (<see cref="Optimizer.Iterations"/> before the step: 0 for a new optimizer's first step, and counting on across
/// <c>Fit</c> calls with the same optimizer), exactly where Keras evaluates a schedule passed as <c>learning_rate</c>.
/// Schedules are per step, not per epoch: for a change every k epochs, count k × (batches per epoch) steps.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate of step <paramref name="step"/>, counting from 0.</summary>
    public abstract float LearningRate(long step);

    private protected static void CheckRate(float rate, string name)
    {
        if (!float.IsFinite(rate) || rate < 0)
        {
            throw new ArgumentOutOfRangeException(name, rate, $"{name} is {rate.ToString(CultureInfo.InvariantCulture)}; a learning rate must be a finite number of at least 0.");
        }
    }

    private protected static void CheckSteps(long steps, string name)
    {
        if (steps <= 0)
        {
            throw new ArgumentOutOfRangeException(name, steps, $"{name} is {steps}; it must be above 0.");
        }
    }
}

/// <summary>
/// Keras <c>ExponentialDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False)</c>:
/// <c>rate = initial × decay_rate ^ (step / decay_steps)</c>, with <c>step / decay_steps</c> rounded down when
/// <see cref="Staircase"/> is set. With the staircase it is the classic step decay: the rate is multiplied by
/// <see cref="DecayRate"/> once every <see cref="DecaySteps"/> steps.
/// </summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative or not finite, or <paramref name="decaySteps"/> is not above 0.</exception>
    public ExponentialDecay(float initialLearningRate, long decaySteps, float decayRate, bool staircase = false)
    {
        CheckRate(initialLearningRate, nameof(initialLearningRate));
        CheckSteps(decaySteps, nameof(decaySteps));
        CheckRate(decayRate, nameof(decayRate));
        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        DecayRate = decayRate;
        Staircase = staircase;
    }

    /// <summary>The rate of step 0.</summary>
    public float InitialLearningRate { get; }

    /// <summary>The steps over which the rate is multiplied by <see cref="DecayRate"/> once.</summary>
    public long DecaySteps { get; }

    /// <summary>The factor per <see cref="DecaySteps"/> steps.</summary>
    public float DecayRate { get; }

    /// <summary>Whether the exponent is rounded down, so the rate changes in steps.</summary>
    public bool Staircase { get; }

    /// <inheritdoc/>
    public override float LearningRate(long step)
    {
        double exponent = (double)step / DecaySteps;
        return (float)(InitialLearningRate * Math.Pow(DecayRate, Staircase ? Math.Floor(exponent) : exponent));
    }
}

/// <summary>
/// Keras <c>CosineDecay(initial_learning_rate, decay_steps, alpha=0.0)</c> without warm-up:
/// <c>rate = initial × ((1 - alpha) × 0.5 × (1 + cos(π × min(step, decay_steps) / decay_steps)) + alpha)</c>,
/// from the initial rate down to <c>initial × alpha</c> at <see cref="DecaySteps"/>, and that from then on.
/// </summary>
public sealed class CosineDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative or not finite, <paramref name="decaySteps"/> is not above 0, or <paramref name="alpha"/> is outside [0, 1].</exception>
    public CosineDecay(float initialLearningRate, long decaySteps, float alpha = 0f)
    {
        CheckRate(initialLearningRate, nameof(initialLearningRate));
        CheckSteps(decaySteps, nameof(decaySteps));
        if (!(alpha is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"alpha is {alpha.ToString(CultureInfo.InvariantCulture)}; it is the final fraction of the rate, in [0, 1].");
        }

        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        Alpha = alpha;
    }

    /// <summary>The rate of step 0.</summary>
    public float InitialLearningRate { get; }

    /// <summary>The steps of the decay.</summary>
    public long DecaySteps { get; }

    /// <summary>The fraction of the initial rate left at the end.</summary>
    public float Alpha { get; }

    /// <inheritdoc/>
    public override float LearningRate(long step)
    {
        double done = (double)Math.Min(step, DecaySteps) / DecaySteps;
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * done));
        return (float)(InitialLearningRate * (((1 - Alpha) * cosine) + Alpha));
    }
}

/// <summary>
/// Keras <c>PiecewiseConstantDecay(boundaries, values)</c>: <c>values[0]</c> while <c>step &lt;= boundaries[0]</c>,
/// <c>values[i]</c> while <c>boundaries[i - 1] &lt; step &lt;= boundaries[i]</c>, and the last value after the last boundary.
/// </summary>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    private readonly long[] _boundaries;
    private readonly float[] _values;

    /// <summary>Creates the schedule.</summary>
    /// <param name="boundaries">Steps, strictly increasing.</param>
    /// <param name="values">One rate more than there are boundaries.</param>
    /// <exception cref="ArgumentException">The counts do not fit, a boundary does not increase, or a rate is negative or not finite.</exception>
    public PiecewiseConstantDecay(IReadOnlyList<long> boundaries, IReadOnlyList<float> values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != boundaries.Count + 1)
        {
            throw new ArgumentException(
                $"values has {values.Count} rates for {boundaries.Count} boundaries; it needs one more rate than boundaries.", nameof(values));
        }

        _boundaries = new long[boundaries.Count];
        _values = new float[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            CheckRate(values[i], nameof(values));
            _values[i] = values[i];
        }

        for (int i = 0; i < boundaries.Count; i++)
        {
            if (i > 0 && boundaries[i] <= boundaries[i - 1])
            {
                throw new ArgumentException(
                    $"boundaries[{i}] is {boundaries[i]}, not above boundaries[{i - 1}] ({boundaries[i - 1]}); boundaries must increase.", nameof(boundaries));
            }

            _boundaries[i] = boundaries[i];
        }
    }

    /// <summary>The steps where the rate changes: after step <c>Boundaries[i]</c> the rate is <c>Values[i + 1]</c>.</summary>
    public IReadOnlyList<long> Boundaries => _boundaries;

    /// <summary>The rates, one more than <see cref="Boundaries"/>.</summary>
    public IReadOnlyList<float> Values => _values;

    /// <inheritdoc/>
    public override float LearningRate(long step)
    {
        int i = 0;
        while (i < _boundaries.Length && step > _boundaries[i])
        {
            i++;
        }

        return _values[i];
    }
}
