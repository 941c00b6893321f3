using System;
using System.IO;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace RnnDsl.Benchmarks;

/// <summary>
/// LstmClassifier and GruClassifier (Embedding(10000, 32) -> LSTM/GRU(128) -> Dense(1, Sigmoid), 100 steps) against
/// the same architectures exported from PyTorch to ONNX and run by ONNX Runtime in this process: one sequence and a
/// batch of 64, each on one thread (ONNX Runtime with one intra-op and one inter-op thread, sequential execution, every
/// graph optimisation, inputs and outputs bound once through an <see cref="OrtIoBinding"/>). The method names end in
/// Latency / Batch64, so <c>--filter '*Latency'</c> runs the four one-sequence cases.
/// </summary>
[MemoryDiagnoser]
public class PeerBenchmarks
{
    private const int Steps = 100;
    private const int Batch = 64;

    private readonly LstmClassifier _lstm = new();
    private readonly GruClassifier _gru = new();
    private readonly int[] _tokens = new int[Steps];
    private readonly int[] _batchTokens = new int[Batch * Steps];
    private readonly float[] _output = new float[1];
    private readonly float[] _batchOutput = new float[Batch];

    private Onnx? _onnxLstm;
    private Onnx? _onnxGru;

    [GlobalSetup]
    public void Setup()
    {
        // The same token ids as GatedInferenceBenchmarks.
        var random = new SeededRandom(1);
        for (int i = 0; i < _batchTokens.Length; i++)
        {
            _batchTokens[i] = 1 + random.NextInt(9999);
        }

        _batchTokens.AsSpan(0, Steps).CopyTo(_tokens);
        _onnxLstm = new Onnx(ModelPath("lstm.onnx"), _batchTokens);
        _onnxGru = new Onnx(ModelPath("gru.onnx"), _batchTokens);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _onnxLstm?.Dispose();
        _onnxGru?.Dispose();
    }

    [Benchmark(Description = "RnnDsl LSTM(128), 1 sequence")]
    public float RnnDslLstmLatency()
    {
        _lstm.Predict(_tokens, _output);
        return _output[0];
    }

    [Benchmark(Description = "ONNX Runtime LSTM(128), 1 sequence")]
    public float OnnxLstmLatency() => _onnxLstm!.RunOne();

    [Benchmark(Description = "RnnDsl GRU(128), 1 sequence")]
    public float RnnDslGruLatency()
    {
        _gru.Predict(_tokens, _output);
        return _output[0];
    }

    [Benchmark(Description = "ONNX Runtime GRU(128), 1 sequence")]
    public float OnnxGruLatency() => _onnxGru!.RunOne();

    [Benchmark(Description = "RnnDsl LSTM(128), batch of 64")]
    public float RnnDslLstmBatch64()
    {
        _lstm.PredictBatch(_batchTokens, Batch, _batchOutput);
        return _batchOutput[0];
    }

    [Benchmark(Description = "ONNX Runtime LSTM(128), batch of 64")]
    public float OnnxLstmBatch64() => _onnxLstm!.RunBatch();

    [Benchmark(Description = "RnnDsl GRU(128), batch of 64")]
    public float RnnDslGruBatch64()
    {
        _gru.PredictBatch(_batchTokens, Batch, _batchOutput);
        return _batchOutput[0];
    }

    [Benchmark(Description = "ONNX Runtime GRU(128), batch of 64")]
    public float OnnxGruBatch64() => _onnxGru!.RunBatch();

    /// <summary>benchmarks/onnx/<paramref name="name"/>, found from this source file's path (the benchmark runs in another folder).</summary>
    private static string ModelPath(string name, [CallerFilePath] string source = "")
    {
        string path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "onnx", name));
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: run /usr/bin/python3 benchmarks/pytorch/export_onnx.py first.", path);
    }

    /// <summary>One ONNX Runtime session on one thread, with a one-sequence and a 64-sequence binding.</summary>
    private sealed class Onnx : IDisposable
    {
        private readonly SessionOptions _options;
        private readonly InferenceSession _session;
        private readonly RunOptions _run = new();
        private readonly Binding _one;
        private readonly Binding _batch;

        public Onnx(string path, int[] tokens)
        {
            _options = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            _session = new InferenceSession(path, _options);
            _one = new Binding(_session, tokens, 1);
            _batch = new Binding(_session, tokens, Batch);
        }

        public float RunOne()
        {
            _session.RunWithBinding(_run, _one.IoBinding);
            return _one.Output[0];
        }

        public float RunBatch()
        {
            _session.RunWithBinding(_run, _batch.IoBinding);
            return _batch.Output[0];
        }

        public void Dispose()
        {
            _one.Dispose();
            _batch.Dispose();
            _run.Dispose();
            _session.Dispose();
            _options.Dispose();
        }
    }

    /// <summary>Input (int64 token ids, as PyTorch exports Embedding's index) and output tensors over pinned arrays, bound once.</summary>
    private sealed class Binding : IDisposable
    {
        private readonly OrtValue _input;
        private readonly OrtValue _output;

        public Binding(InferenceSession session, int[] tokens, int batch)
        {
            long[] ids = new long[batch * Steps];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = tokens[i];
            }

            Output = new float[batch];
            _input = OrtValue.CreateTensorValueFromMemory(ids, new long[] { batch, Steps });
            _output = OrtValue.CreateTensorValueFromMemory(Output, new long[] { batch, 1 });
            IoBinding = session.CreateIoBinding();
            IoBinding.BindInput("tokens", _input);
            IoBinding.BindOutput("probability", _output);
        }

        public float[] Output { get; }

        public OrtIoBinding IoBinding { get; }

        public void Dispose()
        {
            IoBinding.Dispose();
            _input.Dispose();
            _output.Dispose();
        }
    }
}
