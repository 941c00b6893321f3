using RnnDsl;
using static RnnDsl.Activation;

namespace SpamFilter;

/// <summary>The tutorials' first recurrent model: a SimpleRNN reads the message, its last state decides.</summary>
[Embedding(Messages.Vocabulary, 32, MaskZero = true)]
[SimpleRnn(32)]
[Dense(1, Sigmoid)]
public partial class SpamSimpleRnn { }

/// <summary>A bidirectional GRU: the message read both ways, both final states concatenated.</summary>
[Embedding(Messages.Vocabulary, 32, MaskZero = true)]
[Bidirectional, Gru(32)]
[Dense(1, Sigmoid)]
public partial class SpamBiGru { }
