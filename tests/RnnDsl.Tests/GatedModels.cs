using RnnDsl;
using static RnnDsl.Activation;

// The gated cells (LSTM and GRU) in every position SimpleRnn can stand, at sizes small enough for the
// double-precision reference, some that straddle the hardware vector widths (16 floats with AVX-512),
// and the and benchmarks' full-size models. Checked by GatedForwardTests, GatedGradientTests and
// GatedRuntimeTests against KerasReference (Lstm, Gru).
namespace RnnDsl.Tests.Models.Gated;

// The two examples.
[Embedding(10000, 32, MaskZero = true)]
[Bidirectional, Lstm(64, ReturnSequences = true)]
[Gru(32)]
[Dense(1, Sigmoid)]
public partial class Reviews { }

[Input(24, 3)]
[Lstm(128)]
[Dense(1)]
public partial class LoadForecaster { }

// The benchmark shapes: Keras count_params() 402,561 and 382,337.
[Embedding(10000, 32)]
[Lstm(128)]
[Dense(1)]
public partial class LstmSentiment { }

[Embedding(10000, 32)]
[Gru(128)]
[Dense(1)]
public partial class GruSentiment { }

// One cell after Embedding, with and without MaskZero, and after Input.
[Embedding(50, 8)]
[Lstm(6)]
[Dense(1, Sigmoid)]
public partial class LstmClassifier { }

[Embedding(30, 5, MaskZero = true)]
[Lstm(7)]
[Dense(3, Softmax)]
public partial class LstmMasked { }

[Input(3)]
[Lstm(5)]
[Dense(2)]
public partial class LstmInput { }

[Embedding(50, 8)]
[Gru(6)]
[Dense(1, Sigmoid)]
public partial class GruClassifier { }

[Embedding(30, 5, MaskZero = true)]
[Gru(7)]
[Dense(3, Softmax)]
public partial class GruMasked { }

[Input(3)]
[Gru(5)]
[Dense(2)]
public partial class GruInput { }

// ReturnSequences with a per-step Dense, masked and not; a gated layer as the output layer.
[Embedding(40, 6, MaskZero = true)]
[Lstm(5, ReturnSequences = true)]
[Dense(4, Softmax)]
public partial class LstmTagger { }

[Input(2)]
[Lstm(4, ReturnSequences = true)]
[Dense(3, Tanh)]
public partial class LstmSequence { }

[Embedding(40, 6, MaskZero = true)]
[Gru(5, ReturnSequences = true)]
[Dense(2, Sigmoid)]
public partial class GruTagger { }

[Input(2)]
[Gru(4, ReturnSequences = true)]
[Dense(3, Softmax)]
public partial class GruSequence { }

[Input(3)]
[Lstm(5, ReturnSequences = true)]
public partial class LstmSequenceOutput { }

// GoBackwards, with and without return_sequences and masking.
[Input(3)]
[Lstm(4, GoBackwards = true)]
[Dense(2)]
public partial class LstmBackwards { }

[Embedding(20, 3, MaskZero = true)]
[Lstm(4, GoBackwards = true)]
[Dense(1)]
public partial class LstmBackwardsMasked { }

[Input(3)]
[Gru(4, ReturnSequences = true, GoBackwards = true)]
[Dense(2, Tanh)]
public partial class GruBackwardsSequence { }

[Embedding(20, 3, MaskZero = true)]
[Gru(4, ReturnSequences = true, GoBackwards = true)]
[Lstm(3)]
[Dense(1)]
public partial class GruBackwardsMasked { }

// Bidirectional: every merge mode for each cell, vector and sequence outputs, masked and not.
[Embedding(25, 4, MaskZero = true)]
[Bidirectional, Lstm(5)]
[Dense(1, Sigmoid)]
public partial class BidiLstm { }

[Input(2)]
[Bidirectional, Lstm(3, ReturnSequences = true)]
[Dense(2)]
public partial class BidiLstmSequence { }

[Embedding(25, 4, MaskZero = true)]
[Bidirectional(MergeMode.Sum), Lstm(4, ReturnSequences = true)]
[Dense(3)]
public partial class BidiLstmSumSequence { }

[Input(3)]
[Bidirectional(MergeMode.Mul), Lstm(4)]
[Dense(1)]
public partial class BidiLstmMul { }

[Embedding(25, 4, MaskZero = true)]
[Bidirectional(MergeMode.Mul), Lstm(3, ReturnSequences = true)]
[Dense(2, Sigmoid)]
public partial class BidiLstmMulSequence { }

[Embedding(25, 4)]
[Bidirectional(MergeMode.Ave), Lstm(4)]
[Dense(2, Softmax)]
public partial class BidiLstmAve { }

[Embedding(25, 4, MaskZero = true)]
[Bidirectional, Gru(5, ReturnSequences = true)]
[Dense(3, Softmax)]
public partial class BidiGruSequence { }

[Embedding(25, 4, MaskZero = true)]
[Bidirectional(MergeMode.Sum), Gru(5)]
[Dense(2, Softmax)]
public partial class BidiGruSum { }

