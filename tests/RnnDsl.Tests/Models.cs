using RnnDsl;
using static RnnDsl.Activation;

// Every layer and option of the DSL, at sizes small enough for the double-precision reference,
// and some that straddle the hardware vector widths (16 floats with AVX-512).
namespace RnnDsl.Tests.Models;

// The three tutorial models.
[Embedding(10000, 32)]
[Bidirectional, SimpleRnn(64)]
[Dense(1, Sigmoid)]
public partial class SentimentModel { }

[Embedding(10000, 32)]
[SimpleRnn(64)]
[Dense(1, Sigmoid)]
public partial class SimpleClassifier { }

[Input(10, 1)]
[SimpleRnn(32)]
[Dense(1)]
public partial class Forecaster { }

// Many-to-many tagging: one tag distribution per token, padding masked in both directions.
[Embedding(40, 6, MaskZero = true)]
[Bidirectional, SimpleRnn(5, ReturnSequences = true)]
[Dense(4, Softmax)]
public partial class Tagger { }

// Stacked recurrent layers.
[Embedding(50, 8)]
[SimpleRnn(7, ReturnSequences = true)]
[SimpleRnn(5)]
[Dense(3, Softmax)]
public partial class Stacked { }

[Embedding(30, 4, MaskZero = true)]
[SimpleRnn(6, ReturnSequences = true)]
[SimpleRnn(3)]
[Dense(1, Sigmoid)]
public partial class StackedMasked { }

// go_backwards, with and without return_sequences.
[Input(3)]
[SimpleRnn(4, GoBackwards = true)]
[Dense(2)]
public partial class Backwards { }

[Input(3)]
[SimpleRnn(4, ReturnSequences = true, GoBackwards = true)]
[Dense(2, Tanh)]
public partial class BackwardsSequence { }

[Embedding(20, 3, MaskZero = true)]
[SimpleRnn(4, ReturnSequences = true, GoBackwards = true)]
[SimpleRnn(2)]
[Dense(1)]
public partial class BackwardsMasked { }

// Activations on the recurrent layer.
[Input(2)]
[SimpleRnn(5, Relu, ReturnSequences = true)]
[SimpleRnn(3, Sigmoid)]
[Dense(2, Relu)]
public partial class ReluStack { }

[Input(2)]
[SimpleRnn(3, Linear)]
[Dense(1, Tanh)]
public partial class LinearRecurrence { }

// Bidirectional merge modes, vector and sequence outputs, masked and not.
[Embedding(25, 4, MaskZero = true)]
[Bidirectional(MergeMode.Sum), SimpleRnn(5)]
[Dense(2, Softmax)]
public partial class BidiSum { }

[Embedding(25, 4, MaskZero = true)]
[Bidirectional(MergeMode.Mul), SimpleRnn(5)]
[Dense(1, Sigmoid)]
public partial class BidiMul { }

[Input(3)]
[Bidirectional(MergeMode.Ave), SimpleRnn(4)]
[Dense(1)]
public partial class BidiAve { }

[Embedding(25, 4, MaskZero = true)]
[Bidirectional(MergeMode.Sum), SimpleRnn(5, ReturnSequences = true)]
[Dense(3)]
public partial class BidiSumSequence { }

[Input(2)]
[Bidirectional(MergeMode.Mul), SimpleRnn(3, ReturnSequences = true)]
[Bidirectional(MergeMode.Ave), SimpleRnn(4, ReturnSequences = true)]
[Dense(2)]
public partial class BidiStack { }

[Embedding(25, 4, MaskZero = true)]
[Bidirectional, SimpleRnn(5, ReturnSequences = true)]
[SimpleRnn(3)]
[Dense(1, Sigmoid)]
public partial class BidiThenRnn { }

// A recurrent layer as the output layer, and sizes that leave a tail after whole vectors.
[Input(4)]
[SimpleRnn(37, ReturnSequences = true)]
public partial class WideSequenceOutput { }

[Embedding(60, 19)]
[Bidirectional, SimpleRnn(70)]
[Dense(17, Softmax)]
public partial class WideBidirectional { }

// A fixed input length, and Dense straight after the input.
[Embedding(100, 8, InputLength = 12)]
[SimpleRnn(4)]
[Dense(1, Sigmoid)]
public partial class FixedLength { }

[Input(3)]
[Dense(4, Relu)]
[SimpleRnn(3)]
[Dense(2)]
public partial class DenseFirst { }

// No recurrent layer: Dense at every step, with the padding mask reaching the loss.
[Embedding(12, 3, MaskZero = true)]
[Dense(4, Softmax)]
public partial class MaskedDenseOnly { }

// Hand-worked examples set their own weights.
[Input(1)]
[SimpleRnn(1)]
[Dense(1)]
public partial class Tiny { }

[Embedding(3, 1, MaskZero = true)]
[SimpleRnn(1)]
[Dense(1)]
public partial class TinyMasked { }

// Training: which of tokens 1 and 2 comes first (a question only word order answers).
[Embedding(10, 8)]
[SimpleRnn(16)]
[Dense(1, Sigmoid)]
public partial class OrderModel { }

[Input(2)]
[SimpleRnn(4, ReturnSequences = true)]
[Dense(3, Softmax)]
public partial class SequenceTagger { }

// Checked against PyTorch (tests/RnnDsl.Tests/Reference/make_pytorch_reference.py).
[Embedding(12, 4, MaskZero = true)]
[Bidirectional, SimpleRnn(5)]
[Dense(1, Sigmoid)]
public partial class TorchSentiment { }

[Input(3)]
[SimpleRnn(6, Relu, ReturnSequences = true)]
[SimpleRnn(4, ReturnSequences = true)]
[Dense(3, Softmax)]
public partial class TorchTagger { }

// Gated cells checked against PyTorch's nn.LSTM and nn.GRU (make_pytorch_reference.py).
[Embedding(12, 4, MaskZero = true)]
[Lstm(5)]
[Dense(1, Sigmoid)]
public partial class TorchLstmClassifier { }

[Input(3)]
[Bidirectional, Gru(4, ReturnSequences = true)]
[Dense(3, Softmax)]
public partial class TorchGruTagger { }

[Input(2)]
[Lstm(4, ReturnSequences = true)]
[Gru(3)]
[Dense(2)]
public partial class TorchStackedLstmGru { }
