using System;
using System.Numerics.Tensors;

namespace RnnDsl;

/// <summary>Checks of the spans passed to a generated model, with messages that say what was expected.</summary>
public static class ModelInput
{
    /// <summary>
    /// Checks that every token id is in <c>[0, vocabularySize)</c>; the exception names the first
    /// offending position.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A token id is out of range.</exception>
    public static void CheckTokens(ReadOnlySpan<int> tokens, int vocabularySize, string argumentName)
    {
        if (tokens.IsEmpty || (TensorPrimitives.Min(tokens) >= 0 && TensorPrimitives.Max(tokens) < vocabularySize))
        {
            return;
        }

        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)vocabularySize)
            {
                throw new ArgumentOutOfRangeException(
                    argumentName,
                    tokens[i],
                    $"{argumentName}[{i}] is {tokens[i]}; token ids must be in [0, {vocabularySize}).");
            }
        }
    }

    /// <summary>Checks that a degree of parallelism is at least 1 (one thread, the caller's).</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is 0 or negative.</exception>
    public static void CheckDegreeOfParallelism(int degreeOfParallelism, string argumentName)
    {
        if (degreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(argumentName, degreeOfParallelism, $"{argumentName} is {degreeOfParallelism}; it must be at least 1 (1 runs on the calling thread).");
        }
    }

    /// <summary>
    /// Checks that a sequence has at least one step and, when <paramref name="maxSteps"/> is positive,
    /// at most that many.
    /// </summary>
    /// <exception cref="ArgumentException">The sequence is empty or too long.</exception>
    public static void CheckSteps(int steps, int maxSteps, string argumentName)
    {
        if (steps < 1)
        {
            throw new ArgumentException($"{argumentName} is empty; a sequence needs at least one step.", argumentName);
        }

        if (maxSteps > 0 && steps > maxSteps)
        {
            throw new ArgumentException(
                $"{argumentName} has {steps} steps; this model is declared for sequences of at most {maxSteps} steps.", argumentName);
        }
    }

    /// <summary>
    /// Returns the number of steps in <paramref name="length"/> values of <paramref name="features"/>
    /// values each, checking that the length is a whole number of steps.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="features"/>.</exception>
    public static int StepsOf(int length, int features, string argumentName)
    {
        if (length % features != 0)
        {
            throw new ArgumentException(
                $"{argumentName} has {length} values, which is not a whole number of steps of {features} features.", argumentName);
        }

        return length / features;
    }

    /// <summary>Returns the length of each of <paramref name="batchSize"/> sequences stored back to back.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The length is not divisible by the batch size.</exception>
    public static int SequenceLengthOf(int length, int batchSize, string argumentName) => SequenceLengthOf(length, batchSize, argumentName, nameof(batchSize));

    /// <summary>
    /// <see cref="SequenceLengthOf(int, int, string)"/> for a method whose number of sequences is called
    /// <paramref name="countName"/> (<c>count</c>, not <c>batchSize</c>), which the exception then names.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">There are no sequences.</exception>
    /// <exception cref="ArgumentException">The length does not divide evenly.</exception>
    public static int SequenceLengthOf(int length, int batchSize, string argumentName, string countName)
    {
        if (batchSize < 1)
        {
            throw new ArgumentOutOfRangeException(countName, batchSize, "The batch must hold at least one sequence.");
        }

        if (length % batchSize != 0)
        {
            throw new ArgumentException(
                $"{argumentName} has {length} values, which does not divide into {batchSize} sequences of equal length.", argumentName);
        }

        return length / batchSize;
    }

    /// <summary>Checks that one token id, read by a model's <c>Step</c>, is in <c>[0, vocabularySize)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The token id is out of range.</exception>
    public static void CheckToken(int token, int vocabularySize, string argumentName)
    {
        if ((uint)token >= (uint)vocabularySize)
        {
            throw new ArgumentOutOfRangeException(argumentName, token, $"{argumentName} is {token}; token ids must be in [0, {vocabularySize}).");
        }
    }

    /// <summary>
    /// Checks that <paramref name="state"/> was created for a model with <paramref name="architecture"/>: by the same
    /// model class (any instance), or by one whose layers are the same.
    /// </summary>
    /// <exception cref="ArgumentNullException">The state is null.</exception>
    /// <exception cref="ArgumentException">The state belongs to a model with other layers.</exception>
    public static void CheckState(RnnState state, ModelArchitecture architecture, int length, string modelName, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(state, argumentName);
        if (ReferenceEquals(state.Architecture, architecture)
            || (state.Length == length && state.Architecture.Fingerprint == architecture.Fingerprint))
        {
            return;
        }

        throw new ArgumentException(
            $"{argumentName} was created by {state.ModelName}.CreateState(), a model with other layers; {modelName} steps only states made for its layers (its own CreateState()).",
            argumentName);
    }

    /// <summary>Checks that one step of real-valued input, read by a model's <c>Step</c>, holds exactly <paramref name="features"/> values.</summary>
    /// <exception cref="ArgumentException">The length differs.</exception>
    public static void CheckFeatures(int length, int features, string argumentName)
    {
        if (length != features)
        {
            throw new ArgumentException($"{argumentName} has {length} values; a step of this model reads exactly {features} (Features).", argumentName);
        }
    }

    /// <summary>Checks that a destination span has exactly the length the model writes.</summary>
    /// <exception cref="ArgumentException">The length differs.</exception>
    public static void CheckLength(int actual, int expected, string argumentName)
    {
        if (actual != expected)
        {
            throw new ArgumentException(
                $"{argumentName} has length {actual}; this call writes exactly {expected} values.", argumentName);
        }
    }
}
