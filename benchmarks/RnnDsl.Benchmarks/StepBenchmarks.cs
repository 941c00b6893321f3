using System;
using BenchmarkDotNet.Attributes;

namespace RnnDsl.Benchmarks;

/// <summary>
/// Generating text one token at a time (issue 10), with the TextGeneration sample's character model
/// (Embedding(50, 32) -> LSTM(256, return_sequences) -> Dense(50, softmax)): one <c>Step</c>, which reads one character
/// into a state and gives the next character's distribution, against what generation costs without a state, a
/// <c>Predict</c> of the whole text so far (here 100 characters) for each new character. Also <c>Step</c> of
/// LstmClassifier's LSTM(128) against a 100-step <c>Predict</c>, per step. Allocations must be 0.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private const int Steps = InferenceBenchmarks.Steps;

    private readonly CharacterModel _characters = new();
    private readonly LstmClassifier _lstm = new();
    private readonly int[] _text = new int[Steps];
    private readonly int[] _tokens = new int[Steps];
    private readonly float[] _distribution = new float[CharacterModel.OutputWidth];
    private readonly float[] _distributions = new float[Steps * CharacterModel.OutputWidth];
    private readonly float[] _output = new float[1];
    private RnnState _characterState = null!;
    private RnnState _lstmState = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(1);
        for (int i = 0; i < Steps; i++)
        {
            _text[i] = 1 + random.NextInt(49);
            _tokens[i] = 1 + random.NextInt(9999);
        }

        _characterState = _characters.CreateState();
        _lstmState = _lstm.CreateState();
    }

    [Benchmark(Description = "CharacterModel (LSTM 256 + softmax 50): Step, one character")]
    public float CharacterStep()
    {
        _next = (_next + 1) % Steps;
        _characters.Step(_text[_next], _characterState, _distribution);
        return _distribution[0];
    }

    [Benchmark(Description = "CharacterModel: Predict of 100 characters (a character without a state)")]
    public float CharacterPredict()
    {
        _characters.Predict(_text, _distributions);
        return _distributions[^1];
    }

    [Benchmark(Description = "LstmClassifier (LSTM 128): Step, one token")]
    public float LstmStep()
    {
        _next = (_next + 1) % Steps;
        _lstm.Step(_tokens[_next], _lstmState, _output);
        return _output[0];
    }

    [Benchmark(Description = "LstmClassifier: Predict of 100 tokens")]
    public float LstmPredict()
    {
        _lstm.Predict(_tokens, _output);
        return _output[0];
    }
}
