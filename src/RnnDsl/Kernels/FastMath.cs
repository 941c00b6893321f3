using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace RnnDsl.Kernels;

/// <summary>
/// tanh and the logistic sigmoid in place over the short spans a recurrent step has (one gate block of 32 to 512 values),
/// in float and in hardware vectors, for <see cref="Activations"/>.
/// </summary>
/// <remarks>
/// <para>
/// Why not <c>TensorPrimitives.Tanh</c>: it is accurate to about 1 ulp and general, but took 27–32 ns for 64 values on the
/// machine in benchmarks/README.md, as long as the 64 × 64 recurrent product of the same step. This is written for
/// the case at hand: everything in registers, one division per vector, no special paths beyond NaN.
/// </para>
/// <para>
/// exp: <c>exp(y) = 2^n · exp(r)</c> with <c>n = round(y · log2 e)</c> and <c>r = y − n · ln 2</c> (ln 2 split in two,
/// the high part with few enough bits that <c>n · ln2High</c> is exact), <c>|r| ≤ ln 2 / 2</c>, and <c>exp(r)</c> its
/// Taylor polynomial to degree 7 (remainder below 1e-8 relative), evaluated by Estrin's scheme because a step waits for
/// the result; <c>2^n</c> is built in the exponent bits.
/// tanh: for <c>|x| &lt; 0.5</c> the odd Taylor series to x¹⁵ (remainder below 1e-8 relative), which keeps full relative
/// accuracy near 0; above, <c>(1 − e) / (1 + e)</c> with <c>e = exp(−2|x|)</c>, which loses nothing to cancellation
/// because <c>e ≤ exp(−1)</c> there, and the sign of x. sigmoid: <c>1 / (1 + e)</c> for x ≥ 0 and <c>e / (1 + e)</c> below,
/// with <c>e = exp(−|x|)</c>, so exp never overflows and tiny results keep their digits.
/// The tests compare both paths, with the overlapping and padded tails, against double precision over millions of floats:
/// at most 2 ulp for tanh and 3 for sigmoid. NaN stays NaN (so a diverging training run is still caught), ±∞ give ±1
/// and 0 or 1, and −0 stays −0.
/// </para>
/// <para>
/// Every element goes through the same vector code whatever its position (the last values of a span through one more
/// vector that overlaps the one before, spans shorter than eight through a padded vector; there is no scalar code), and
/// both widths compute the same bits lane by lane, so a value's result does not depend on where it sits.
/// </para>
/// <para>
/// Where there are no 256-bit vectors (NativeAOT's default x64 target, a JIT without AVX2, Arm64) tanh and sigmoid are
/// <c>TensorPrimitives</c>'. A 128-bit version of these kernels was written and measured: under NativeAOT's default
/// instruction set the design card model took 164 µs per prediction with it against 89 µs with <c>TensorPrimitives</c>. Each multiply-add is
/// <c>MultiplyAddEstimate</c>, so, as with the matrix kernels, a build without FMA may differ in the last bit.
/// </para>
/// </remarks>
internal static class FastMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f; // 355 / 512: n · Ln2High is exact for |n| < 2^15
    private const float Ln2Low = -2.12194440e-4f; // ln 2 − Ln2High
    private const float ExpLow = -104f; // exp(-104) is below half the smallest float: 0. Arguments are never positive.

    // exp(r) = 1 + r + r²/2! + … + r⁷/7!
    private const float E2 = 1f / 2;
    private const float E3 = (float)(1.0 / 6);
    private const float E4 = (float)(1.0 / 24);
    private const float E5 = (float)(1.0 / 120);
    private const float E6 = (float)(1.0 / 720);
    private const float E7 = (float)(1.0 / 5040);

    // tanh(x) = x + x³ (T3 + x² (T5 + x² (… + x² T15))) for small x: the Taylor coefficients 2^2k (2^2k − 1) B_2k / (2k)!.
    private const float SmallTanh = 0.5f;
    private const float T3 = (float)(-1.0 / 3);
    private const float T5 = (float)(2.0 / 15);
    private const float T7 = (float)(-17.0 / 315);
    private const float T9 = (float)(62.0 / 2835);
    private const float T11 = (float)(-1382.0 / 155925);
    private const float T13 = (float)(21844.0 / 6081075);
    private const float T15 = (float)(-929569.0 / 638512875);
    private const float TanhSaturates = 10f; // from 9.02 on, tanh and (1 − e) / (1 + e) both round to 1 in float

    /// <summary>
    /// tanh in place, with hardware vectors no wider than <paramref name="widestBits"/> (512 or 256; tests pass less to
    /// reach the narrower paths), or <c>TensorPrimitives.Tanh</c> where there are no 256-bit vectors.
    /// </summary>
    public static void Tanh(Span<float> values, int widestBits) => Apply<TanhFunction>(values, widestBits);

    /// <summary>The logistic sigmoid in place, as <see cref="Tanh(Span{float}, int)"/> chooses its path.</summary>
    public static void Sigmoid(Span<float> values, int widestBits) => Apply<SigmoidFunction>(values, widestBits);

    /// <summary>A function the span loop applies: at each width, and the library's where there are no 256-bit vectors.</summary>
    private interface IVectorFunction
    {
        static abstract Vector512<float> Apply(Vector512<float> x);

        static abstract Vector256<float> Apply(Vector256<float> x);

        static abstract void Fallback(Span<float> values);
    }

    private readonly struct TanhFunction : IVectorFunction
    {
        public static Vector512<float> Apply(Vector512<float> x) => Tanh(x);

        public static Vector256<float> Apply(Vector256<float> x) => Tanh(x);

        public static void Fallback(Span<float> values) => TensorPrimitives.Tanh(values, values);
    }

    private readonly struct SigmoidFunction : IVectorFunction
    {
        public static Vector512<float> Apply(Vector512<float> x) => Sigmoid(x);

        public static Vector256<float> Apply(Vector256<float> x) => Sigmoid(x);

        public static void Fallback(Span<float> values) => TensorPrimitives.Sigmoid(values, values);
    }

    /// <summary><typeparamref name="TFunction"/> over a span, in place (a struct type argument: the JIT compiles one loop per function).</summary>
    private static void Apply<TFunction>(Span<float> values, int widestBits)
        where TFunction : struct, IVectorFunction
    {
        ref float v = ref MemoryMarshal.GetReference(values);
        int n = values.Length;
        if (widestBits >= 512 && Vector512.IsHardwareAccelerated && n >= 16)
        {
            // Unless n is a multiple of 16, the last 16 values are computed first from the inputs and stored last, over
            // whatever the loop wrote there: no scalar tail, and no value computed from an output.
            bool overlap = n % 16 != 0;
            Vector512<float> last = overlap ? TFunction.Apply(Vector512.LoadUnsafe(ref v, (nuint)(n - 16))) : default;
            for (int i = 0; i + 16 <= n; i += 16)
            {
                TFunction.Apply(Vector512.LoadUnsafe(ref v, (nuint)i)).StoreUnsafe(ref v, (nuint)i);
            }

            if (overlap)
            {
                last.StoreUnsafe(ref v, (nuint)(n - 16));
            }
        }
        else if (widestBits >= 256 && Vector256.IsHardwareAccelerated && n >= 8)
        {
            bool overlap = n % 8 != 0;
            Vector256<float> last = overlap ? TFunction.Apply(Vector256.LoadUnsafe(ref v, (nuint)(n - 8))) : default;
            for (int i = 0; i + 8 <= n; i += 8)
            {
                TFunction.Apply(Vector256.LoadUnsafe(ref v, (nuint)i)).StoreUnsafe(ref v, (nuint)i);
            }

            if (overlap)
            {
                last.StoreUnsafe(ref v, (nuint)(n - 8));
            }
        }
        else if (widestBits >= 256 && Vector256.IsHardwareAccelerated)
        {
            // Fewer than eight values: through one zero-padded vector.
            Span<float> padded = stackalloc float[8];
            padded.Clear();
            values.CopyTo(padded);
            ref float p = ref MemoryMarshal.GetReference(padded);
            TFunction.Apply(Vector256.LoadUnsafe(ref p)).StoreUnsafe(ref p);
            padded.Slice(0, n).CopyTo(values);
        }
        else
        {
            TFunction.Fallback(values);
        }
    }

    // ── 512 bits

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp(Vector512<float> y)
    {
        y = Vector512.Max(y, Vector512.Create(ExpLow));
        Vector512<float> n = Vector512.Round(y * Log2E);
        Vector512<float> r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2High), y);
        r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2Low), r);
        // Estrin's scheme, (1 + r) + r² ((E2 + E3 r) + r² ((E4 + E5 r) + r² (E6 + E7 r))): four multiply-adds deep, not eight.
        Vector512<float> r2 = r * r;
        Vector512<float> high = Vector512.MultiplyAddEstimate(Vector512.Create(E7), r, Vector512.Create(E6));
        Vector512<float> middle = Vector512.MultiplyAddEstimate(Vector512.Create(E5), r, Vector512.Create(E4));
        Vector512<float> low = Vector512.MultiplyAddEstimate(Vector512.Create(E3), r, Vector512.Create(E2));
        Vector512<float> p = Vector512.MultiplyAddEstimate(high, r2, middle);
        p = Vector512.MultiplyAddEstimate(p, r2, low);
        p = Vector512.MultiplyAddEstimate(p, r2, r + Vector512<float>.One);
        // 2^n in two factors, each a normal float, so results below 2^-126 underflow gradually as they should.
        Vector512<int> whole = Vector512.ConvertToInt32Native(n); // n is a whole number in [-151, 0]: no saturation to handle
        Vector512<int> half = Vector512.ShiftRightArithmetic(whole, 1);
        Vector512<float> first = Vector512.ShiftLeft(half + Vector512.Create(127), 23).AsSingle();
        Vector512<float> second = Vector512.ShiftLeft(whole - half + Vector512.Create(127), 23).AsSingle();
        return p * first * second;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> a = Vector512.Abs(x);
        Vector512<float> x2 = x * x;
        Vector512<float> p = Vector512.MultiplyAddEstimate(Vector512.Create(T15), x2, Vector512.Create(T13));
        p = Vector512.MultiplyAddEstimate(p, x2, Vector512.Create(T11));
        p = Vector512.MultiplyAddEstimate(p, x2, Vector512.Create(T9));
        p = Vector512.MultiplyAddEstimate(p, x2, Vector512.Create(T7));
        p = Vector512.MultiplyAddEstimate(p, x2, Vector512.Create(T5));
        p = Vector512.MultiplyAddEstimate(p, x2, Vector512.Create(T3));
        Vector512<float> small = Vector512.MultiplyAddEstimate(x * x2, p, x);
        Vector512<float> e = Exp(Vector512.Min(a, Vector512.Create(TanhSaturates)) * -2f);
        Vector512<float> large = (Vector512<float>.One - e) / (Vector512<float>.One + e);
        Vector512<float> result = Vector512.CopySign(Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(SmallTanh)), small, large), x);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x); // NaN stays NaN
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sigmoid(Vector512<float> x)
    {
        // e = exp(−|x|) never overflows: 1 / (1 + e) for x ≥ 0, e / (1 + e) below, which keeps tiny results exact.
        Vector512<float> e = Exp(-Vector512.Abs(x));
        Vector512<float> positive = Vector512<float>.One / (Vector512<float>.One + e);
        Vector512<float> result = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), positive, e * positive);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
    }

    // ── 256 bits: the same, instruction for instruction

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp(Vector256<float> y)
    {
        y = Vector256.Max(y, Vector256.Create(ExpLow));
        Vector256<float> n = Vector256.Round(y * Log2E);
        Vector256<float> r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2High), y);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Low), r);
        // Estrin's scheme, (1 + r) + r² ((E2 + E3 r) + r² ((E4 + E5 r) + r² (E6 + E7 r))): four multiply-adds deep, not eight.
        Vector256<float> r2 = r * r;
        Vector256<float> high = Vector256.MultiplyAddEstimate(Vector256.Create(E7), r, Vector256.Create(E6));
        Vector256<float> middle = Vector256.MultiplyAddEstimate(Vector256.Create(E5), r, Vector256.Create(E4));
        Vector256<float> low = Vector256.MultiplyAddEstimate(Vector256.Create(E3), r, Vector256.Create(E2));
        Vector256<float> p = Vector256.MultiplyAddEstimate(high, r2, middle);
        p = Vector256.MultiplyAddEstimate(p, r2, low);
        p = Vector256.MultiplyAddEstimate(p, r2, r + Vector256<float>.One);
        // 2^n in two factors, each a normal float, so results below 2^-126 underflow gradually as they should.
        Vector256<int> whole = Vector256.ConvertToInt32Native(n); // n is a whole number in [-151, 0]: no saturation to handle
        Vector256<int> half = Vector256.ShiftRightArithmetic(whole, 1);
        Vector256<float> first = Vector256.ShiftLeft(half + Vector256.Create(127), 23).AsSingle();
        Vector256<float> second = Vector256.ShiftLeft(whole - half + Vector256.Create(127), 23).AsSingle();
        return p * first * second;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> a = Vector256.Abs(x);
        Vector256<float> x2 = x * x;
        Vector256<float> p = Vector256.MultiplyAddEstimate(Vector256.Create(T15), x2, Vector256.Create(T13));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(T11));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(T9));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(T7));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(T5));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(T3));
        Vector256<float> small = Vector256.MultiplyAddEstimate(x * x2, p, x);
        Vector256<float> e = Exp(Vector256.Min(a, Vector256.Create(TanhSaturates)) * -2f);
        Vector256<float> large = (Vector256<float>.One - e) / (Vector256<float>.One + e);
        Vector256<float> result = Vector256.CopySign(Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(SmallTanh)), small, large), x);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sigmoid(Vector256<float> x)
    {
        // e = exp(−|x|) never overflows: 1 / (1 + e) for x ≥ 0, e / (1 + e) below, which keeps tiny results exact.
        Vector256<float> e = Exp(-Vector256.Abs(x));
        Vector256<float> positive = Vector256<float>.One / (Vector256<float>.One + e);
        Vector256<float> result = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), positive, e * positive);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }
}
