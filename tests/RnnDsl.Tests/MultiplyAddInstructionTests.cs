using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using RnnDsl.Kernels;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// The kernels use a fused multiply-add instruction exactly where the machine has one, and otherwise a vector multiply
/// and a vector add, never .NET's element-by-element software emulation of <c>FusedMultiplyAdd</c> (which made a
/// NativeAOT build for the default x64 target, that has no FMA, predict over 100 times slower than the JIT). The two
/// are told apart by rounding rather than by timing (<see cref="KernelProbe.RoundingProbe"/>): the emulation rounds
/// once, as the instruction does, and a multiply then an add round twice.
/// </summary>
public class MultiplyAddInstructionTests
{
    [VectorWidthFact(128)]
    public void Vector_columns_round_once_exactly_where_the_hardware_has_a_fused_multiply_add()
    {
        foreach (int bits in KernelProbe.AcceleratedWidths())
        {
            (float[] results, VectorPaths paths) = KernelProbe.RoundingProbe(bits);

            CheckRounding(bits, results, paths, KernelProbe.HasFusedMultiplyAdd, "this process");
        }
    }

    [X64Fact]
    public void Without_FMA_the_kernels_multiply_then_add_in_vectors_and_give_the_same_outputs()
    {
        Dictionary<string, string> child = RunProbeWithoutFma();
        Dictionary<string, string> here = KernelProbe.Measure();

        Assert.True(child["fma"] == "False",
            "The child process still has FMA: DOTNET_EnableAVX2=0 (DOTNET_EnableFMA=0 before .NET 10) no longer turns it off, so this test cannot check the path without it.");
        // On x64 every vector width wider than 128 bits needs AVX2, which the switch turns off with FMA.
        Assert.Equal("128", child["widths"]);
        float[] rounding = Array.ConvertAll(child["rounding-128"].Split(','), v => float.Parse(v, CultureInfo.InvariantCulture));
        CheckRounding(128, rounding, Enum.Parse<VectorPaths>(child["rounding-paths-128"]), fused: false, "the child process without FMA");

        double error = double.Parse(child["largest-error"], CultureInfo.InvariantCulture);
        Assert.True(error <= 1e-6, $"Without FMA the kernel is off its double-precision reference by up to {error} per row.");

        float withFma = float.Parse(here["model-output"], CultureInfo.InvariantCulture);
        float withoutFma = float.Parse(child["model-output"], CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(withFma - withoutFma) <= 1e-5f,
            $"The design card's model predicts {withFma} here ({(here["fma"] == "True" ? "with" : "without")} FMA) and {withoutFma} without FMA.");
    }

    /// <summary>
    /// With vectors no wider than <paramref name="bits"/>, columns done in hardware vectors give
    /// <see cref="KernelProbe.FusedResult"/> when <paramref name="fused"/> and 0 otherwise; the last three of each run,
    /// done in scalar code (which C# never fuses), give 0 either way.
    /// </summary>
    private static void CheckRounding(int bits, float[] results, VectorPaths paths, bool fused, string where)
    {
        var widest = bits switch { 512 => VectorPaths.Vector512, 256 => VectorPaths.Vector256, _ => VectorPaths.Vector128 };
        int columns = KernelProbe.RoundingColumns(bits);
        Assert.Equal(5 * columns, results.Length);
        Assert.True(paths == (widest | VectorPaths.Scalar),
            $"In {where} the {bits}-bit probe ran {paths}: it needs {bits}-bit vectors for its first columns and scalar code for the last three.");
        float vectorExpected = fused ? KernelProbe.FusedResult : 0f;
        for (int i = 0; i < results.Length; i++)
        {
            int run = i / columns, column = i % columns;
            float expected = column < columns - 3 ? vectorExpected : 0f;
            Assert.True(results[i] == expected,
                $"In {where} ({(fused ? "with" : "without")} FMA), {bits}-bit vectors, run {run} (rows {(run == 0 ? "0 of 1" : $"{run - 1} and {run + 3} of 8")}), "
                + $"column {column} of the rounding probe is {results[i]:R}, expected {expected:R}: "
                + (results[i] == KernelProbe.FusedResult
                    ? "it was rounded once, so without the instruction the multiply-add was emulated element by element."
                    : "it was rounded twice, so a hardware FMA was not used where it exists."));
        }
    }

    /// <summary>
    /// Runs <see cref="KernelProbe.Main"/> in a child process of this test assembly with FMA turned off. On .NET 10 the
    /// runtime's switch for FMA is DOTNET_EnableAVX2 (it covers AVX2, FMA, BMI1/2, LZCNT and MOVBE, and so also turns
    /// off 256- and 512-bit vectors, as on x86-64-v2 CPUs and NativeAOT's default target); DOTNET_EnableFMA is the
    /// switch of older runtimes and is ignored by .NET 10.
    /// </summary>
    private static Dictionary<string, string> RunProbeWithoutFma()
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(KernelProbe).Assembly.Location);
        start.ArgumentList.Add(KernelProbe.Command);
        start.Environment["DOTNET_EnableAVX2"] = "0";
        start.Environment["DOTNET_EnableFMA"] = "0";

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            Assert.Fail("The kernel probe without FMA did not finish within two minutes.");
        }

        Assert.True(process.ExitCode == 0, $"The kernel probe without FMA failed ({process.ExitCode}): {error.Result}{output}");
        var values = new Dictionary<string, string>();
        using var reader = new StringReader(output);
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            values[line[..equals]] = line[(equals + 1)..];
        }

        return values;
    }
}

/// <summary>A fact that runs only in an x64 process: only there can .NET be told not to use FMA (Arm64 always has it).</summary>
public sealed class X64FactAttribute : FactAttribute
{
    public X64FactAttribute()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Skip = $"Needs an x64 process, where DOTNET_EnableAVX2=0 turns FMA off; this one is {RuntimeInformation.ProcessArchitecture}, whose vectors always have a fused multiply-add.";
        }
    }
}
