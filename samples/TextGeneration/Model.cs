using RnnDsl;
using static RnnDsl.Activation;

namespace TextGeneration;

/// <summary>
/// A character-level language model: each step reads one character and gives the probability of every character
/// coming next. Tokens are 1..49 for the 49 characters of the prepared text (the tokenizer's indices, most frequent
/// first; newline is one of them) and 0, which never occurs; the softmax covers all 50 ids.
/// </summary>
[Embedding(MobyModel.Alphabet, 32)]
[Lstm(256, ReturnSequences = true)]
[Dense(MobyModel.Alphabet, Softmax)]
public partial class MobyModel
{
    /// <summary>The token ids: 0 and one per character of the prepared text (49 after lower-casing and mapping).</summary>
    public const int Alphabet = 50;
}
