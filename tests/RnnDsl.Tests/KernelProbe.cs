using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using RnnDsl.Kernels;
using RnnDsl.Tests.Models;

namespace RnnDsl.Tests;

/// <summary>
/// What the vector-matrix kernel does on this machine, computed the same way in the test process and in a child process
/// started with FMA turned off (<see cref="MultiplyAddInstructionTests"/>): <c>dotnet exec RnnDsl.Tests.dll kernel-probe</c>
/// runs <see cref="Main"/>, which prints one <c>name=value</c> line per measurement.
/// </summary>
internal static class KernelProbe
{
    public const string Command = "kernel-probe";

    /// <summary>1 + 2⁻¹², so x·m = 1 + 2⁻¹¹ + 2⁻²⁴ exactly: a float holds 24 significant bits, the product needs 25.</summary>
    private static readonly float Factor = 1f + MathF.Pow(2, -12);

    /// <summary>
    /// The result of one fused multiply-add, d + x·m with one rounding: 2⁻²⁴. A separate multiply rounds the product to
    /// 1 + 2⁻¹¹ first (a tie, to even), and the add then gives exactly 0.
    /// </summary>
    public static readonly float FusedResult = MathF.Pow(2, -24);

    /// <summary>The test's entry point in a child process; the test host never calls it.</summary>
    public static int Main(string[] args)
    {
        if (args.Length != 1 || args[0] != Command)
        {
            Console.Error.WriteLine($"RnnDsl.Tests runs under a test runner; '{Command}' prints the kernel probe.");
            return 2;
        }

        foreach (KeyValuePair<string, string> line in Measure())
        {
            Console.WriteLine($"{line.Key}={line.Value}");
        }

        return 0;
    }

    /// <summary>Everything the test compares, as text: exactly what the child prints.</summary>
    public static Dictionary<string, string> Measure()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        var values = new Dictionary<string, string>
        {
            ["fma"] = HasFusedMultiplyAdd.ToString(c),
            ["widths"] = string.Join(",", AcceleratedWidths()),
            ["largest-error"] = LargestKernelError().ToString("R", c),
            ["model-output"] = ModelOutput().ToString("R", c),
        };
        foreach (int bits in AcceleratedWidths())
        {
            (float[] results, VectorPaths paths) = RoundingProbe(bits);
            values[$"rounding-{bits}"] = string.Join(",", Array.ConvertAll(results, v => v.ToString("R", c)));
            values[$"rounding-paths-{bits}"] = paths.ToString();
        }

        return values;
    }

    /// <summary>The hardware vector widths .NET accelerates here, widest first.</summary>
    public static int[] AcceleratedWidths() => Array.FindAll(new[] { 512, 256, 128 }, VectorWidth.IsAccelerated);

    /// <summary>
    /// The columns of each of <see cref="RoundingProbe"/>'s runs with vectors of <paramref name="bits"/>: one block of
    /// four vectors, one single vector (the kernel's two vector loops) and three columns of scalar code.
    /// </summary>
    public static int RoundingColumns(int bits) => 5 * (bits / 32) + 3;

    /// <summary>Whether the hardware has a fused multiply-add instruction that .NET uses (x64 FMA3; every Arm64 has one).</summary>
    public static bool HasFusedMultiplyAdd => Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>
    /// The kernel with vectors no wider than <paramref name="bits"/>, on inputs where every multiply-add that matters adds
    /// <c>Factor · Factor</c> to an accumulator holding exactly <c>-(1 + 2⁻¹¹)</c>. One rounding (a fused multiply-add,
    /// whether the instruction or .NET's element-by-element software emulation of it) leaves <see cref="FusedResult"/>
    /// in that accumulator, a multiply and then an add leave 0; every other operation is exact, so each column ends up
    /// <see cref="FusedResult"/> or 0. Five runs, <see cref="RoundingColumns"/> results each, back to back: one row,
    /// where the kernel adds straight into the destination (its code for a last odd row); then eight rows of which only
    /// rows k and k + 4 are not zero, for k = 0 to 3, so that each of the kernel's accumulators (even and odd rows in
    /// blocks of four vectors, rows split four ways in single vectors) gets the two rows once, in that order.
    /// </summary>
    public static (float[] Results, VectorPaths Paths) RoundingProbe(int bits)
    {
        int columns = RoundingColumns(bits);
        float minusSquareRounded = -(1f + MathF.Pow(2, -11));
        var results = new float[5 * columns];
        VectorPaths paths = VectorPaths.None;
        for (int run = 0; run < 5; run++)
        {
            int rows = run == 0 ? 1 : 8;
            float[] x = new float[rows];
            float[] matrix = new float[rows * columns];
            Span<float> destination = results.AsSpan(run * columns, columns);
            if (run == 0)
            {
                x[0] = Factor;
                matrix.AsSpan().Fill(Factor);
                destination.Fill(minusSquareRounded);
            }
            else
            {
                int k = run - 1;
                x[k] = minusSquareRounded;
                matrix.AsSpan(k * columns, columns).Fill(1f);
                x[k + 4] = Factor;
                matrix.AsSpan((k + 4) * columns, columns).Fill(Factor);
            }

            paths |= LinearAlgebra.MultiplyAddNoWiderThan(x, matrix, destination, bits);
        }

        return (results, paths);
    }

    /// <summary>
    /// The largest difference, relative to the number of rows, between <see cref="LinearAlgebra.MultiplyAdd"/> and the
    /// same sums in double precision, over 1 to 83 columns and 1, 3, 32 and 129 rows with the widest vectors available.
    /// </summary>
    public static double LargestKernelError()
    {
        double largest = 0;
        foreach (int rows in new[] { 1, 3, 32, 129 })
        {
            for (int columns = 1; columns <= 83; columns++)
            {
                float[] x = TestData.Reals(rows, seed: rows);
                float[] matrix = TestData.Reals(rows * columns, seed: columns);
                float[] destination = TestData.Reals(columns, seed: rows + columns);
                var expected = new double[columns];
                for (int j = 0; j < columns; j++)
                {
                    expected[j] = destination[j];
                    for (int i = 0; i < rows; i++)
                    {
                        expected[j] += (double)x[i] * matrix[i * columns + j];
                    }
                }

                LinearAlgebra.MultiplyAdd(x, matrix, destination);
                for (int j = 0; j < columns; j++)
                {
                    largest = Math.Max(largest, Math.Abs(destination[j] - expected[j]) / (rows + 1));
                }
            }
        }

        return largest;
    }

    /// <summary>The design card's model (Keras default initialisation, seed 42) on 100 tokens.</summary>
    public static float ModelOutput()
    {
        var model = new SentimentModel();
        float[] output = new float[SentimentModel.OutputWidth];
        model.Predict(TestData.Tokens(100, SentimentModel.VocabularySize, seed: 1, padding: false), output);
        return output[0];
    }
}
