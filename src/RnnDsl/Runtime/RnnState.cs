using System;
using System.ComponentModel;

namespace RnnDsl;

/// <summary>
/// The memory of one stream read step by step: every recurrent layer's h (and an LSTM's c) after the steps read
/// so far, as a model's <c>Step</c> leaves it. Create one with the model's <c>CreateState()</c>; it belongs to the
/// caller, not to the model, so one model serves any number of states at once (one per generation, per user, per
/// branch of a beam search), from any number of threads, as long as each state is stepped by one thread at a time.
/// </summary>
/// <remarks>
/// This is PyTorch's <c>(h, c)</c> passed in and out of an <c>LSTM</c>, or the <c>states</c> of a Keras
/// <c>stateful=True</c> layer, held explicitly: nothing about a stream is kept inside the model.
/// </remarks>
public sealed class RnnState
{
    private readonly float[] _values;

    /// <summary>
    /// A zero state for the model with <paramref name="architecture"/>: what a generated model's <c>CreateState()</c>
    /// returns. Call that instead; a model checks that a state was made for its architecture.
    /// </summary>
    /// <param name="architecture">The architecture of the model the state is for.</param>
    /// <param name="modelName">The model's class name, for messages.</param>
    /// <param name="length">The floats of the state: every recurrent layer's h (and c).</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public RnnState(ModelArchitecture architecture, string modelName, int length)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Architecture = architecture;
        ModelName = modelName;
        _values = new float[length];
    }

    /// <summary>The architecture of the model this state is for.</summary>
    public ModelArchitecture Architecture { get; }

    /// <summary>The class name of the model that created this state.</summary>
    public string ModelName { get; }

    /// <summary>
    /// The state's values: each recurrent layer's h, then its c (LSTM), in layer order, as the model's
    /// <c>CreateState</c> documentation lays them out. Writing to it sets the state, as passing <c>h0</c> to PyTorch does.
    /// </summary>
    public Span<float> Values => _values;

    /// <summary>The number of values.</summary>
    public int Length => _values.Length;

    /// <summary>Sets every value to zero: the state before a sequence's first step, ready for a new stream.</summary>
    public void Reset() => Array.Clear(_values);

    /// <summary>An independent copy: stepping either leaves the other as it was (for branching and beam search).</summary>
    public RnnState Clone()
    {
        var copy = new RnnState(Architecture, ModelName, _values.Length);
        _values.CopyTo(copy._values, 0);
        return copy;
    }

    /// <summary>Copies this state into <paramref name="destination"/>, a state of the same model, without allocating.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> belongs to a model with other layers.</exception>
    public void CopyTo(RnnState destination)
    {
        ModelInput.CheckState(destination, Architecture, _values.Length, ModelName, nameof(destination));
        _values.CopyTo(destination._values, 0);
    }
}
