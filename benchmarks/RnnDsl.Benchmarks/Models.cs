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
