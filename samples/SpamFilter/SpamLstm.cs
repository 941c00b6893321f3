using RnnDsl;
using static RnnDsl.Activation;

namespace SpamFilter;

/// <summary>What every model here reads: token ids from a 10,000-word vocabulary, at most 200 per message.</summary>
public static class Messages
{
    /// <summary>Word ids below this; 0 is padding, 1 the out-of-vocabulary token.</summary>
    public const int Vocabulary = 10000;

    /// <summary>Tokens kept per message: the subject and the start of the body.</summary>
    public const int Length = 200;
}

/// <summary>An LSTM, whose gated cell keeps information over long messages. The edge binary ships this one.</summary>
[Embedding(Messages.Vocabulary, 32, MaskZero = true)]
[Lstm(32)]
[Dense(1, Sigmoid)]
public partial class SpamLstm { }

