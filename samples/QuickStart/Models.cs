using RnnDsl;
using static RnnDsl.Activation;

namespace QuickStart;

/// <summary>The Keras text-classification tutorial model: a bidirectional recurrent layer over word embeddings.</summary>
[Embedding(10000, 32)]
[Bidirectional, SimpleRnn(64)]
[Dense(1, Sigmoid)]
public partial class SentimentModel
{
}

/// <summary>The single-direction classifier of the same tutorial.</summary>
[Embedding(10000, 32)]
[SimpleRnn(64)]
[Dense(1, Sigmoid)]
public partial class SimpleClassifier
{
}

/// <summary>The time-series tutorial model: 10 steps of 1 feature in, one value out.</summary>
[Input(10, 1)]
[SimpleRnn(32)]
[Dense(1)]
public partial class Forecaster
{
}
