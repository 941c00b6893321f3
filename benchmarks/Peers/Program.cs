using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace RnnDsl.Peers;

/// <summary>
/// RnnDsl, ONNX Runtime and PyTorch side by side on the same weights (issue 12, part 6). Run by benchmarks/Peers/run.sh:
/// <list type="number">
/// <item>each model is created with its default seed and saved with <c>SaveTorchStateDict</c>, with its inputs and RnnDsl's outputs;</item>
/// <item>torch_peer.py loads the weights into torch.nn modules, writes their outputs and exports them to ONNX;</item>
/// <item>the three outputs are checked against each other (1e-5): no timing runs unless they agree;</item>
/// <item>rounds, interleaved: RnnDsl and ONNX Runtime in this process, then PyTorch in a child process per thread count;</item>
/// <item>the medians and minimums go to the console and between the markers in benchmarks/README.md.</item>
/// </list>
/// </summary>
public static class Program
{
    private const int Steps = 100;
    private const int ForecastSteps = 10;
    private const int Batch = 64;
    private const int Sequences = 256;
    private const int TrainBatch = 32;
    private const string Python = "/usr/bin/python3";

    public static int Main(string[] args)
    {
        int rounds = args.Length > 1 && args[0] == "--rounds" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        string here = SourceFolder();
        string work = Path.Combine(here, "work");
        Directory.CreateDirectory(work);
        Peer[] peers =
        {
            Peer.Tokens("design_card", "design card: Embedding → Bidirectional(SimpleRNN(64)) → Dense", new Benchmarks.SentimentModel()),
            Peer.Tokens("simple_classifier", "Embedding → SimpleRNN(64) → Dense", new Benchmarks.SimpleClassifier()),
            Peer.Reals("forecaster", "Input(10, 1) → SimpleRNN(32) → Dense (T = 10)", new TenStepForecaster()),
            Peer.Tokens("lstm128", "Embedding → LSTM(128) → Dense", new Benchmarks.LstmClassifier()),
            Peer.Tokens("gru128", "Embedding → GRU(128) → Dense", new Benchmarks.GruClassifier()),
        };

        Console.WriteLine($"Writing weights, inputs and RnnDsl's outputs to {work}");
        foreach (Peer peer in peers)
        {
            peer.Export(work);
        }

        Run(Python, $"\"{Path.Combine(here, "torch_peer.py")}\" export \"{work}\"");
        Console.WriteLine("Checking that RnnDsl, ONNX Runtime and PyTorch give the same outputs (batch of 64, 1e-5):");
        bool agree = true;
        foreach (Peer peer in peers)
        {
            peer.OpenOnnx(work);
            agree &= peer.Check(work);
        }

        if (!agree)
        {
            Console.Error.WriteLine("The outputs differ: no timings.");
            return 1;
        }

        // A round that is not recorded: the JIT compiles the hot code at its top tier after some calls and in the
        // background, so the first timings of each model would otherwise be of slower code.
        Console.WriteLine("Warming up");
        foreach (Peer peer in peers)
        {
            _ = peer.Time().ToList();
        }

        var results = new List<Result>();
        for (int round = 1; round <= rounds; round++)
        {
            Console.WriteLine($"Round {round} of {rounds}");
            foreach (Peer peer in peers)
            {
                results.AddRange(peer.Time());
            }

            foreach (int threads in new[] { 1, 2 })
            {
                string output = Run(Python, $"\"{Path.Combine(here, "torch_peer.py")}\" time \"{work}\" {threads}");
                foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    using JsonDocument json = JsonDocument.Parse(line);
                    JsonElement e = json.RootElement;
                    results.Add(new Result(e.GetProperty("model").GetString()!, e.GetProperty("workload").GetString()!, "PyTorch", e.GetProperty("threads").GetInt32(), e.GetProperty("seconds").GetDouble()));
                }
            }
        }

        string table = Table(peers, results, rounds);
        Console.WriteLine();
        Console.WriteLine(table);
        WriteIntoReadme(Path.GetFullPath(Path.Combine(here, "..", "README.md")), table);
        foreach (Peer peer in peers)
        {
            peer.Dispose();
        }

