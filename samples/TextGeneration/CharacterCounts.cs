using System;
using System.Collections.Generic;

namespace TextGeneration;

/// <summary>
/// The baselines the LSTM has to beat, counted from the training text: a unigram model (each character's frequency)
/// and a bigram model (the frequency of each character after the one before it). Both are smoothed so that no
/// held-out character has probability 0: the unigram adds one to every count (Laplace), the bigram mixes in the
/// unigram as a prior worth one observation, p(b | a) = (count(a, b) + p(b)) / (count(a) + 1).
/// </summary>
internal sealed class CharacterCounts
{
    private readonly double[] _unigram;
    private readonly long[,] _pairs;
    private readonly long[] _firsts;

    public CharacterCounts(int[] ids, int alphabet)
    {
        var counts = new long[alphabet];
        _pairs = new long[alphabet, alphabet];
        _firsts = new long[alphabet];
        for (int i = 0; i < ids.Length; i++)
        {
            counts[ids[i]]++;
            if (i > 0)
            {
                _pairs[ids[i - 1], ids[i]]++;
                _firsts[ids[i - 1]]++;
            }
        }

        // Laplace over the characters the tokenizer knows (ids 1..alphabet-1; 0 is never a character).
        _unigram = new double[alphabet];
        for (int c = 1; c < alphabet; c++)
        {
            _unigram[c] = (counts[c] + 1.0) / (ids.Length + alphabet - 1.0);
        }
    }

    /// <summary>The probability of <paramref name="next"/> after <paramref name="previous"/>.</summary>
    public double Bigram(int previous, int next) => (_pairs[previous, next] + _unigram[next]) / (_firsts[previous] + 1.0);

    /// <summary>The mean negative log-likelihood (natural log) of every target, given the input at its step.</summary>
    public double MeanNegativeLogLikelihood(IReadOnlyList<int[]> inputs, IReadOnlyList<float[]> targets, bool bigram)
    {
        double total = 0;
        long count = 0;
        for (int s = 0; s < inputs.Count; s++)
        {
            for (int t = 0; t < inputs[s].Length; t++)
            {
                int next = (int)targets[s][t];
                total -= Math.Log(bigram ? Bigram(inputs[s][t], next) : _unigram[next]);
                count++;
            }
        }

        return total / count;
    }
}
