using RnnDsl;

namespace Forecasting;

/// <summary>
/// Reads the series a day at a time and, at every step, forecasts the next day's births (scaled): an LSTM with a
/// Dense(1) on each step. Trained on windows of <see cref="DayFeatures.Window"/> days, it runs as a stream with Step.
/// </summary>
[Input(DayFeatures.Window, DayFeatures.Features)]
[Lstm(32, ReturnSequences = true)]
[Dense(1)]
public partial class BirthsLstm { }

/// <summary>The same with a SimpleRNN cell, for comparison.</summary>
[Input(DayFeatures.Window, DayFeatures.Features)]
[SimpleRnn(32, ReturnSequences = true)]
[Dense(1)]
public partial class BirthsSimpleRnn { }