[Input(2)]
[Bidirectional(MergeMode.Mul), Gru(3, ReturnSequences = true)]
[Dense(2)]
public partial class BidiGruMulSequence { }

[Input(3)]
[Bidirectional(MergeMode.Ave), Gru(4)]
[Dense(1)]
public partial class BidiGruAve { }

[Embedding(25, 4, MaskZero = true)]
[Bidirectional(MergeMode.Ave), Gru(4, ReturnSequences = true)]
[Dense(2)]
public partial class BidiGruAveSequence { }

// Stacked and mixed cells.
[Embedding(30, 4, MaskZero = true)]
[Lstm(6, ReturnSequences = true)]
[Lstm(4)]
[Dense(1, Sigmoid)]
public partial class LstmStack { }

[Embedding(30, 4, MaskZero = true)]
[Lstm(6, ReturnSequences = true)]
[Gru(3)]
[Dense(1, Sigmoid)]
public partial class LstmThenGru { }

[Input(2)]
[Gru(5, ReturnSequences = true)]
[SimpleRnn(3)]
[Dense(2)]
public partial class GruThenSimpleRnn { }

[Embedding(30, 4, MaskZero = true)]
[SimpleRnn(5, ReturnSequences = true)]
[Lstm(3)]
[Dense(2, Softmax)]
public partial class SimpleRnnThenLstm { }

[Embedding(25, 4, MaskZero = true)]
[Bidirectional, Gru(4, ReturnSequences = true)]
[Lstm(3)]
[Dense(1, Sigmoid)]
public partial class BidiGruThenLstm { }

[Embedding(25, 4, MaskZero = true)]
[Bidirectional, Lstm(4, ReturnSequences = true)]
[Lstm(3)]
[Dense(1)]
public partial class BidiLstmThenLstm { }

[Input(2)]
[Bidirectional(MergeMode.Mul), Gru(3, ReturnSequences = true)]
[Bidirectional(MergeMode.Ave), Lstm(4, ReturnSequences = true)]
[Dense(2)]
public partial class GatedBidiStack { }

[Input(3)]
[Dense(4, Relu)]
[Gru(3)]
[Dense(2)]
public partial class DenseThenGru { }

// GRU in the Keras 1 form (reset gate before the recurrent product, one bias row).
[Embedding(30, 5, MaskZero = true)]
[Gru(6, ResetAfter = false)]
[Dense(2, Softmax)]
public partial class GruResetBefore { }

[Input(3)]
[Bidirectional, Gru(4, ReturnSequences = true, ResetAfter = false)]
[Dense(2)]
public partial class BidiGruResetBefore { }

[Input(2)]
[Gru(4, ReturnSequences = true, ResetAfter = false)]
[Gru(3)]
[Dense(1)]
public partial class GruResetBeforeThenAfter { }

// Non-default activations: a relu cell, and tanh gates (legal in Keras; they show the gate activation is used).
[Input(2)]
[Lstm(4, Relu)]
[Dense(1)]
public partial class LstmRelu { }

[Input(2)]
[Lstm(3, Tanh, Tanh)]
[Dense(1)]
public partial class LstmTanhGates { }

[Input(2)]
[Gru(4, Relu, ReturnSequences = true)]
[Dense(2)]
public partial class GruRelu { }

[Input(2)]
[Gru(3, Tanh, Tanh)]
[Dense(1)]
public partial class GruTanhGates { }

// Sizes that leave a tail after whole vectors (17 and 33 units; 4·17 = 68 and 3·33 = 99 gate columns).
[Embedding(60, 19)]
[Lstm(17)]
[Dense(5, Softmax)]
public partial class WideLstm { }

[Input(5)]
[Gru(33, ReturnSequences = true)]
public partial class WideGruSequence { }

[Embedding(40, 9, MaskZero = true)]
[Bidirectional, Lstm(33)]
[Dense(3, Softmax)]
public partial class WideBidiLstm { }

[Input(4)]
[Bidirectional(MergeMode.Sum), Gru(17, ReturnSequences = true)]
[Dense(2)]
public partial class WideBidiGru { }

// UnitForgetBias = false: the forget-gate bias starts at zero (the forward pass is the same).
[Input(3)]
[Lstm(4, UnitForgetBias = false)]
[Dense(1)]
public partial class LstmNoForgetBias { }

[Embedding(20, 4)]
[Bidirectional, Lstm(5, UnitForgetBias = false)]
[Dense(1, Sigmoid)]
public partial class BidiLstmNoForgetBias { }

// Hand-worked examples set their own weights.
[Input(1)]
[Lstm(1)]
[Dense(1)]
public partial class TinyLstm { }

[Input(1)]
[Gru(1)]
[Dense(1)]
public partial class TinyGru { }

[Input(1)]
[Gru(1, ResetAfter = false)]
[Dense(1)]
public partial class TinyGruResetBefore { }

[Embedding(3, 1, MaskZero = true)]
[Lstm(1)]
[Dense(1)]
public partial class TinyMaskedLstm { }
