using System;
using BenchmarkDotNet.Attributes;
using RnnDsl.Kernels;

namespace RnnDsl.Benchmarks;

/// <summary>
/// What the design card model's one-sequence latency is made of, and how low it can go with float weights and Keras's
/// tanh: the parts of its generated <c>Predict</c> (see <c>BidirectionalRecurrence</c> in the generated code) run alone
/// with the same kernels and sizes (T = 100, 32-wide embeddings, 64 units, two directions). The recurrence cannot start
/// step t + 1 before tanh of step t, and each step reads the whole 64 × 64 recurrent kernel.
/// benchmarks/README.md ("Batch-1 latency: the measured floor") records the figures.
/// </summary>
[MemoryDiagnoser]
public class LatencyFloorBenchmarks
{
    private const int Steps = 100;
    private const int Units = 64;
    private const int Width = 32;

    private readonly SentimentModel _model = new();
    private readonly int[] _tokens = new int[Steps];
    private readonly float[] _output = new float[1];
    private readonly float[] _kernel = new float[Width * Units];
    private readonly float[] _recurrentKernel = new float[Units * Units];
    private readonly float[] _bias = new float[Units];
    private readonly float[] _inputs = new float[Steps * Width];
    private readonly float[] _forward = new float[Steps * Units];
    private readonly float[] _backward = new float[Steps * Units];

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(7);
        for (int i = 0; i < _tokens.Length; i++)
        {
            _tokens[i] = 1 + random.NextInt(9999);
        }

        Initializers.Uniform(_kernel, -0.1f, 0.1f, random);
        Initializers.Uniform(_recurrentKernel, -0.1f, 0.1f, random);
        Initializers.Uniform(_inputs, -1f, 1f, random);
    }

    [Benchmark(Baseline = true, Description = "Predict, the whole model")]
    public float Predict()
    {
        _model.Predict(_tokens, _output);
        return _output[0];
    }

    [Benchmark(Description = "input projection, both directions (x · kernel + bias, all steps)")]
    public float Projection()
    {
        Project(_forward);
        Project(_backward);
        return _forward[0];
    }

    [Benchmark(Description = "h · recurrent_kernel chain alone, 2 × 100 steps (the weights' loads)")]
    public float ProductChain()
    {
        Chain(_forward, tanh: false);
        Chain(_backward, tanh: false);
        return _forward[0];
    }

    [Benchmark(Description = "tanh alone, 2 × 100 × 64 values")]
    public float TanhAlone()
    {
        for (int t = 0; t < Steps; t++)
        {
            Activations.Tanh(_forward.AsSpan(t * Units, Units));
            Activations.Tanh(_backward.AsSpan(t * Units, Units));
        }

        return _forward[0];
    }

    [Benchmark(Description = "recurrence (product + tanh), one direction then the other")]
    public float Recurrences()
    {
        Chain(_forward, tanh: true);
        Chain(_backward, tanh: true);
        return _forward[0];
    }

    [Benchmark(Description = "recurrence, both directions interleaved step by step")]
    public float Interleaved()
    {
        for (int t = 0; t < Steps; t++)
        {
            Span<float> forward = _forward.AsSpan(t * Units, Units);
            Span<float> backward = _backward.AsSpan((Steps - 1 - t) * Units, Units);
            if (t > 0)
            {
                LinearAlgebra.MultiplyAdd(_forward.AsSpan((t - 1) * Units, Units), _recurrentKernel, forward);
                LinearAlgebra.MultiplyAdd(_backward.AsSpan((Steps - t) * Units, Units), _recurrentKernel, backward);
            }

            Activations.Tanh(forward);
            Activations.Tanh(backward);
        }

        return _forward[0];
    }

    private void Project(float[] states)
    {
        for (int t = 0; t < Steps; t++)
        {
            _bias.CopyTo(states.AsSpan(t * Units, Units));
        }

        LinearAlgebra.MultiplyAddRowsPanels(_inputs, Width, _kernel, states);
    }

    private void Chain(float[] states, bool tanh)
    {
        for (int t = 0; t < Steps; t++)
        {
            Span<float> state = states.AsSpan(t * Units, Units);
            if (t > 0)
            {
                LinearAlgebra.MultiplyAdd(states.AsSpan((t - 1) * Units, Units), _recurrentKernel, state);
            }

            if (tanh)
            {
                Activations.Tanh(state);
            }
        }
    }
}

/// <summary>
/// The same for the forecaster at 10 steps (the issue's <c>Input(10, 1) → SimpleRnn(32) → Dense(1)</c>, here the
/// variable-length <see cref="Forecaster"/> given 10 values): its <c>Predict</c>, and its recurrence alone, ten steps
/// of a 32 × 32 product and tanh on 32 values, each waiting for the one before.
/// </summary>
[MemoryDiagnoser]
public class ForecasterLatencyFloorBenchmarks
{
    private const int Steps = 10;
    private const int Units = 32;

    private readonly Forecaster _model = new();
    private readonly float[] _series = new float[Steps];
    private readonly float[] _output = new float[1];
    private readonly float[] _recurrentKernel = new float[Units * Units];
    private readonly float[] _states = new float[Steps * Units];

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(7);
        Initializers.Uniform(_series, -1f, 1f, random);
        Initializers.Uniform(_recurrentKernel, -0.1f, 0.1f, random);
        Initializers.Uniform(_states, -1f, 1f, random);
    }

    [Benchmark(Baseline = true, Description = "Forecaster, 10 steps: Predict")]
    public float Predict()
    {
        _model.Predict(_series, _output);
        return _output[0];
    }

    [Benchmark(Description = "its recurrence alone: 10 × (32 × 32 product + tanh)")]
    public float Recurrence()
    {
        for (int t = 0; t < Steps; t++)
        {
            Span<float> state = _states.AsSpan(t * Units, Units);
            if (t > 0)
            {
                LinearAlgebra.MultiplyAdd(_states.AsSpan((t - 1) * Units, Units), _recurrentKernel, state);
            }

            Activations.Tanh(state);
        }

        return _states[0];
    }
}
