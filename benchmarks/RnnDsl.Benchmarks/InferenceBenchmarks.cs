using System;
using BenchmarkDotNet.Attributes;

namespace RnnDsl.Benchmarks;

/// <summary>
/// The three tutorial models at sequence length 100: one sequence (latency) and a batch of 64
/// (throughput). MemoryDiagnoser shows the bytes allocated per call, which must be 0.
/// </summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    public const int Steps = 100;
    public const int Batch = 64;

    private readonly SentimentModel _sentiment = new();
    private readonly SimpleClassifier _classifier = new();
    private readonly Forecaster _forecaster = new();
    private readonly int[] _tokens = new int[Steps];
    private readonly int[] _batchTokens = new int[Batch * Steps];
    private readonly float[] _series = new float[Steps];
    private readonly float[] _batchSeries = new float[Batch * Steps];
    private readonly float[] _output = new float[1];
    private readonly float[] _batchOutput = new float[Batch];

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(1);
        for (int i = 0; i < _batchTokens.Length; i++)
        {
            _batchTokens[i] = 1 + random.NextInt(9999);
            _batchSeries[i] = MathF.Sin(0.1f * i);
        }

        _batchTokens.AsSpan(0, Steps).CopyTo(_tokens);
        _batchSeries.AsSpan(0, Steps).CopyTo(_series);
    }

    [Benchmark(Description = "SentimentModel (bidirectional), 1 sequence")]
    public float SentimentLatency()
    {
        _sentiment.Predict(_tokens, _output);
        return _output[0];
    }

    [Benchmark(Description = "SentimentModel (bidirectional), batch of 64")]
    public float SentimentBatch()
    {
        _sentiment.PredictBatch(_batchTokens, Batch, _batchOutput);
        return _batchOutput[0];
    }

    [Benchmark(Description = "SentimentModel (bidirectional), batch of 64, 2 threads")]
    public float SentimentBatchTwoThreads()
    {
        _sentiment.PredictBatch(_batchTokens, Batch, _batchOutput, degreeOfParallelism: 2);
        return _batchOutput[0];
    }

    [Benchmark(Description = "SimpleClassifier, 1 sequence")]
    public float ClassifierLatency()
    {
        _classifier.Predict(_tokens, _output);
        return _output[0];
    }

    [Benchmark(Description = "SimpleClassifier, batch of 64")]
    public float ClassifierBatch()
    {
        _classifier.PredictBatch(_batchTokens, Batch, _batchOutput);
        return _batchOutput[0];
    }

    [Benchmark(Description = "SimpleClassifier, batch of 64, 2 threads")]
    public float ClassifierBatchTwoThreads()
    {
        _classifier.PredictBatch(_batchTokens, Batch, _batchOutput, degreeOfParallelism: 2);
        return _batchOutput[0];
    }

    [Benchmark(Description = "Forecaster, 1 sequence")]
    public float ForecasterLatency()
    {
        _forecaster.Predict(_series, _output);
        return _output[0];
    }

    [Benchmark(Description = "Forecaster, batch of 64")]
    public float ForecasterBatch()
    {
        _forecaster.PredictBatch(_batchSeries, Batch, _batchOutput);
        return _batchOutput[0];
    }
}
