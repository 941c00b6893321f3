using System;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace RnnDsl.Benchmarks;

/// <summary>
/// Training throughput of the gated-cell models, as <see cref="TrainingBenchmarks"/> measures the SimpleRNN ones: one
/// <c>Fit</c> epoch over 256 sequences of length 100 in batches of 32 with Adam (8 gradient steps), binary
/// cross-entropy, on 1 and 2 threads, each model with one Adam kept across the calls. Sequences per second = 256 / mean time.
/// </summary>
[MemoryDiagnoser]
public class GatedTrainingBenchmarks
{
    public const int Sequences = TrainingBenchmarks.Sequences;
    public const int Steps = TrainingBenchmarks.Steps;

    private int[][] _tokens = Array.Empty<int[]>();
    private float[][] _labels = Array.Empty<float[]>();
    private LstmClassifier _lstm = new();
    private GruClassifier _gru = new();

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // The same data as TrainingBenchmarks.
        var random = new SeededRandom(1);
        _tokens = Enumerable.Range(0, Sequences).Select(_ => Enumerable.Range(0, Steps).Select(_ => 1 + random.NextInt(9999)).ToArray()).ToArray();
        _labels = Enumerable.Range(0, Sequences).Select(n => new[] { (float)(n % 2) }).ToArray();
    }

    private readonly Adam _lstmAdam = new();
    private readonly Adam _gruAdam = new();

    private FitOptions Options(Optimizer optimizer) => new()
    {
        Epochs = 1,
        BatchSize = 32,
        Optimizer = optimizer,
        Loss = Loss.BinaryCrossentropy,
        Threads = Threads,
    };

    [Benchmark(Description = "LstmClassifier (LSTM 128), 256 sequences")]
    public History LstmFit() => _lstm.Fit(_tokens, _labels, Options(_lstmAdam));

    [Benchmark(Description = "GruClassifier (GRU 128), 256 sequences")]
    public History GruFit() => _gru.Fit(_tokens, _labels, Options(_gruAdam));
}
