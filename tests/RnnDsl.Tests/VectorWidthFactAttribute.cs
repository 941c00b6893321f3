using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// A fact that runs only where .NET accelerates hardware vectors of the given width, and is skipped elsewhere with
/// the missing instruction set named, rather than passing while silently running a narrower path.
/// </summary>
public sealed class VectorWidthFactAttribute : FactAttribute
{
    public VectorWidthFactAttribute(int bits)
    {
        Skip = VectorWidth.MissingReason(bits);
    }
}

internal static class VectorWidth
{
    public static bool IsAccelerated(int bits) => bits switch
    {
        512 => Vector512.IsHardwareAccelerated,
        256 => Vector256.IsHardwareAccelerated,
        128 => Vector128.IsHardwareAccelerated,
        _ => true,
    };

    /// <summary>Why vectors of <paramref name="bits"/> cannot run here, or null when they can.</summary>
    public static string? MissingReason(int bits) => IsAccelerated(bits) ? null : bits switch
    {
        512 when Avx512F.IsSupported =>
            "The CPU has AVX-512F, but .NET does not accelerate Vector512 on it (it lacks part of AVX-512 BW/CD/DQ/VL, or the "
            + "runtime prefers narrower vectors on this CPU; DOTNET_PreferredVectorBitWidth=512 overrides that), so the 512-bit path cannot run.",
        512 => "Needs AVX-512 (F, BW, CD, DQ and VL), which this CPU lacks or .NET was told not to use (DOTNET_EnableAVX512=0 on .NET 10), so the 512-bit path cannot run.",
        256 => "Needs AVX2, which this CPU lacks or .NET was told not to use (DOTNET_EnableAVX2=0), so the 256-bit path cannot run.",
        _ => "Needs 128-bit SIMD (SSE on x64, AdvSimd on Arm64), which .NET does not accelerate here, so the 128-bit path cannot run.",
    };
}
