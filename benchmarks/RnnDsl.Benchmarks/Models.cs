using RnnDsl;
using static RnnDsl.Activation;

namespace RnnDsl.Benchmarks;

[Embedding(10000, 32)]
[Bidirectional, SimpleRnn(64)]
[Dense(1, Sigmoid)]
public partial class SentimentModel { }

[Embedding(10000, 32)]
[SimpleRnn(64)]
[Dense(1, Sigmoid)]
public partial class SimpleClassifier { }

// The time-series tutorial model, declared for variable length so it can read 100 steps.
[Input(1)]
[SimpleRnn(32)]
[Dense(1)]
public partial class Forecaster { }

// The gated-cell models of issue 9: the SimpleClassifier with its cell replaced by LSTM(128) or GRU(128)
// (Keras parameter counts 402,561 and 382,337).
[Embedding(10000, 32)]
[Lstm(128)]
[Dense(1, Sigmoid)]
public partial class LstmClassifier { }

[Embedding(10000, 32)]
[Gru(128)]
[Dense(1, Sigmoid)]
public partial class GruClassifier { }

// Step-by-step generation (issue 10): the TextGeneration sample's character model.
[Embedding(50, 32)]
[Lstm(256, ReturnSequences = true)]
[Dense(50, Softmax)]
public partial class CharacterModel { }
