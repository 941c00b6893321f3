using RnnDsl;
using static RnnDsl.Activation;

namespace Sentiment;

/// <summary>
/// The model of the Keras text-classification tutorial: word embeddings (padding masked), a bidirectional
/// recurrent layer that reads each sentence both ways, and a sigmoid for P(positive).
/// </summary>
[Embedding(1000, 32, MaskZero = true)]
[Bidirectional, SimpleRnn(32)]
[Dense(1, Sigmoid)]
public partial class SentimentModel
{
    /// <summary>Sentences are cut or padded (at the end) to this many tokens, in training and wherever the model is used.</summary>
    public const int SentenceLength = 10;
}
