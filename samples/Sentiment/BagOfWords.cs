using System;

namespace Sentiment;

/// <summary>
/// The baseline: logistic regression on word counts, p = sigmoid(w · counts + b), trained by full-batch
/// gradient descent. It sees which words occur and how often, never their order.
/// </summary>
internal sealed class BagOfWords
{
    private readonly float[] _weights;
    private float _bias;

    public BagOfWords(int vocabularySize)
    {
        _weights = new float[vocabularySize];
    }

    public void Train(int[][] sequences, float[] labels, int epochs, float learningRate)
    {
        var gradient = new float[_weights.Length];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            Array.Clear(gradient);
            float biasGradient = 0;
            for (int n = 0; n < sequences.Length; n++)
            {
                float error = Probability(sequences[n]) - labels[n]; // d(cross-entropy)/d(logit)
                foreach (int token in sequences[n])
                {
                    if (token != 0)
                    {
                        gradient[token] += error;
                    }
                }

                biasGradient += error;
            }

            for (int i = 0; i < _weights.Length; i++)
            {
                _weights[i] -= learningRate * gradient[i] / sequences.Length;
            }

            _bias -= learningRate * biasGradient / sequences.Length;
        }
    }

    public float Probability(int[] sequence)
    {
        float logit = _bias;
        foreach (int token in sequence)
        {
            if (token != 0)
            {
                logit += _weights[token];
            }
        }

        return 1f / (1f + MathF.Exp(-logit));
    }
}
