using System;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace RnnDsl.Benchmarks;

/// <summary>
/// Training throughput: one <c>Fit</c> epoch over 256 sequences of length 100 in batches of 32 with Adam
/// (8 gradient steps), on 1 and 2 threads. Sequences per second = 256 / mean time. Each model keeps one Adam across
/// the calls, as a training run keeps its optimizer from epoch to epoch: its moments (two parameter-sized arrays) are
/// made on its first step, not in every operation (a new Adam per call measured their allocation and the Gen 2
/// collections it caused as much as training).
/// </summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    public const int Sequences = 256;
    public const int Steps = 100;

    private int[][] _tokens = Array.Empty<int[]>();
    private float[][] _series = Array.Empty<float[]>();
    private float[][] _labels = Array.Empty<float[]>();
    private SentimentModel _sentiment = new();
    private SimpleClassifier _classifier = new();
    private Forecaster _forecaster = new();

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(1);
        _tokens = Enumerable.Range(0, Sequences).Select(_ => Enumerable.Range(0, Steps).Select(_ => 1 + random.NextInt(9999)).ToArray()).ToArray();
        _series = Enumerable.Range(0, Sequences).Select(n => Enumerable.Range(0, Steps).Select(t => MathF.Sin(0.1f * (t + n))).ToArray()).ToArray();
        _labels = Enumerable.Range(0, Sequences).Select(n => new[] { (float)(n % 2) }).ToArray();
    }

    private readonly Adam _sentimentAdam = new();
    private readonly Adam _classifierAdam = new();
    private readonly Adam _forecasterAdam = new();

    private FitOptions Options(Loss loss, Optimizer optimizer) => new()
    {
        Epochs = 1,
        BatchSize = 32,
        Optimizer = optimizer,
        Loss = loss,
        Threads = Threads,
    };

    [Benchmark(Description = "SentimentModel (bidirectional), 256 sequences")]
    public History Sentiment() => _sentiment.Fit(_tokens, _labels, Options(Loss.BinaryCrossentropy, _sentimentAdam));

    [Benchmark(Description = "SimpleClassifier, 256 sequences")]
    public History Classifier() => _classifier.Fit(_tokens, _labels, Options(Loss.BinaryCrossentropy, _classifierAdam));

    [Benchmark(Description = "Forecaster, 256 sequences")]
    public History Forecast() => _forecaster.Fit(_series, _labels, Options(Loss.MeanSquaredError, _forecasterAdam));
}
