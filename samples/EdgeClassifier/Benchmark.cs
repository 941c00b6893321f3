using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using RnnDsl;

namespace EdgeClassifier;

/// <summary>
/// <c>--benchmark</c>: times the prediction of <see cref="DesignCardModel"/> on one sequence, the same way in every build
/// (JIT, NativeAOT with the default instruction set, NativeAOT for this CPU), so the numbers and outputs can be compared.
/// </summary>
internal static class Benchmark
{
    public static int Run(ReadOnlySpan<string> args)
    {
        int predictions = 2000, rounds = 7, warmupMilliseconds = 1000, steps = 100;
        for (int i = 0; i < args.Length; i++)
        {
            bool known = i + 1 < args.Length && args[i] switch
            {
                "--predictions" => int.TryParse(args[++i], CultureInfo.InvariantCulture, out predictions) && predictions > 0,
                "--rounds" => int.TryParse(args[++i], CultureInfo.InvariantCulture, out rounds) && rounds > 0,
                "--warmup-ms" => int.TryParse(args[++i], CultureInfo.InvariantCulture, out warmupMilliseconds) && warmupMilliseconds >= 0,
                "--steps" => int.TryParse(args[++i], CultureInfo.InvariantCulture, out steps) && steps > 0,
                _ => false,
            };
            if (!known)
            {
                Console.Error.WriteLine($"--benchmark: '{args[i]}' is not an option or lacks a valid value; run with --help for the usage.");
                return 2;
            }
        }

        long created = Stopwatch.GetTimestamp();
        var model = new DesignCardModel();
        TimeSpan creation = Stopwatch.GetElapsedTime(created);

        // Token ids as the BenchmarkDotNet suite draws them: seed 1, uniform in [1, 10000).
        var random = new SeededRandom(1);
        int[] tokens = new int[steps];
        for (int t = 0; t < steps; t++)
        {
            tokens[t] = 1 + random.NextInt(DesignCardModel.VocabularySize - 1);
        }

        float[] output = new float[DesignCardModel.OutputWidth];
        long first = Stopwatch.GetTimestamp();
        model.Predict(tokens, output);
        TimeSpan firstPrediction = Stopwatch.GetElapsedTime(first);
        float firstOutput = output[0];

        // Long enough for the JIT's tiered compilation to reach its optimised code; NativeAOT has nothing to warm up.
        long warmup = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(warmup).TotalMilliseconds < warmupMilliseconds)
        {
            model.Predict(tokens, output);
        }

        double[] microseconds = new double[rounds];
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < rounds; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < predictions; i++)
            {
                model.Predict(tokens, output);
            }

            microseconds[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / predictions;
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Array.Sort(microseconds);

        CultureInfo c = CultureInfo.InvariantCulture;
        Console.WriteLine($"Model:       Embedding(10000, 32) -> Bidirectional(SimpleRNN(64)) -> Dense(1, sigmoid), {steps} steps, default seeded weights");
        Console.WriteLine($"Code:        {(JitInfo.GetCompiledMethodCount() > 0 ? "JIT" : "NativeAOT")}, {RuntimeInformationText()}");
        Console.WriteLine(string.Create(c, $"Start:       model created in {creation.TotalMilliseconds:F1} ms, first prediction {firstPrediction.TotalMicroseconds:F0} µs"));
        Console.WriteLine(string.Create(c, $"Prediction:  {microseconds[rounds / 2]:F1} µs median, {microseconds[0]:F1} µs best ({rounds} rounds of {predictions} after {warmupMilliseconds} ms warm-up; {allocated} bytes allocated)"));
        string same = BitConverter.SingleToInt32Bits(firstOutput) == BitConverter.SingleToInt32Bits(output[0])
            ? "the same as the first prediction's"
            : string.Create(c, $"the first prediction gave {firstOutput:R}");
        Console.WriteLine(string.Create(c, $"Output:      {output[0]:R} (bits 0x{BitConverter.SingleToInt32Bits(output[0]):X8}, {same})"));
        return 0;
    }

    /// <summary>What the code runs on: the widest hardware vectors and whether a fused multiply-add instruction is used.</summary>
    private static string RuntimeInformationText()
    {
        int widest = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;
        bool fma = Fma.IsSupported || AdvSimd.IsSupported;
        return $"{(widest == 0 ? "no hardware vectors" : $"{widest}-bit vectors")}, {(fma ? "with" : "without")} FMA";
    }
}
