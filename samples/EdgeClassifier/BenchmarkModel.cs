using RnnDsl;
using static RnnDsl.Activation;

namespace EdgeClassifier;

/// <summary>
/// The model on the design card (the Keras text-classification tutorial's): 10,000-word embeddings of width 32,
/// a bidirectional SimpleRNN of 64 units, a sigmoid. <c>--benchmark</c> times its prediction with the default
/// seeded weights, so every build computes the same thing and the outputs can be compared.
/// </summary>
[Embedding(10000, 32)]
[Bidirectional, SimpleRnn(64)]
[Dense(1, Sigmoid)]
public partial class DesignCardModel
{
}
