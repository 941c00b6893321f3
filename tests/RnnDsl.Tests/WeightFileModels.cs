using RnnDsl;
using static RnnDsl.Activation;

// The models whose weights the reference files in Reference/weights hold
// (written by Reference/make_weight_files.py with PyTorch, NumPy and h5py).
// Between them: every layer kind and option that exists, each SimpleRnn activation, each merge mode,
// stacking, Embedding with and without MaskZero, and real-valued input.
namespace RnnDsl.Tests.WeightFiles;

[Embedding(20, 4)]
[SimpleRnn(5)]
[Dense(3, Softmax)]
public partial class WText { }

[Embedding(20, 4, MaskZero = true)]
[Bidirectional, SimpleRnn(5, ReturnSequences = true)]
[SimpleRnn(3, Relu)]
[Dense(1, Sigmoid)]
public partial class WMaskedStack { }

[Embedding(20, 4, MaskZero = true)]
[Bidirectional(MergeMode.Sum), SimpleRnn(4, Sigmoid)]
[Dense(2)]
public partial class WBidiSum { }

[Input(6, 3)]
[Bidirectional(MergeMode.Mul), SimpleRnn(4)]
[Dense(1)]
public partial class WBidiMul { }

[Input(6, 3)]
[Bidirectional(MergeMode.Ave), SimpleRnn(4, Linear, ReturnSequences = true)]
[Dense(2, Tanh)]
public partial class WBidiAveSequence { }

[Input(8, 2)]
[SimpleRnn(6, ReturnSequences = true)]
[SimpleRnn(4, GoBackwards = true)]
[Dense(1)]
public partial class WForecast { }

// The shapes of Models.Tiny with another activation: its weights fit, but it computes something else.
[Input(1)]
[SimpleRnn(1, Relu)]
[Dense(1)]
public partial class TinyRelu { }

// Gated cells (the LSTM/GRU issue): every weight format for LSTM and GRU, one direction, both, and stacked.
[Embedding(20, 4)]
[Lstm(5)]
[Dense(3, Softmax)]
public partial class WLstm { }

[Embedding(20, 4, MaskZero = true)]
[Bidirectional, Gru(4, ReturnSequences = true)]
[Lstm(3)]
[Dense(1, Sigmoid)]
public partial class WBidiGruLstm { }

[Input(6, 3)]
[Gru(5, ReturnSequences = true)]
[Bidirectional(MergeMode.Sum), Lstm(4)]
[Dense(2)]
public partial class WGruStack { }

// A GRU in the Keras 1 form (reset before the product), which PyTorch has no module for.
[Input(3)]
[Gru(4, ResetAfter = false)]
[Dense(1)]
public partial class WGruKeras1 { }
