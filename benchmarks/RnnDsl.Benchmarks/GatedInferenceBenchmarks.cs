using System;
using BenchmarkDotNet.Attributes;

namespace RnnDsl.Benchmarks;

/// <summary>
/// The gated-cell models of issue 9 (<see cref="LstmClassifier"/>, <see cref="GruClassifier"/>: Embedding(10000, 32) ->
/// Lstm(128) or Gru(128) -> Dense(1, Sigmoid)) at sequence length 100: one sequence (latency) and a batch of 64
/// (throughput). MemoryDiagnoser shows the bytes allocated per call, which must be 0. The method names end in
/// Latency and Batch like <see cref="InferenceBenchmarks"/>', so <c>--filter '*Latency'</c> runs every model's latency.
/// </summary>
[MemoryDiagnoser]
public class GatedInferenceBenchmarks
{
    public const int Steps = InferenceBenchmarks.Steps;
    public const int Batch = InferenceBenchmarks.Batch;

    private readonly LstmClassifier _lstm = new();
    private readonly GruClassifier _gru = new();
    private readonly int[] _tokens = new int[Steps];
    private readonly int[] _batchTokens = new int[Batch * Steps];
    private readonly float[] _output = new float[1];
    private readonly float[] _batchOutput = new float[Batch];

    [GlobalSetup]
    public void Setup()
    {
        // The same token ids as InferenceBenchmarks.
        var random = new SeededRandom(1);
        for (int i = 0; i < _batchTokens.Length; i++)
        {
            _batchTokens[i] = 1 + random.NextInt(9999);
        }

        _batchTokens.AsSpan(0, Steps).CopyTo(_tokens);
    }

    [Benchmark(Description = "LstmClassifier (LSTM 128), 1 sequence")]
    public float LstmLatency()
    {
        _lstm.Predict(_tokens, _output);
        return _output[0];
    }

    [Benchmark(Description = "LstmClassifier (LSTM 128), batch of 64")]
    public float LstmBatch()
    {
        _lstm.PredictBatch(_batchTokens, Batch, _batchOutput);
        return _batchOutput[0];
    }

    [Benchmark(Description = "LstmClassifier (LSTM 128), batch of 64, 2 threads")]
    public float LstmBatchTwoThreads()
    {
        _lstm.PredictBatch(_batchTokens, Batch, _batchOutput, degreeOfParallelism: 2);
        return _batchOutput[0];
    }

    [Benchmark(Description = "GruClassifier (GRU 128), 1 sequence")]
    public float GruLatency()
    {
        _gru.Predict(_tokens, _output);
        return _output[0];
    }

    [Benchmark(Description = "GruClassifier (GRU 128), batch of 64")]
    public float GruBatch()
    {
        _gru.PredictBatch(_batchTokens, Batch, _batchOutput);
        return _batchOutput[0];
    }

    [Benchmark(Description = "GruClassifier (GRU 128), batch of 64, 2 threads")]
    public float GruBatchTwoThreads()
    {
        _gru.PredictBatch(_batchTokens, Batch, _batchOutput, degreeOfParallelism: 2);
        return _batchOutput[0];
    }
}