        return 0;
    }

    /// <summary>One timing: seconds per call of one workload on one framework and thread count.</summary>
    private sealed record Result(string Model, string Workload, string Framework, int Threads, double Seconds);

    /// <summary>A model with its RnnDsl instance, inputs and ONNX Runtime sessions.</summary>
    private sealed class Peer : IDisposable
    {
        private readonly IRnnModel _model;
        private readonly bool _tokens;
        private readonly int[][] _trainTokens;
        private readonly float[][] _trainReals;
        private readonly float[][] _targets;
        private readonly int[] _batchTokens;
        private readonly float[] _batchReals;
        private readonly float[] _rnnDslOutputs = new float[Batch];
        private readonly float[] _output = new float[Batch];
        private readonly List<Onnx> _onnx = new();

        private Peer(string name, string description, IRnnModel model, bool tokens)
        {
            Name = name;
            Description = description;
            _model = model;
            _tokens = tokens;
            var random = new SeededRandom(7);
            int steps = tokens ? Steps : ForecastSteps;
            _trainTokens = Enumerable.Range(0, Sequences).Select(_ => Enumerable.Range(0, steps).Select(_ => 1 + random.NextInt(9999)).ToArray()).ToArray();
            _trainReals = Enumerable.Range(0, Sequences).Select(n => Enumerable.Range(0, steps).Select(t => MathF.Sin(0.3f * (t + n))).ToArray()).ToArray();
            _targets = Enumerable.Range(0, Sequences).Select(n => new[] { tokens ? (float)(n % 2) : MathF.Sin(0.3f * (steps + n)) }).ToArray();
            _batchTokens = _trainTokens.Take(Batch).SelectMany(s => s).ToArray();
            _batchReals = _trainReals.Take(Batch).SelectMany(s => s).ToArray();
        }

        public string Name { get; }

        public string Description { get; }

        public static Peer Tokens(string name, string description, IRnnModel model) => new(name, description, model, tokens: true);

        public static Peer Reals(string name, string description, IRnnModel model) => new(name, description, model, tokens: false);

        /// <summary>The weights as a state_dict, the inputs (the batch is the first 64 training sequences) and RnnDsl's batch outputs.</summary>
        public void Export(string folder)
        {
            string[] prefixes = _tokens ? new[] { "embedding", "rnn", "dense" } : new[] { "rnn", "dense" };
            _model.SaveTorchStateDict(Path.Combine(folder, Name + ".safetensors"), prefixes);
            if (_tokens)
            {
                WriteInts(Path.Combine(folder, Name + ".batch.bin"), _batchTokens);
                WriteInts(Path.Combine(folder, Name + ".train.bin"), _trainTokens.SelectMany(s => s).ToArray());
            }
            else
            {
                WriteFloats(Path.Combine(folder, Name + ".batch.bin"), _batchReals);
                WriteFloats(Path.Combine(folder, Name + ".train.bin"), _trainReals.SelectMany(s => s).ToArray());
            }

            WriteFloats(Path.Combine(folder, Name + ".targets.bin"), _targets.Select(t => t[0]).ToArray());
            PredictBatch(_rnnDslOutputs, 1);
        }

        public void OpenOnnx(string folder)
        {
            string path = Path.Combine(folder, Name + ".onnx");
            _onnx.Add(new Onnx(path, 1, _tokens, _batchTokens, _batchReals));
            _onnx.Add(new Onnx(path, 2, _tokens, _batchTokens, _batchReals));
        }

        /// <summary>RnnDsl's, PyTorch's and ONNX Runtime's outputs for the batch, to 1e-5.</summary>
        public bool Check(string folder)
        {
            float[] torch = ReadFloats(Path.Combine(folder, Name + ".torch.bin"));
            float[] onnx = _onnx[0].RunBatch();
            double torchDifference = MaxDifference(_rnnDslOutputs, torch);
            double onnxDifference = MaxDifference(_rnnDslOutputs, onnx);
            bool ok = torchDifference <= 1e-5 && onnxDifference <= 1e-5;
            Console.WriteLine($"  {Name,-18} largest difference from RnnDsl: PyTorch {torchDifference:E1}, ONNX Runtime {onnxDifference:E1}{(ok ? string.Empty : "  <-- more than 1e-5")}");
            return ok;
        }

        private static double MaxDifference(float[] a, float[] b) =>
            a.Length != b.Length ? double.PositiveInfinity : a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();

        private void PredictBatch(float[] outputs, int threads)
        {
            if (_model is ITokenModel tokens)
            {
                tokens.PredictBatch(_batchTokens, Batch, outputs, threads);
            }
            else
            {
                ((IRealValuedModel)_model).PredictBatch(_batchReals, Batch, outputs, threads);
            }
        }

        private void PredictOne()
        {
            if (_model is ITokenModel tokens)
            {
                tokens.Predict(_batchTokens.AsSpan(0, Steps), _output.AsSpan(0, 1));
            }
            else
            {
                ((IRealValuedModel)_model).Predict(_batchReals.AsSpan(0, ForecastSteps), _output.AsSpan(0, 1));
            }
        }

        // One Adam for every timed epoch, as the PyTorch loop keeps one optimizer: its moments are made on the first step.
        private readonly Adam _adam = new();

        /// <summary>One epoch over 256 sequences in batches of 32, Adam: the same work as PyTorch's.</summary>
        private void Train(int threads)
        {
            var options = new FitOptions
            {
                Epochs = 1,
                BatchSize = TrainBatch,
                Optimizer = _adam,
                Threads = threads,
                Shuffle = false,
                Loss = _tokens ? Loss.BinaryCrossentropy : Loss.MeanSquaredError,
            };
            if (_model is ITokenModel tokens)
            {
                tokens.Fit(_trainTokens, _targets, options);
            }
            else
            {
                ((IRealValuedModel)_model).Fit(_trainReals, _targets, options);
            }
        }

        public IEnumerable<Result> Time()
        {
            yield return new Result(Name, "batch 1", "RnnDsl", 1, PerCall(PredictOne));
            yield return new Result(Name, "batch 64", "RnnDsl", 1, PerCall(() => PredictBatch(_output, 1)));
            yield return new Result(Name, "batch 64", "RnnDsl", 2, PerCall(() => PredictBatch(_output, 2)));
            foreach (Onnx onnx in _onnx)
            {
                yield return new Result(Name, "batch 1", "ONNX Runtime", onnx.Threads, PerCall(() => onnx.RunOne()));
                yield return new Result(Name, "batch 64", "ONNX Runtime", onnx.Threads, PerCall(() => onnx.RunBatch()));
            }

            // Training changes the weights, so it runs last in a round; the next round's inference uses the trained ones,
            // which costs the same.
            yield return new Result(Name, "training", "RnnDsl", 1, PerCall(() => Train(1), 0.5));
            yield return new Result(Name, "training", "RnnDsl", 2, PerCall(() => Train(2), 0.5));
        }

        public void Dispose()
        {
            foreach (Onnx onnx in _onnx)
            {
                onnx.Dispose();
            }
        }
    }

    /// <summary>Seconds per call, after two warm-up calls, over at least <paramref name="minimumSeconds"/> and three calls.</summary>
    private static double PerCall(Action call, double minimumSeconds = 0.3)
    {
        call();
        call();
        var watch = Stopwatch.StartNew();
        int calls = 0;
        while (watch.Elapsed.TotalSeconds < minimumSeconds || calls < 3)
        {
            call();
            calls++;
        }

        return watch.Elapsed.TotalSeconds / calls;
    }

    /// <summary>An ONNX Runtime session on a fixed number of intra-op threads, with pre-bound one-sequence and batch tensors.</summary>
    private sealed class Onnx : IDisposable
    {
        private readonly SessionOptions _options;
        private readonly InferenceSession _session;
        private readonly RunOptions _run = new();
        private readonly List<IDisposable> _owned = new();
        private readonly OrtIoBinding _one;
        private readonly OrtIoBinding _batch;
        private readonly float[] _oneOutput = new float[1];
        private readonly float[] _batchOutput = new float[Batch];

        public Onnx(string path, int threads, bool tokens, int[] batchTokens, float[] batchReals)
        {
            Threads = threads;
            _options = new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            _session = new InferenceSession(path, _options);
            _one = Bind(tokens, batchTokens, batchReals, 1, _oneOutput);
            _batch = Bind(tokens, batchTokens, batchReals, Batch, _batchOutput);
        }

        public int Threads { get; }

        private OrtIoBinding Bind(bool tokens, int[] batchTokens, float[] batchReals, int batch, float[] output)
        {
            OrtValue input = tokens
                ? OrtValue.CreateTensorValueFromMemory(batchTokens.Take(batch * Steps).Select(t => (long)t).ToArray(), new long[] { batch, Steps })
                : OrtValue.CreateTensorValueFromMemory(batchReals.Take(batch * ForecastSteps).ToArray(), new long[] { batch, ForecastSteps, 1 });
            OrtValue result = OrtValue.CreateTensorValueFromMemory(output, new long[] { batch, 1 });
            OrtIoBinding binding = _session.CreateIoBinding();
            binding.BindInput("input", input);
            binding.BindOutput("output", result);
            _owned.Add(input);
            _owned.Add(result);
            _owned.Add(binding);
            return binding;
        }

        public float RunOne()
        {
            _session.RunWithBinding(_run, _one);
            return _oneOutput[0];
        }

        public float[] RunBatch()
        {
            _session.RunWithBinding(_run, _batch);
            return _batchOutput;
        }

        public void Dispose()
        {
            foreach (IDisposable owned in Enumerable.Reverse(_owned))
            {
                owned.Dispose();
            }

            _run.Dispose();
            _session.Dispose();
            _options.Dispose();
        }
    }

    /// <summary>The comparison as a Markdown table: medians over the rounds, minimums in brackets, and RnnDsl's lead.</summary>
    private static string Table(Peer[] peers, List<Result> results, int rounds)
    {
        static double[] Of(IEnumerable<Result> rows) => rows.Select(r => r.Seconds).OrderBy(s => s).ToArray();
        static double Median(double[] s) => s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;

        // Per workload: how a time is shown (µs per sequence at batch 1, sequences per second otherwise).
        static string Show(string workload, double seconds) => workload switch
        {
            "batch 1" => (seconds * 1e6).ToString(seconds * 1e6 < 10 ? "0.00" : "#,0.0", CultureInfo.InvariantCulture) + " µs",
            "batch 64" => Thousands(Batch / seconds),
            _ => Thousands(Sequences / seconds),
        };

        var text = new StringBuilder();
        string[] columns = { "RnnDsl, 1 thread", "RnnDsl, 2", "ONNX Runtime, 1", "ONNX Runtime, 2", "PyTorch, 1", "PyTorch, 2" };
        (string Framework, int Threads)[] keys = { ("RnnDsl", 1), ("RnnDsl", 2), ("ONNX Runtime", 1), ("ONNX Runtime", 2), ("PyTorch", 1), ("PyTorch", 2) };
        text.AppendLine("| Model | Workload | " + string.Join(" | ", columns) + " | ONNX Runtime ÷ RnnDsl | PyTorch ÷ RnnDsl |");
        text.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("---:|", columns.Length + 2)));
        foreach (Peer peer in peers)
        {
            foreach (string workload in new[] { "batch 1", "batch 64", "training" })
            {
                var cells = new List<string>();
                var medians = new Dictionary<(string, int), double>();
                foreach (var (framework, threads) in keys)
                {
                    double[] seconds = Of(results.Where(r => r.Model == peer.Name && r.Workload == workload && r.Framework == framework && r.Threads == threads));
                    if (seconds.Length == 0)
                    {
                        cells.Add("—");
                        continue;
                    }

                    medians[(framework, threads)] = Median(seconds);
                    cells.Add(Show(workload, Median(seconds)) + " (" + Show(workload, seconds[0]) + ")");
                }

                string Lead(string framework)
                {
                    if (!medians.TryGetValue(("RnnDsl", 1), out double ours) || !medians.TryGetValue((framework, 1), out double theirs))
                    {
                        return "—";
                    }

                    return (theirs / ours).ToString("0.0", CultureInfo.InvariantCulture) + "×";
                }

                text.AppendLine("| " + peer.Description + " | " + workload + " | " + string.Join(" | ", cells) + " | " + Lead("ONNX Runtime") + " | " + Lead("PyTorch") + " |");
            }
        }

        text.AppendLine();
        text.AppendLine($"Batch 1: µs per sequence; batch 64 and training: sequences per second. Median of {rounds} rounds, best in brackets. "
            + "The last two columns divide the peer's one-thread median by RnnDsl's one-thread median (training: one epoch of 256 sequences in "
            + "batches of 32, Adam; RnnDsl's `Fit` against a PyTorch loop of `zero_grad`, forward, `BCELoss`/`MSELoss`, `backward`, `step`). "
            + "ONNX Runtime runs inference only.");
        return text.ToString();
    }

    private static string Thousands(double perSecond) => perSecond switch
    {
        >= 1_000_000 => (perSecond / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + "M/s",
        >= 10_000 => (perSecond / 1000).ToString("0", CultureInfo.InvariantCulture) + "k/s",
        _ => perSecond.ToString("#,0", CultureInfo.InvariantCulture) + "/s",
    };

    /// <summary>Replaces what lies between the peers markers in benchmarks/README.md with this run's machine, versions and table.</summary>
    private static void WriteIntoReadme(string readme, string table)
    {
        const string Begin = "<!-- peers:begin -->";
        const string End = "<!-- peers:end -->";
        string versions = Run(Python, $"\"{Path.Combine(SourceFolder(), "torch_peer.py")}\" versions").Trim();
        using JsonDocument python = JsonDocument.Parse(versions);
        string openBlas = Run("dpkg-query", "-W -f=${Version} libopenblas0-openmp", optional: true).Trim();
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
        string block = Begin + "\n"
            + $"{DateTime.UtcNow:yyyy-MM-dd}, {cpu}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}; "
            + $"{RuntimeInformation.FrameworkDescription}, ONNX Runtime {OrtEnv.Instance().GetVersionString()}, "
            + $"PyTorch {python.RootElement.GetProperty("torch").GetString()} with OpenBLAS {(openBlas.Length == 0 ? "(version unknown)" : openBlas)}, "
            + $"NumPy {python.RootElement.GetProperty("numpy").GetString()}, Python {python.RootElement.GetProperty("python").GetString()}. "
            + "Written by `bash benchmarks/Peers/run.sh`.\n\n"
            + table + "\n" + End;
        string text = File.ReadAllText(readme);
        int begin = text.IndexOf(Begin, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        text = begin >= 0 && end > begin
            ? text.Substring(0, begin) + block + text.Substring(end + End.Length)
            : text.TrimEnd() + "\n\n## RnnDsl, ONNX Runtime and PyTorch side by side (issue 12, part 6)\n\n" + block + "\n";
        File.WriteAllText(readme, text);
        Console.WriteLine($"Written into {readme}");
    }

    /// <summary>Runs a program and returns its standard output; its standard error goes to ours. Throws if it fails.</summary>
    private static string Run(string program, string arguments, bool optional = false)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, UseShellExecute = false };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && !optional)
        {
            throw new InvalidOperationException($"{program} {arguments} exited with {process.ExitCode}.");
        }

        return output;
    }

    private static void WriteInts(string path, int[] values) => File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static void WriteFloats(string path, float[] values) => File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    /// <summary>This source file's folder: torch_peer.py and work/ live beside it.</summary>
    private static string SourceFolder([CallerFilePath] string source = "") => Path.GetDirectoryName(source)!;
}
