using RnnDsl;
using static RnnDsl.Activation;

namespace RnnDsl.Peers;

// The five models of the side-by-side comparison (issue 12, part 6). torch_peer.py builds the same from torch.nn.

/// <summary>The design card's model: Embedding(10000, 32) -> Bidirectional(SimpleRNN(64)) -> Dense(1, sigmoid).</summary>
[Embedding(10000, 32)]
[Bidirectional, SimpleRnn(64)]
[Dense(1, Sigmoid)]
public partial class DesignCard { }

/// <summary>The single-direction classifier.</summary>
[Embedding(10000, 32)]
[SimpleRnn(64)]
[Dense(1, Sigmoid)]
public partial class SimpleClassifier { }

/// <summary>The time-series model: ten steps of one value.</summary>
[Input(10, 1)]
[SimpleRnn(32)]
[Dense(1)]
public partial class Forecaster { }

[Embedding(10000, 32)]
[Lstm(128)]
[Dense(1, Sigmoid)]
public partial class Lstm128 { }

[Embedding(10000, 32)]
[Gru(128)]
[Dense(1, Sigmoid)]
public partial class Gru128 { }
