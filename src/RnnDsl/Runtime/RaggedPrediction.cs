using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace RnnDsl;

/// <summary>
/// Keras's <c>model.predict(x)</c> for sequences of any lengths: <c>model.Predict(sequences)</c> returns one output row per
/// sequence, in the caller's order. Sequences of the same length are predicted together with <c>PredictBatch</c>, in
/// batches of at most <see cref="BatchSize"/>, and the batches can be spread over several threads.
/// </summary>
public static class RaggedPrediction
{
    /// <summary>The most sequences one <c>PredictBatch</c> call takes (Keras's default <c>batch_size</c> is 32).</summary>
    public const int BatchSize = 64;

    /// <summary>
    /// Predicts every sequence of token ids: element i of the result is what <c>Predict</c> writes for
    /// <c>sequences[i]</c> (<c>OutputLength(steps)</c> values).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="sequences">The sequences, of any lengths the model accepts.</param>
    /// <param name="degreeOfParallelism">How many threads share the batches; 1 runs on the calling thread.</param>
    /// <exception cref="ArgumentException">A sequence is null or empty, too long for the model, or holds a token id out of range (the message names it).</exception>
    public static float[][] Predict(this ITokenModel model, IReadOnlyList<int[]> sequences, int degreeOfParallelism = 1) =>
        PredictAll(model, sequences, degreeOfParallelism, model.VocabularySize);

    /// <summary>
    /// Predicts every sequence of real values (each <c>Features</c> values per step, step-major): element i of the result
    /// is what <c>Predict</c> writes for <c>sequences[i]</c>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="sequences">The sequences, of any lengths the model accepts.</param>
    /// <param name="degreeOfParallelism">How many threads share the batches; 1 runs on the calling thread.</param>
    /// <exception cref="ArgumentException">A sequence is null, empty, not a whole number of steps or too long for the model (the message names it).</exception>
    public static float[][] Predict(this IRealValuedModel model, IReadOnlyList<float[]> sequences, int degreeOfParallelism = 1) =>
        PredictAll(model, sequences, degreeOfParallelism, vocabularySize: 0);

    private static float[][] PredictAll<TInput>(ISequenceModel<TInput> model, IReadOnlyList<TInput[]> sequences, int degreeOfParallelism, int vocabularySize)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);

        // Every sequence is checked before any work, so an error names the sequence and leaves nothing half done.
        var byLength = new Dictionary<int, List<int>>();
        for (int i = 0; i < sequences.Count; i++)
        {
            TInput[]? sequence = sequences[i];
            string name = $"sequences[{i}]";
            if (sequence is null)
            {
                throw new ArgumentException($"{name} is null.", nameof(sequences));
            }

            try
            {
                int steps = model is IRealValuedModel real ? ModelInput.StepsOf(sequence.Length, real.Features, name) : sequence.Length;
                ModelInput.CheckSteps(steps, model.MaxSequenceLength, name);
                if (sequence is int[] tokens)
                {
                    ModelInput.CheckTokens(tokens, vocabularySize, name);
                }
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException(e.Message, nameof(sequences), e);
            }

            if (!byLength.TryGetValue(sequence.Length, out List<int>? group))
            {
                byLength[sequence.Length] = group = new List<int>();
            }

            group.Add(i);
        }

        // The batches: up to BatchSize sequences of one length each.
        var batches = new List<(int Length, List<int> Group, int Start, int Count)>();
        foreach (var (length, group) in byLength)
        {
            for (int start = 0; start < group.Count; start += BatchSize)
            {
                batches.Add((length, group, start, Math.Min(BatchSize, group.Count - start)));
            }
        }

        var results = new float[sequences.Count][];
        void Run(int b)
        {
            var (length, group, start, count) = batches[b];
            int outputLength = model.OutputLength(model.StepsOf(length));
            var inputs = new TInput[count * length];
            var outputs = new float[count * outputLength];
            for (int k = 0; k < count; k++)
            {
                sequences[group[start + k]].CopyTo(inputs, k * length);
            }

            model.PredictBatch(inputs, count, outputs);
            for (int k = 0; k < count; k++)
            {
                results[group[start + k]] = outputs.AsSpan(k * outputLength, outputLength).ToArray();
            }
        }

        if (degreeOfParallelism == 1 || batches.Count == 1)
        {
            for (int b = 0; b < batches.Count; b++)
            {
                Run(b);
            }
        }
        else
        {
            Parallel.For(0, batches.Count, new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism }, Run);
        }

        return results;
    }
}
