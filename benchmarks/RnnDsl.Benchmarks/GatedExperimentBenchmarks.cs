using System;
using BenchmarkDotNet.Attributes;

namespace RnnDsl.Benchmarks;

/// <summary>
/// Not a library benchmark: <c>Predict</c> of the gated-cell models against <see cref="GatedExperiment"/>, the same
/// forward pass with a packed recurrent kernel and a step-blocked input projection (both outside the library), on the
/// same sequence, so BenchmarkDotNet's default job measures what those two kernel changes would give.
/// <c>--filter '*GatedExperiment*'</c>.
/// </summary>
[MemoryDiagnoser]
public class GatedExperimentBenchmarks
{
    private readonly LstmClassifier _lstm = new();
    private readonly GruClassifier _gru = new();
    private readonly int[] _tokens = new int[InferenceBenchmarks.Steps];
    private readonly float[] _output = new float[1];
    private GatedExperiment? _lstmExperiment;
    private GatedExperiment? _gruExperiment;

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(1);
        for (int i = 0; i < _tokens.Length; i++)
        {
            _tokens[i] = 1 + random.NextInt(9999);
        }

        _lstmExperiment = new GatedExperiment(_lstm, _lstm.Parameters.ToArray(), 4);
        _gruExperiment = new GatedExperiment(_gru, _gru.Parameters.ToArray(), 3);
    }

    [Benchmark(Description = "LstmClassifier.Predict, 1 sequence")]
    public float LstmPredict()
    {
        _lstm.Predict(_tokens, _output);
        return _output[0];
    }

    [Benchmark(Description = "LSTM packed + blocked projection (experiment), 1 sequence")]
    public float LstmExperiment() => _lstmExperiment!.Predict(_tokens);

    [Benchmark(Description = "GruClassifier.Predict, 1 sequence")]
    public float GruPredict()
    {
        _gru.Predict(_tokens, _output);
        return _output[0];
    }

    [Benchmark(Description = "GRU packed + blocked projection (experiment), 1 sequence")]
    public float GruExperiment() => _gruExperiment!.Predict(_tokens);
}
