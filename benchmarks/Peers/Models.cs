using RnnDsl;

namespace RnnDsl.Peers;

// The comparison's models are those of benchmarks/RnnDsl.Benchmarks/Models.cs (linked into this project), apart from
// the time-series one: the forecaster reads ten steps, where the benchmark suite's reads any length.

/// <summary>Ten steps of one value -> SimpleRNN(32) -> Dense(1).</summary>
[Input(10, 1)]
[SimpleRnn(32)]
[Dense(1)]
public partial class TenStepForecaster { }
