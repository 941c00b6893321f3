using System;
using System.Collections.Generic;

namespace SpamFilter;

/// <summary>
/// The strong simple baseline: logistic regression on TF-IDF features, p = sigmoid(w · x + b), where x holds each word's
/// count times its inverse document frequency, scaled to unit length (as scikit-learn's TfidfVectorizer does, with its
/// smoothed idf = ln((1 + n) / (1 + df)) + 1). Trained by full-batch gradient descent with L2 regularisation. It sees
/// which words a message has and how often, never their order.
/// </summary>
internal sealed class BagOfWords
{
    private readonly float[] _idf;
    private readonly float[] _weights;
    private float _bias;

    public BagOfWords(int vocabulary, IReadOnlyList<int[]> documents)
    {
        _weights = new float[vocabulary];
        _idf = new float[vocabulary];
        var frequency = new int[vocabulary];
        var seen = new HashSet<int>();
        foreach (int[] document in documents)
        {
            seen.Clear();
            foreach (int token in document)
            {
                if (token != 0 && seen.Add(token))
                {
                    frequency[token]++;
                }
            }
        }

        for (int word = 1; word < vocabulary; word++)
        {
            _idf[word] = (float)(Math.Log((1.0 + documents.Count) / (1.0 + frequency[word])) + 1.0);
        }
    }

    /// <summary>A message's TF-IDF vector as (word, value) pairs, unit length; padding is not a word.</summary>
    public (int Word, float Value)[] Features(int[] document)
    {
        var counts = new Dictionary<int, int>();
        foreach (int token in document)
        {
            if (token != 0)
            {
                counts[token] = counts.GetValueOrDefault(token) + 1;
            }
        }

        var features = new (int Word, float Value)[counts.Count];
        double norm = 0;
        int i = 0;
        foreach (var (word, count) in counts)
        {
            float value = count * _idf[word];
            features[i++] = (word, value);
            norm += value * value;
        }

        float scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0f;
        for (i = 0; i < features.Length; i++)
        {
            features[i].Value *= scale;
        }

        return features;
    }

    /// <summary>
    /// Full-batch gradient descent on the weighted cross-entropy plus <paramref name="l2"/>/2 · |w|²; each example's
    /// loss is multiplied by the weight of its class (as Keras class_weight does).
    /// </summary>
    public void Train((int Word, float Value)[][] examples, float[] labels, float[] classWeight, int epochs, float learningRate, float l2)
    {
        var gradient = new float[_weights.Length];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            Array.Clear(gradient);
            float biasGradient = 0;
            for (int n = 0; n < examples.Length; n++)
            {
                float error = (Probability(examples[n]) - labels[n]) * classWeight[(int)labels[n]]; // d(loss)/d(logit)
                foreach (var (word, value) in examples[n])
                {
                    gradient[word] += error * value;
                }

                biasGradient += error;
            }

            for (int i = 0; i < _weights.Length; i++)
            {
                _weights[i] -= learningRate * ((gradient[i] / examples.Length) + (l2 * _weights[i]));
            }

            _bias -= learningRate * biasGradient / examples.Length;
        }
    }

    /// <summary>The <paramref name="count"/> words whose weight pushes hardest towards spam (or, negated, towards ham).</summary>
    public IEnumerable<int> StrongestWords(int count, bool towardsSpam)
    {
        var words = new List<int>();
        for (int word = 1; word < _weights.Length; word++)
        {
            words.Add(word);
        }

        words.Sort((a, b) => towardsSpam ? _weights[b].CompareTo(_weights[a]) : _weights[a].CompareTo(_weights[b]));
        return words.GetRange(0, count);
    }

    public float Probability((int Word, float Value)[] features)
    {
        float logit = _bias;
        foreach (var (word, value) in features)
        {
            logit += _weights[word] * value;
        }

        return 1f / (1f + MathF.Exp(-logit));
    }
}
