using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnDsl.Kernels;

/// <summary>
/// Vector-matrix products in the layout Keras stores its weights in: a kernel of shape
/// <c>[rows, columns]</c>, row-major, multiplied from the left by a row vector.
/// </summary>
public static class LinearAlgebra
{
    /// <summary>
    /// Effectively computes <c>destination[j] += sum over i of x[i] * matrix[i * columns + j]</c>,
    /// where <c>columns = destination.Length</c> and <c>rows = x.Length</c>.
    /// </summary>
    /// <remarks>
    /// Columns are walked in blocks of four hardware vectors whose accumulators stay in registers
    /// while every row is added in, so each element of <paramref name="destination"/> is loaded and
    /// stored once however many rows there are. Rows are split across independent accumulators so the
    /// loop is bound by multiply-add throughput, not by the latency of one long chain; this holds at every width
    /// (AVX-512, AVX2, SSE or AdvSimd). The columns left over after the widest whole vectors go to the
    /// next narrower vectors, and only the last three or fewer to scalar code. A single column is a dot
    /// product.
    /// <para>
    /// Each multiply-add is <c>Vector512/256/128.MultiplyAddEstimate</c>: one fused multiply-add instruction where the
    /// machine has one (under NativeAOT: where the instruction set the binary was compiled for has one, see
    /// <c>IlcInstructionSet</c>), a multiply and an add otherwise. <c>FusedMultiplyAdd</c> promises one rounding, so
    /// without the instruction .NET computes it element by element in software: NativeAOT's default x64 target has no
    /// FMA, and with <c>FusedMultiplyAdd</c> its binaries predicted over 100 times slower than the JIT. The last bit of a
    /// result can therefore differ between a build with FMA and one without; one build on one machine always gives the
    /// same results.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="matrix"/> is not <c>rows * columns</c> long.</exception>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> matrix, Span<float> destination)
    {
        int rows = x.Length;
        int columns = destination.Length;
        if (matrix.Length != rows * columns)
        {
            throw new ArgumentException(
                $"The matrix has {matrix.Length} values; a [{rows}, {columns}] matrix has {rows * columns}.", nameof(matrix));
        }

        if (columns == 1)
        {
            destination[0] += TensorPrimitives.Dot(x, matrix);
            return;
        }

        MultiplyAddCore(ref MemoryMarshal.GetReference(x), 1, rows, matrix, destination);
    }

    /// <summary>The column width of the panels <see cref="PackPanels"/> makes: four 512-bit vectors.</summary>
    public const int PanelWidth = 64;

    /// <summary>
    /// Rewrites a row-major <c>[rows, columns]</c> matrix as panels of <see cref="PanelWidth"/> columns, each panel a
    /// contiguous row-major <c>[rows, width]</c> matrix (the last one narrower when the columns are not a multiple of it),
    /// so that <see cref="MultiplyAddPanels"/> reads the matrix as a few long streams instead of jumping from row to row.
    /// For a recurrent kernel of 128 × 512 this halves the time of the per-step product (it runs out of L2).
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not fit a <c>[rows, columns]</c> matrix.</exception>
    public static void PackPanels(ReadOnlySpan<float> matrix, int rows, Span<float> packed)
    {
        if (rows < 1 || matrix.Length % rows != 0 || packed.Length != matrix.Length)
        {
            throw new ArgumentException($"A matrix of {matrix.Length} values is not {rows} whole rows, or packed ({packed.Length} values) is not as long.", nameof(matrix));
        }

        int columns = matrix.Length / rows;
        int at = 0;
        for (int panel = 0; panel < columns; panel += PanelWidth)
        {
            int width = Math.Min(PanelWidth, columns - panel);
            for (int row = 0; row < rows; row++)
            {
                matrix.Slice((row * columns) + panel, width).CopyTo(packed.Slice(at, width));
                at += width;
            }
        }
    }

    /// <summary><c>destination += x · matrix</c> for a matrix packed by <see cref="PackPanels"/>: the same sums as <see cref="MultiplyAdd"/>, panel by panel.</summary>
    /// <exception cref="ArgumentException"><paramref name="packed"/> is not <c>x.Length * destination.Length</c> long.</exception>
    public static void MultiplyAddPanels(ReadOnlySpan<float> x, ReadOnlySpan<float> packed, Span<float> destination)
    {
        int rows = x.Length;
        int columns = destination.Length;
        if (packed.Length != rows * columns)
        {
            throw new ArgumentException($"The packed matrix has {packed.Length} values; a [{rows}, {columns}] matrix has {rows * columns}.", nameof(packed));
        }

        for (int panel = 0; panel < columns; panel += PanelWidth)
        {
            int width = Math.Min(PanelWidth, columns - panel);
            MultiplyAdd(x, packed.Slice(panel * rows, rows * width), destination.Slice(panel, width));
        }
    }

    /// <summary>
    /// <c>destination[r] += rows[r] · matrix</c> for every row r, for a matrix packed by <see cref="PackPanels"/>: panel by
    /// panel, so each panel stays in L1 while every row uses it (the input projection of a whole sequence).
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not fit <c>[count, m]</c>, <c>[m, n]</c> and <c>[count, n]</c>.</exception>
    public static void MultiplyAddRowsPanels(ReadOnlySpan<float> rows, int width, ReadOnlySpan<float> packed, Span<float> destination)
    {
        if (width < 1 || rows.Length % width != 0 || packed.Length % width != 0)
        {
            throw new ArgumentException($"rows ({rows.Length} values) and the packed matrix ({packed.Length} values) must be whole rows of {width}.", nameof(width));
        }

        int count = rows.Length / width;
        int columns = packed.Length / width;
        if (destination.Length != count * columns)
        {
            throw new ArgumentException($"destination has {destination.Length} values; [{count}, {columns}] has {count * columns}.", nameof(destination));
        }

        RowsTimesPanels(rows, width, width, count, packed, destination, columns, 512);
    }

    /// <summary>
    /// <c>destination[r * destinationStride + j] += sum over k of rows[r * rowStride + k] * matrix[k, j]</c> for <paramref name="count"/>
    /// rows r, for a <c>[width, columns]</c> matrix packed by <see cref="PackPanels"/> (<c>columns = packed.Length / width</c>):
    /// a matrix product whose rows lie apart. A recurrence over a batch of sequences stored one after another uses it for
    /// step t of every sequence at once, <c>gates[b, t] += h[b, previous] · recurrent_kernel</c>, so each weight it loads
    /// serves four sequences instead of one.
    /// </summary>
    /// <exception cref="ArgumentException">The strides or lengths do not hold <paramref name="count"/> rows.</exception>
    public static void MultiplyAddStridedRowsPanels(ReadOnlySpan<float> rows, int rowStride, int width, int count, ReadOnlySpan<float> packed, Span<float> destination, int destinationStride)
    {
        if (width < 1 || count < 1 || packed.Length % width != 0)
        {
            throw new ArgumentException($"The packed matrix ({packed.Length} values) must be whole rows of {width}, for at least one row.", nameof(width));
        }

        int columns = packed.Length / width;
        if (rowStride < width || destinationStride < columns
            || rows.Length < ((count - 1) * (long)rowStride) + width || destination.Length < ((count - 1) * (long)destinationStride) + columns)
        {
            throw new ArgumentException($"{count} rows of {width} every {rowStride} values ({rows.Length} given) into rows of {columns} every {destinationStride} values ({destination.Length} given) do not fit.", nameof(rowStride));
        }

        RowsTimesPanels(rows, rowStride, width, count, packed, destination, destinationStride, 512);
    }

    /// <summary>
    /// <see cref="MultiplyAddStridedRowsPanels"/> with hardware vectors no wider than <paramref name="widestBits"/>, so
    /// tests reach the 256-bit four-row path on a machine with 512-bit vectors. Arguments are not checked.
    /// </summary>
    internal static void MultiplyAddStridedRowsPanelsNoWiderThan(ReadOnlySpan<float> rows, int rowStride, int width, int count, ReadOnlySpan<float> packed, Span<float> destination, int destinationStride, int widestBits) =>
        RowsTimesPanels(rows, rowStride, width, count, packed, destination, destinationStride, widestBits);

    private static void RowsTimesPanels(ReadOnlySpan<float> rows, int rowStride, int width, int count, ReadOnlySpan<float> packed, Span<float> destination, int destinationStride, int widestBits)
    {
        int columns = packed.Length / width;
        for (int panel = 0; panel < columns; panel += PanelWidth)
        {
            int panelWidth = Math.Min(PanelWidth, columns - panel);
            ReadOnlySpan<float> block = packed.Slice(panel * width, width * panelWidth);
            int r = 0;
            bool wholeOrHalf = panelWidth == PanelWidth || panelWidth == PanelWidth / 2;
            if (wholeOrHalf && widestBits >= 512 && Vector512.IsHardwareAccelerated)
            {
                // Four rows at a time: each vector of the panel is loaded once for four rows.
                ref float x = ref MemoryMarshal.GetReference(rows);
                ref float m = ref MemoryMarshal.GetReference(block);
                ref float d = ref MemoryMarshal.GetReference(destination);
                for (; r + 4 <= count; r += 4)
                {
                    if (panelWidth == PanelWidth)
                    {
                        FourRowsOfPanel(ref Unsafe.Add(ref x, r * rowStride), rowStride, width, ref m, ref Unsafe.Add(ref d, (r * destinationStride) + panel), destinationStride);
                    }
                    else
                    {
                        FourRowsOfHalfPanel(ref Unsafe.Add(ref x, r * rowStride), rowStride, width, ref m, ref Unsafe.Add(ref d, (r * destinationStride) + panel), destinationStride);
                    }
                }
            }
            else if (wholeOrHalf && widestBits >= 256 && Vector256.IsHardwareAccelerated)
            {
                // AVX2: four rows at a time too, 16 columns of the panel per pass (16 registers do not hold 4 × 64 columns).
                ref float x = ref MemoryMarshal.GetReference(rows);
                ref float m = ref MemoryMarshal.GetReference(block);
                ref float d = ref MemoryMarshal.GetReference(destination);
                for (; r + 4 <= count; r += 4)
                {
                    for (int strip = 0; strip < panelWidth; strip += 16)
                    {
                        FourRowsOfStrip256(ref Unsafe.Add(ref x, r * rowStride), rowStride, width, ref Unsafe.Add(ref m, strip), panelWidth, ref Unsafe.Add(ref d, (r * destinationStride) + panel + strip), destinationStride);
                    }
                }
            }

            for (; r < count; r++)
            {
                MultiplyAdd(rows.Slice(r * rowStride, width), block, destination.Slice((r * destinationStride) + panel, panelWidth));
            }
        }
    }

    /// <summary>
    /// <c>d[i, 0..16) += x[i] · panel[:, 0..16)</c> for four rows i and 16 columns of a panel whose rows are
    /// <paramref name="pitch"/> floats apart: 8 accumulators in 256-bit vectors, each panel vector loaded once for the four rows.
    /// </summary>
    private static void FourRowsOfStrip256(ref float x, int xStride, int width, ref float panel, int pitch, ref float d, int stride)
    {
        nuint s = (nuint)stride;
        Vector256<float> a00 = Vector256.LoadUnsafe(ref d), a01 = Vector256.LoadUnsafe(ref d, 8);
        Vector256<float> a10 = Vector256.LoadUnsafe(ref d, s), a11 = Vector256.LoadUnsafe(ref d, s + 8);
        Vector256<float> a20 = Vector256.LoadUnsafe(ref d, 2 * s), a21 = Vector256.LoadUnsafe(ref d, (2 * s) + 8);
        Vector256<float> a30 = Vector256.LoadUnsafe(ref d, 3 * s), a31 = Vector256.LoadUnsafe(ref d, (3 * s) + 8);
        for (int k = 0; k < width; k++)
        {
            nuint at = (nuint)(k * pitch);
            Vector256<float> m0 = Vector256.LoadUnsafe(ref panel, at), m1 = Vector256.LoadUnsafe(ref panel, at + 8);
            Vector256<float> x0 = Vector256.Create(Unsafe.Add(ref x, k));
            a00 = Vector256.MultiplyAddEstimate(m0, x0, a00);
            a01 = Vector256.MultiplyAddEstimate(m1, x0, a01);
            Vector256<float> x1 = Vector256.Create(Unsafe.Add(ref x, xStride + k));
            a10 = Vector256.MultiplyAddEstimate(m0, x1, a10);
            a11 = Vector256.MultiplyAddEstimate(m1, x1, a11);
            Vector256<float> x2 = Vector256.Create(Unsafe.Add(ref x, (2 * xStride) + k));
            a20 = Vector256.MultiplyAddEstimate(m0, x2, a20);
            a21 = Vector256.MultiplyAddEstimate(m1, x2, a21);
            Vector256<float> x3 = Vector256.Create(Unsafe.Add(ref x, (3 * xStride) + k));
            a30 = Vector256.MultiplyAddEstimate(m0, x3, a30);
            a31 = Vector256.MultiplyAddEstimate(m1, x3, a31);
        }

        a00.StoreUnsafe(ref d);
        a01.StoreUnsafe(ref d, 8);
        a10.StoreUnsafe(ref d, s);
        a11.StoreUnsafe(ref d, s + 8);
        a20.StoreUnsafe(ref d, 2 * s);
        a21.StoreUnsafe(ref d, (2 * s) + 8);
        a30.StoreUnsafe(ref d, 3 * s);
        a31.StoreUnsafe(ref d, (3 * s) + 8);
    }

    /// <summary>
    /// <c>d[i] += x[i] · panel</c> for four rows i (strides <paramref name="xStride"/> and <paramref name="stride"/>) and a
    /// <c>[width, 64]</c> panel: 16 accumulators, 4 rows by 4 vectors, each panel vector loaded once for the four rows.
    /// </summary>
    private static void FourRowsOfPanel(ref float x, int xStride, int width, ref float panel, ref float d, int stride)
    {
        nuint s = (nuint)stride;
        Vector512<float> a00 = Vector512.LoadUnsafe(ref d), a01 = Vector512.LoadUnsafe(ref d, 16), a02 = Vector512.LoadUnsafe(ref d, 32), a03 = Vector512.LoadUnsafe(ref d, 48);
        Vector512<float> a10 = Vector512.LoadUnsafe(ref d, s), a11 = Vector512.LoadUnsafe(ref d, s + 16), a12 = Vector512.LoadUnsafe(ref d, s + 32), a13 = Vector512.LoadUnsafe(ref d, s + 48);
        Vector512<float> a20 = Vector512.LoadUnsafe(ref d, 2 * s), a21 = Vector512.LoadUnsafe(ref d, (2 * s) + 16), a22 = Vector512.LoadUnsafe(ref d, (2 * s) + 32), a23 = Vector512.LoadUnsafe(ref d, (2 * s) + 48);
        Vector512<float> a30 = Vector512.LoadUnsafe(ref d, 3 * s), a31 = Vector512.LoadUnsafe(ref d, (3 * s) + 16), a32 = Vector512.LoadUnsafe(ref d, (3 * s) + 32), a33 = Vector512.LoadUnsafe(ref d, (3 * s) + 48);
        for (int k = 0; k < width; k++)
        {
            nuint at = (nuint)(k * PanelWidth);
            Vector512<float> m0 = Vector512.LoadUnsafe(ref panel, at), m1 = Vector512.LoadUnsafe(ref panel, at + 16);
            Vector512<float> m2 = Vector512.LoadUnsafe(ref panel, at + 32), m3 = Vector512.LoadUnsafe(ref panel, at + 48);
            Vector512<float> x0 = Vector512.Create(Unsafe.Add(ref x, k));
            Vector512<float> x1 = Vector512.Create(Unsafe.Add(ref x, xStride + k));
            Vector512<float> x2 = Vector512.Create(Unsafe.Add(ref x, (2 * xStride) + k));
            Vector512<float> x3 = Vector512.Create(Unsafe.Add(ref x, (3 * xStride) + k));
            a00 = Vector512.MultiplyAddEstimate(m0, x0, a00);
            a01 = Vector512.MultiplyAddEstimate(m1, x0, a01);
            a02 = Vector512.MultiplyAddEstimate(m2, x0, a02);
            a03 = Vector512.MultiplyAddEstimate(m3, x0, a03);
            a10 = Vector512.MultiplyAddEstimate(m0, x1, a10);
            a11 = Vector512.MultiplyAddEstimate(m1, x1, a11);
            a12 = Vector512.MultiplyAddEstimate(m2, x1, a12);
            a13 = Vector512.MultiplyAddEstimate(m3, x1, a13);
            a20 = Vector512.MultiplyAddEstimate(m0, x2, a20);
            a21 = Vector512.MultiplyAddEstimate(m1, x2, a21);
            a22 = Vector512.MultiplyAddEstimate(m2, x2, a22);
            a23 = Vector512.MultiplyAddEstimate(m3, x2, a23);
            a30 = Vector512.MultiplyAddEstimate(m0, x3, a30);
            a31 = Vector512.MultiplyAddEstimate(m1, x3, a31);
            a32 = Vector512.MultiplyAddEstimate(m2, x3, a32);
            a33 = Vector512.MultiplyAddEstimate(m3, x3, a33);
        }

        a00.StoreUnsafe(ref d);
        a01.StoreUnsafe(ref d, 16);
        a02.StoreUnsafe(ref d, 32);
        a03.StoreUnsafe(ref d, 48);
        a10.StoreUnsafe(ref d, s);
        a11.StoreUnsafe(ref d, s + 16);
        a12.StoreUnsafe(ref d, s + 32);
        a13.StoreUnsafe(ref d, s + 48);
        a20.StoreUnsafe(ref d, 2 * s);
        a21.StoreUnsafe(ref d, (2 * s) + 16);
        a22.StoreUnsafe(ref d, (2 * s) + 32);
        a23.StoreUnsafe(ref d, (2 * s) + 48);
        a30.StoreUnsafe(ref d, 3 * s);
        a31.StoreUnsafe(ref d, (3 * s) + 16);
        a32.StoreUnsafe(ref d, (3 * s) + 32);
        a33.StoreUnsafe(ref d, (3 * s) + 48);
    }

    /// <summary>
    /// <see cref="FourRowsOfPanel"/> for a <c>[width, 32]</c> panel (a layer of 32 units, or the last 32 columns): 8
    /// accumulators, 4 rows by 2 vectors.
    /// </summary>
    private static void FourRowsOfHalfPanel(ref float x, int xStride, int width, ref float panel, ref float d, int stride)
    {
        const int Width = PanelWidth / 2;
        nuint s = (nuint)stride;
        Vector512<float> a00 = Vector512.LoadUnsafe(ref d), a01 = Vector512.LoadUnsafe(ref d, 16);
        Vector512<float> a10 = Vector512.LoadUnsafe(ref d, s), a11 = Vector512.LoadUnsafe(ref d, s + 16);
        Vector512<float> a20 = Vector512.LoadUnsafe(ref d, 2 * s), a21 = Vector512.LoadUnsafe(ref d, (2 * s) + 16);
        Vector512<float> a30 = Vector512.LoadUnsafe(ref d, 3 * s), a31 = Vector512.LoadUnsafe(ref d, (3 * s) + 16);
        for (int k = 0; k < width; k++)
        {
            nuint at = (nuint)(k * Width);
            Vector512<float> m0 = Vector512.LoadUnsafe(ref panel, at), m1 = Vector512.LoadUnsafe(ref panel, at + 16);
            Vector512<float> x0 = Vector512.Create(Unsafe.Add(ref x, k));
            Vector512<float> x1 = Vector512.Create(Unsafe.Add(ref x, xStride + k));
            Vector512<float> x2 = Vector512.Create(Unsafe.Add(ref x, (2 * xStride) + k));
            Vector512<float> x3 = Vector512.Create(Unsafe.Add(ref x, (3 * xStride) + k));
            a00 = Vector512.MultiplyAddEstimate(m0, x0, a00);
            a01 = Vector512.MultiplyAddEstimate(m1, x0, a01);
            a10 = Vector512.MultiplyAddEstimate(m0, x1, a10);
            a11 = Vector512.MultiplyAddEstimate(m1, x1, a11);
            a20 = Vector512.MultiplyAddEstimate(m0, x2, a20);
            a21 = Vector512.MultiplyAddEstimate(m1, x2, a21);
            a30 = Vector512.MultiplyAddEstimate(m0, x3, a30);
            a31 = Vector512.MultiplyAddEstimate(m1, x3, a31);
        }

        a00.StoreUnsafe(ref d);
        a01.StoreUnsafe(ref d, 16);
        a10.StoreUnsafe(ref d, s);
        a11.StoreUnsafe(ref d, s + 16);
        a20.StoreUnsafe(ref d, 2 * s);
        a21.StoreUnsafe(ref d, (2 * s) + 16);
        a30.StoreUnsafe(ref d, 3 * s);
        a31.StoreUnsafe(ref d, (3 * s) + 16);
    }

    /// <summary>
    /// <see cref="MultiplyAdd"/> with hardware vectors no wider than <paramref name="widestBits"/> (512, 256, 128,
    /// or 0 for scalar code), so tests cover every path whatever machine they run on.
    /// </summary>
    /// <returns>The paths that ran, so tests can tell that a width really ran where the hardware has it.</returns>
    internal static VectorPaths MultiplyAddNoWiderThan(ReadOnlySpan<float> x, ReadOnlySpan<float> matrix, Span<float> destination, int widestBits) =>
        MultiplyAddCore(ref MemoryMarshal.GetReference(x), 1, x.Length, matrix, destination, widestBits);

    /// <summary>
    /// Effectively computes <c>c[i * n + j] += sum over k of a[k * m + i] * b[k * n + j]</c>: adds aᵀ b for
    /// <c>a</c> of shape <c>[rows, m]</c>, <c>b</c> of shape <c>[rows, n]</c> and <c>c</c> of shape <c>[m, n]</c>,
    /// with <c>n = </c><paramref name="columns"/>. This is the gradient of a kernel over a whole sequence:
    /// inputsᵀ times the pre-activation gradients of every step.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not fit those shapes.</exception>
    public static void AddTransposedProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int columns) =>
        AddTransposedProductNoWiderThan(a, b, c, columns, 512);

    /// <summary>
    /// <see cref="AddTransposedProduct"/> with hardware vectors no wider than <paramref name="widestBits"/> (512, 256, 128,
    /// or 0 for scalar code), so tests cover every path whatever machine they run on.
    /// </summary>
    internal static void AddTransposedProductNoWiderThan(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int columns, int widestBits)
    {
        if (columns < 1 || c.Length % columns != 0 || b.Length % columns != 0)
        {
            throw new ArgumentException($"b ({b.Length} values) and c ({c.Length} values) must both be whole rows of {columns} columns.", nameof(columns));
        }

        int m = c.Length / columns;
        int rows = b.Length / columns;
        if (a.Length != rows * m)
        {
            throw new ArgumentException($"a has {a.Length} values; a [{rows}, {m}] matrix has {rows * m}.", nameof(a));
        }

        ref float first = ref MemoryMarshal.GetReference(a);
        int i = 0;
        if (widestBits >= 512 && Vector512.IsHardwareAccelerated && columns % Vector512<float>.Count == 0)
        {
            i = AddTransposedProductFourRows(a, b, c, columns);
        }
        else if (widestBits >= 256 && Vector256.IsHardwareAccelerated && columns % Vector256<float>.Count == 0)
        {
            i = AddTransposedProductFourRows256(a, b, c, columns);
        }

        for (; i < m; i++)
        {
            MultiplyAddCore(ref Unsafe.Add(ref first, i), m, rows, b, c.Slice(i * columns, columns), widestBits);
        }
    }

    /// <summary>
    /// <see cref="AddTransposedProductFourRows"/> for machines with 256-bit vectors and no 512-bit ones (AVX2; 16 vector
    /// registers, not 32): a [4, 16] block of c in eight registers over every row, each vector of b loaded serving four
    /// rows of c, then [4, 8] blocks with rows k split even and odd. <paramref name="columns"/> is a multiple of 8.
    /// Returns the number of rows of c done, a multiple of four.
    /// </summary>
    private static int AddTransposedProductFourRows256(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int columns)
    {
        const int Width = 8; // Vector256<float>.Count
        int m = c.Length / columns;
        int rows = b.Length / columns;
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref float c0 = ref Unsafe.Add(ref cRef, i * columns);
            ref float c1 = ref Unsafe.Add(ref c0, columns);
            ref float c2 = ref Unsafe.Add(ref c1, columns);
            ref float c3 = ref Unsafe.Add(ref c2, columns);
            int column = 0;
            for (; column + 2 * Width <= columns; column += 2 * Width)
            {
                nuint j = (nuint)column;
                Vector256<float> s00 = Vector256.LoadUnsafe(ref c0, j), s01 = Vector256.LoadUnsafe(ref c0, j + Width);
                Vector256<float> s10 = Vector256.LoadUnsafe(ref c1, j), s11 = Vector256.LoadUnsafe(ref c1, j + Width);
                Vector256<float> s20 = Vector256.LoadUnsafe(ref c2, j), s21 = Vector256.LoadUnsafe(ref c2, j + Width);
                Vector256<float> s30 = Vector256.LoadUnsafe(ref c3, j), s31 = Vector256.LoadUnsafe(ref c3, j + Width);
                for (int k = 0; k < rows; k++)
                {
                    ref float bRow = ref Unsafe.Add(ref bRef, k * columns + column);
                    Vector256<float> b0 = Vector256.LoadUnsafe(ref bRow), b1 = Vector256.LoadUnsafe(ref bRow, Width);
                    ref float aRow = ref Unsafe.Add(ref aRef, k * m + i);
                    Vector256<float> x = Vector256.Create(aRow);
                    s00 = Vector256.MultiplyAddEstimate(b0, x, s00);
                    s01 = Vector256.MultiplyAddEstimate(b1, x, s01);
                    x = Vector256.Create(Unsafe.Add(ref aRow, 1));
                    s10 = Vector256.MultiplyAddEstimate(b0, x, s10);
                    s11 = Vector256.MultiplyAddEstimate(b1, x, s11);
                    x = Vector256.Create(Unsafe.Add(ref aRow, 2));
                    s20 = Vector256.MultiplyAddEstimate(b0, x, s20);
                    s21 = Vector256.MultiplyAddEstimate(b1, x, s21);
                    x = Vector256.Create(Unsafe.Add(ref aRow, 3));
                    s30 = Vector256.MultiplyAddEstimate(b0, x, s30);
                    s31 = Vector256.MultiplyAddEstimate(b1, x, s31);
                }

                s00.StoreUnsafe(ref c0, j); s01.StoreUnsafe(ref c0, j + Width);
                s10.StoreUnsafe(ref c1, j); s11.StoreUnsafe(ref c1, j + Width);
                s20.StoreUnsafe(ref c2, j); s21.StoreUnsafe(ref c2, j + Width);
                s30.StoreUnsafe(ref c3, j); s31.StoreUnsafe(ref c3, j + Width);
            }

            for (; column < columns; column += Width)
            {
                nuint j = (nuint)column;
                Vector256<float> e0 = Vector256.LoadUnsafe(ref c0, j), e1 = Vector256.LoadUnsafe(ref c1, j), e2 = Vector256.LoadUnsafe(ref c2, j), e3 = Vector256.LoadUnsafe(ref c3, j);
                Vector256<float> o0 = Vector256<float>.Zero, o1 = Vector256<float>.Zero, o2 = Vector256<float>.Zero, o3 = Vector256<float>.Zero;
                int k = 0;
                for (; k + 1 < rows; k += 2)
                {
                    Vector256<float> be = Vector256.LoadUnsafe(ref bRef, (nuint)(k * columns + column));
                    Vector256<float> bo = Vector256.LoadUnsafe(ref bRef, (nuint)((k + 1) * columns + column));
                    ref float ae = ref Unsafe.Add(ref aRef, k * m + i);
                    ref float ao = ref Unsafe.Add(ref ae, m);
                    e0 = Vector256.MultiplyAddEstimate(be, Vector256.Create(ae), e0);
                    e1 = Vector256.MultiplyAddEstimate(be, Vector256.Create(Unsafe.Add(ref ae, 1)), e1);
                    e2 = Vector256.MultiplyAddEstimate(be, Vector256.Create(Unsafe.Add(ref ae, 2)), e2);
                    e3 = Vector256.MultiplyAddEstimate(be, Vector256.Create(Unsafe.Add(ref ae, 3)), e3);
                    o0 = Vector256.MultiplyAddEstimate(bo, Vector256.Create(ao), o0);
                    o1 = Vector256.MultiplyAddEstimate(bo, Vector256.Create(Unsafe.Add(ref ao, 1)), o1);
                    o2 = Vector256.MultiplyAddEstimate(bo, Vector256.Create(Unsafe.Add(ref ao, 2)), o2);
                    o3 = Vector256.MultiplyAddEstimate(bo, Vector256.Create(Unsafe.Add(ref ao, 3)), o3);
                }

                if (k < rows)
                {
                    Vector256<float> be = Vector256.LoadUnsafe(ref bRef, (nuint)(k * columns + column));
                    ref float ae = ref Unsafe.Add(ref aRef, k * m + i);
                    e0 = Vector256.MultiplyAddEstimate(be, Vector256.Create(ae), e0);
                    e1 = Vector256.MultiplyAddEstimate(be, Vector256.Create(Unsafe.Add(ref ae, 1)), e1);
                    e2 = Vector256.MultiplyAddEstimate(be, Vector256.Create(Unsafe.Add(ref ae, 2)), e2);
                    e3 = Vector256.MultiplyAddEstimate(be, Vector256.Create(Unsafe.Add(ref ae, 3)), e3);
                }

                (e0 + o0).StoreUnsafe(ref c0, j);
                (e1 + o1).StoreUnsafe(ref c1, j);
                (e2 + o2).StoreUnsafe(ref c2, j);
                (e3 + o3).StoreUnsafe(ref c3, j);
            }
        }

        return i;
    }

    /// <summary>
    /// <see cref="AddTransposedProduct"/> four rows of c at a time, for <paramref name="columns"/> a multiple of 16: a
    /// [4, 64] block of c (then [4, 16] blocks for the columns left) stays in registers over every row k, and each vector
    /// of b loaded is multiplied by four values of a's row k. Row by row, every multiply-add loaded its own vector of b,
    /// and the loads were the bound: this halves them (the kernel gradients were a third of the design card model's
    /// training time). Returns the number of rows of c done, a multiple of four; the caller does the rest.
    /// </summary>
    private static int AddTransposedProductFourRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int columns)
    {
        const int Width = 16; // Vector512<float>.Count
        int m = c.Length / columns;
        int rows = b.Length / columns;
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref float c0 = ref Unsafe.Add(ref cRef, i * columns);
            ref float c1 = ref Unsafe.Add(ref c0, columns);
            ref float c2 = ref Unsafe.Add(ref c1, columns);
            ref float c3 = ref Unsafe.Add(ref c2, columns);
            int column = 0;
            for (; column + 4 * Width <= columns; column += 4 * Width)
            {
                nuint j = (nuint)column;
                Vector512<float> s00 = Vector512.LoadUnsafe(ref c0, j), s01 = Vector512.LoadUnsafe(ref c0, j + Width), s02 = Vector512.LoadUnsafe(ref c0, j + 2 * Width), s03 = Vector512.LoadUnsafe(ref c0, j + 3 * Width);
                Vector512<float> s10 = Vector512.LoadUnsafe(ref c1, j), s11 = Vector512.LoadUnsafe(ref c1, j + Width), s12 = Vector512.LoadUnsafe(ref c1, j + 2 * Width), s13 = Vector512.LoadUnsafe(ref c1, j + 3 * Width);
                Vector512<float> s20 = Vector512.LoadUnsafe(ref c2, j), s21 = Vector512.LoadUnsafe(ref c2, j + Width), s22 = Vector512.LoadUnsafe(ref c2, j + 2 * Width), s23 = Vector512.LoadUnsafe(ref c2, j + 3 * Width);
                Vector512<float> s30 = Vector512.LoadUnsafe(ref c3, j), s31 = Vector512.LoadUnsafe(ref c3, j + Width), s32 = Vector512.LoadUnsafe(ref c3, j + 2 * Width), s33 = Vector512.LoadUnsafe(ref c3, j + 3 * Width);
                for (int k = 0; k < rows; k++)
                {
                    ref float bRow = ref Unsafe.Add(ref bRef, k * columns + column);
                    Vector512<float> b0 = Vector512.LoadUnsafe(ref bRow), b1 = Vector512.LoadUnsafe(ref bRow, Width), b2 = Vector512.LoadUnsafe(ref bRow, 2 * Width), b3 = Vector512.LoadUnsafe(ref bRow, 3 * Width);
                    ref float aRow = ref Unsafe.Add(ref aRef, k * m + i);
                    Vector512<float> x = Vector512.Create(aRow);
                    s00 = Vector512.MultiplyAddEstimate(b0, x, s00);
                    s01 = Vector512.MultiplyAddEstimate(b1, x, s01);
                    s02 = Vector512.MultiplyAddEstimate(b2, x, s02);
                    s03 = Vector512.MultiplyAddEstimate(b3, x, s03);
                    x = Vector512.Create(Unsafe.Add(ref aRow, 1));
                    s10 = Vector512.MultiplyAddEstimate(b0, x, s10);
                    s11 = Vector512.MultiplyAddEstimate(b1, x, s11);
                    s12 = Vector512.MultiplyAddEstimate(b2, x, s12);
                    s13 = Vector512.MultiplyAddEstimate(b3, x, s13);
                    x = Vector512.Create(Unsafe.Add(ref aRow, 2));
                    s20 = Vector512.MultiplyAddEstimate(b0, x, s20);
                    s21 = Vector512.MultiplyAddEstimate(b1, x, s21);
                    s22 = Vector512.MultiplyAddEstimate(b2, x, s22);
                    s23 = Vector512.MultiplyAddEstimate(b3, x, s23);
                    x = Vector512.Create(Unsafe.Add(ref aRow, 3));
                    s30 = Vector512.MultiplyAddEstimate(b0, x, s30);
                    s31 = Vector512.MultiplyAddEstimate(b1, x, s31);
                    s32 = Vector512.MultiplyAddEstimate(b2, x, s32);
                    s33 = Vector512.MultiplyAddEstimate(b3, x, s33);
                }

                s00.StoreUnsafe(ref c0, j); s01.StoreUnsafe(ref c0, j + Width); s02.StoreUnsafe(ref c0, j + 2 * Width); s03.StoreUnsafe(ref c0, j + 3 * Width);
                s10.StoreUnsafe(ref c1, j); s11.StoreUnsafe(ref c1, j + Width); s12.StoreUnsafe(ref c1, j + 2 * Width); s13.StoreUnsafe(ref c1, j + 3 * Width);
                s20.StoreUnsafe(ref c2, j); s21.StoreUnsafe(ref c2, j + Width); s22.StoreUnsafe(ref c2, j + 2 * Width); s23.StoreUnsafe(ref c2, j + 3 * Width);
                s30.StoreUnsafe(ref c3, j); s31.StoreUnsafe(ref c3, j + Width); s32.StoreUnsafe(ref c3, j + 2 * Width); s33.StoreUnsafe(ref c3, j + 3 * Width);
            }

            // The columns left, a vector at a time, with rows k split even and odd: eight independent chains.
            for (; column < columns; column += Width)
            {
                nuint j = (nuint)column;
                Vector512<float> e0 = Vector512.LoadUnsafe(ref c0, j), e1 = Vector512.LoadUnsafe(ref c1, j), e2 = Vector512.LoadUnsafe(ref c2, j), e3 = Vector512.LoadUnsafe(ref c3, j);
                Vector512<float> o0 = Vector512<float>.Zero, o1 = Vector512<float>.Zero, o2 = Vector512<float>.Zero, o3 = Vector512<float>.Zero;
                int k = 0;
                for (; k + 1 < rows; k += 2)
                {
                    Vector512<float> be = Vector512.LoadUnsafe(ref bRef, (nuint)(k * columns + column));
                    Vector512<float> bo = Vector512.LoadUnsafe(ref bRef, (nuint)((k + 1) * columns + column));
                    ref float ae = ref Unsafe.Add(ref aRef, k * m + i);
                    ref float ao = ref Unsafe.Add(ref ae, m);
                    e0 = Vector512.MultiplyAddEstimate(be, Vector512.Create(ae), e0);
                    e1 = Vector512.MultiplyAddEstimate(be, Vector512.Create(Unsafe.Add(ref ae, 1)), e1);
                    e2 = Vector512.MultiplyAddEstimate(be, Vector512.Create(Unsafe.Add(ref ae, 2)), e2);
                    e3 = Vector512.MultiplyAddEstimate(be, Vector512.Create(Unsafe.Add(ref ae, 3)), e3);
                    o0 = Vector512.MultiplyAddEstimate(bo, Vector512.Create(ao), o0);
                    o1 = Vector512.MultiplyAddEstimate(bo, Vector512.Create(Unsafe.Add(ref ao, 1)), o1);
                    o2 = Vector512.MultiplyAddEstimate(bo, Vector512.Create(Unsafe.Add(ref ao, 2)), o2);
                    o3 = Vector512.MultiplyAddEstimate(bo, Vector512.Create(Unsafe.Add(ref ao, 3)), o3);
                }

                if (k < rows)
                {
                    Vector512<float> be = Vector512.LoadUnsafe(ref bRef, (nuint)(k * columns + column));
                    ref float ae = ref Unsafe.Add(ref aRef, k * m + i);
                    e0 = Vector512.MultiplyAddEstimate(be, Vector512.Create(ae), e0);
                    e1 = Vector512.MultiplyAddEstimate(be, Vector512.Create(Unsafe.Add(ref ae, 1)), e1);
                    e2 = Vector512.MultiplyAddEstimate(be, Vector512.Create(Unsafe.Add(ref ae, 2)), e2);
                    e3 = Vector512.MultiplyAddEstimate(be, Vector512.Create(Unsafe.Add(ref ae, 3)), e3);
                }

                (e0 + o0).StoreUnsafe(ref c0, j);
                (e1 + o1).StoreUnsafe(ref c1, j);
                (e2 + o2).StoreUnsafe(ref c2, j);
                (e3 + o3).StoreUnsafe(ref c3, j);
            }
        }

        return i;
    }

    /// <summary>Writes the transpose of a <c>[rows, columns]</c> matrix to <paramref name="destination"/> (<c>[columns, rows]</c>).</summary>
    public static void Transpose(ReadOnlySpan<float> matrix, int rows, Span<float> destination)
    {
        int columns = matrix.Length / rows;
        if (matrix.Length != rows * columns || destination.Length != matrix.Length)
        {
            throw new ArgumentException($"Expected a [{rows}, {columns}] matrix and a destination of the same length.", nameof(destination));
        }

        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                destination[c * rows + r] = matrix[r * columns + c];
            }
        }
    }

    /// <summary>
    /// <c>destination[j] += sum over r of x[r * stride] * matrix[r * columns + j]</c>, over <paramref name="rows"/> rows.
    /// The widest vectors take as many columns as they can; <see cref="MultiplyAddRest"/> does the columns left over.
    /// Returns the paths that ran (<see cref="VectorPaths"/>).
    /// </summary>
    /// <remarks>
    /// Kept to one vector loop and a return in the common case (a multiple of the widest vector). Measured with
    /// BenchmarkDotNet's default job, folding the narrower widths into this method made SimpleClassifier's prediction
    /// 6 % slower (15.6 against 14.6 µs); with the rest in a method of its own it is as fast as before the tails were vectorised.
    /// </remarks>
    private static VectorPaths MultiplyAddCore(ref float x, int stride, int rows, ReadOnlySpan<float> matrix, Span<float> destination, int widestBits = 512)
    {
        int columns = destination.Length;
        if (widestBits >= 512 && Vector512.IsHardwareAccelerated && columns >= Vector512<float>.Count)
        {
            int column = MultiplyAddVector512(ref x, stride, rows, matrix, destination);
            return column == columns
                ? VectorPaths.Vector512
                : VectorPaths.Vector512 | MultiplyAddRest(ref x, stride, rows, matrix, destination, column, 256);
        }

        return MultiplyAddRest(ref x, stride, rows, matrix, destination, 0, widestBits);
    }

    /// <summary>The columns from <paramref name="column"/> on, with vectors no wider than <paramref name="widestBits"/>, then scalar code.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static VectorPaths MultiplyAddRest(ref float x, int stride, int rows, ReadOnlySpan<float> matrix, Span<float> destination, int column, int widestBits)
    {
        int columns = destination.Length;
        VectorPaths paths = VectorPaths.None;
        if (widestBits >= 256 && Vector256.IsHardwareAccelerated && columns - column >= Vector256<float>.Count)
        {
            column = MultiplyAddVector256(ref x, stride, rows, matrix, destination, column);
            paths |= VectorPaths.Vector256;
        }

        if (widestBits >= 128 && Vector128.IsHardwareAccelerated && columns - column >= Vector128<float>.Count)
        {
            column = MultiplyAddVector128(ref x, stride, rows, matrix, destination, column);
            paths |= VectorPaths.Vector128;
        }

        // The columns left over after the narrowest whole vector.
        if (column < columns)
        {
            paths |= VectorPaths.Scalar;
        }

        for (; column < columns; column++)
        {
            float sum = destination[column];
            for (int row = 0; row < rows; row++)
            {
                sum += Unsafe.Add(ref x, row * stride) * matrix[row * columns + column];
            }

            destination[column] = sum;
        }

        return paths;
    }

    /// <summary>
    /// Effectively computes <c>destination[i] += sum over j of matrix[i * columns + j] * y[j]</c>, where
    /// <c>columns = y.Length</c> and <c>rows = destination.Length</c>: the matrix times a column vector,
    /// which is how a gradient flows back through <see cref="MultiplyAdd"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="matrix"/> is not <c>rows * columns</c> long.</exception>
    public static void MultiplyAddTransposed(ReadOnlySpan<float> matrix, ReadOnlySpan<float> y, Span<float> destination)
    {
        int columns = y.Length;
        int rows = destination.Length;
        if (matrix.Length != rows * columns)
        {
            throw new ArgumentException(
                $"The matrix has {matrix.Length} values; a [{rows}, {columns}] matrix has {rows * columns}.", nameof(matrix));
        }

        for (int row = 0; row < rows; row++)
        {
            destination[row] += TensorPrimitives.Dot(matrix.Slice(row * columns, columns), y);
        }
    }

    /// <summary>
    /// Columns from 0 in whole 512-bit vectors (the widest always starts the row: starting from a constant keeps this
    /// loop as tight as the JIT makes it); returns the first column not done.
    /// </summary>
    private static int MultiplyAddVector512(ref float x, int stride, int rows, ReadOnlySpan<float> matrix, Span<float> destination)
    {
        int columns = destination.Length;
        int width = Vector512<float>.Count;
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int column = 0;

        // Four vectors of columns at a time. Even and odd rows feed separate accumulators: eight
        // independent multiply-add chains hide their latency, and all eight stay in registers for every row.
        for (; column <= columns - 4 * width; column += 4 * width)
        {
            Vector512<float> even0 = Vector512.LoadUnsafe(ref d, (nuint)column);
            Vector512<float> even1 = Vector512.LoadUnsafe(ref d, (nuint)(column + width));
            Vector512<float> even2 = Vector512.LoadUnsafe(ref d, (nuint)(column + 2 * width));
            Vector512<float> even3 = Vector512.LoadUnsafe(ref d, (nuint)(column + 3 * width));
            Vector512<float> odd0 = Vector512<float>.Zero, odd1 = Vector512<float>.Zero, odd2 = Vector512<float>.Zero, odd3 = Vector512<float>.Zero;
            int row = 0;
            for (; row + 1 < rows; row += 2)
            {
                Vector512<float> xe = Vector512.Create(Unsafe.Add(ref x, row * stride));
                Vector512<float> xo = Vector512.Create(Unsafe.Add(ref x, (row + 1) * stride));
                nuint e = (nuint)(row * columns + column);
                nuint o = e + (nuint)columns;
                even0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e), xe, even0);
                even1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e + (nuint)width), xe, even1);
                even2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e + (nuint)(2 * width)), xe, even2);
                even3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e + (nuint)(3 * width)), xe, even3);
                odd0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, o), xo, odd0);
                odd1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, o + (nuint)width), xo, odd1);
                odd2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, o + (nuint)(2 * width)), xo, odd2);
                odd3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, o + (nuint)(3 * width)), xo, odd3);
            }

            if (row < rows)
            {
                Vector512<float> xe = Vector512.Create(Unsafe.Add(ref x, row * stride));
                nuint e = (nuint)(row * columns + column);
                even0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e), xe, even0);
                even1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e + (nuint)width), xe, even1);
                even2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e + (nuint)(2 * width)), xe, even2);
                even3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e + (nuint)(3 * width)), xe, even3);
            }

            (even0 + odd0).StoreUnsafe(ref d, (nuint)column);
            (even1 + odd1).StoreUnsafe(ref d, (nuint)(column + width));
            (even2 + odd2).StoreUnsafe(ref d, (nuint)(column + 2 * width));
            (even3 + odd3).StoreUnsafe(ref d, (nuint)(column + 3 * width));
        }

        // Then one vector of columns at a time, with rows split four ways for the same reason.
        for (; column <= columns - width; column += width)
        {
            Vector512<float> sum0 = Vector512.LoadUnsafe(ref d, (nuint)column);
            Vector512<float> sum1 = Vector512<float>.Zero, sum2 = Vector512<float>.Zero, sum3 = Vector512<float>.Zero;
            int row = 0;
            for (; row + 3 < rows; row += 4)
            {
                nuint at = (nuint)(row * columns + column);
                sum0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, at), Vector512.Create(Unsafe.Add(ref x, row * stride)), sum0);
                sum1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, at + (nuint)columns), Vector512.Create(Unsafe.Add(ref x, (row + 1) * stride)), sum1);
                sum2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, at + (nuint)(2 * columns)), Vector512.Create(Unsafe.Add(ref x, (row + 2) * stride)), sum2);
                sum3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, at + (nuint)(3 * columns)), Vector512.Create(Unsafe.Add(ref x, (row + 3) * stride)), sum3);
            }

            for (; row < rows; row++)
            {
                sum0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, (nuint)(row * columns + column)), Vector512.Create(Unsafe.Add(ref x, row * stride)), sum0);
            }

            ((sum0 + sum1) + (sum2 + sum3)).StoreUnsafe(ref d, (nuint)column);
        }

        return column;
    }

    /// <summary>Columns from <paramref name="start"/> in whole 256-bit vectors; returns the first column not done.</summary>
    private static int MultiplyAddVector256(ref float x, int stride, int rows, ReadOnlySpan<float> matrix, Span<float> destination, int start)
    {
        int columns = destination.Length;
        int width = Vector256<float>.Count;
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int column = start;

        // Four vectors of columns at a time. Even and odd rows feed separate accumulators: eight
        // independent multiply-add chains hide their latency, and all eight stay in registers for every row.
        for (; column <= columns - 4 * width; column += 4 * width)
        {
            Vector256<float> even0 = Vector256.LoadUnsafe(ref d, (nuint)column);
            Vector256<float> even1 = Vector256.LoadUnsafe(ref d, (nuint)(column + width));
            Vector256<float> even2 = Vector256.LoadUnsafe(ref d, (nuint)(column + 2 * width));
            Vector256<float> even3 = Vector256.LoadUnsafe(ref d, (nuint)(column + 3 * width));
            Vector256<float> odd0 = Vector256<float>.Zero, odd1 = Vector256<float>.Zero, odd2 = Vector256<float>.Zero, odd3 = Vector256<float>.Zero;
            int row = 0;
            for (; row + 1 < rows; row += 2)
            {
                Vector256<float> xe = Vector256.Create(Unsafe.Add(ref x, row * stride));
                Vector256<float> xo = Vector256.Create(Unsafe.Add(ref x, (row + 1) * stride));
                nuint e = (nuint)(row * columns + column);
                nuint o = e + (nuint)columns;
                even0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, e), xe, even0);
                even1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, e + (nuint)width), xe, even1);
                even2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, e + (nuint)(2 * width)), xe, even2);
                even3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, e + (nuint)(3 * width)), xe, even3);
                odd0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, o), xo, odd0);
                odd1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, o + (nuint)width), xo, odd1);
                odd2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, o + (nuint)(2 * width)), xo, odd2);
                odd3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, o + (nuint)(3 * width)), xo, odd3);
            }

            if (row < rows)
            {
                Vector256<float> xe = Vector256.Create(Unsafe.Add(ref x, row * stride));
                nuint e = (nuint)(row * columns + column);
                even0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, e), xe, even0);
                even1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, e + (nuint)width), xe, even1);
                even2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, e + (nuint)(2 * width)), xe, even2);
                even3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, e + (nuint)(3 * width)), xe, even3);
            }

            (even0 + odd0).StoreUnsafe(ref d, (nuint)column);
            (even1 + odd1).StoreUnsafe(ref d, (nuint)(column + width));
            (even2 + odd2).StoreUnsafe(ref d, (nuint)(column + 2 * width));
            (even3 + odd3).StoreUnsafe(ref d, (nuint)(column + 3 * width));
        }

        // Then one vector of columns at a time, with rows split four ways for the same reason.
        for (; column <= columns - width; column += width)
        {
            Vector256<float> sum0 = Vector256.LoadUnsafe(ref d, (nuint)column);
            Vector256<float> sum1 = Vector256<float>.Zero, sum2 = Vector256<float>.Zero, sum3 = Vector256<float>.Zero;
            int row = 0;
            for (; row + 3 < rows; row += 4)
            {
                nuint at = (nuint)(row * columns + column);
                sum0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, at), Vector256.Create(Unsafe.Add(ref x, row * stride)), sum0);
                sum1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, at + (nuint)columns), Vector256.Create(Unsafe.Add(ref x, (row + 1) * stride)), sum1);
                sum2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, at + (nuint)(2 * columns)), Vector256.Create(Unsafe.Add(ref x, (row + 2) * stride)), sum2);
                sum3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, at + (nuint)(3 * columns)), Vector256.Create(Unsafe.Add(ref x, (row + 3) * stride)), sum3);
            }

            for (; row < rows; row++)
            {
                sum0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref m, (nuint)(row * columns + column)), Vector256.Create(Unsafe.Add(ref x, row * stride)), sum0);
            }

            ((sum0 + sum1) + (sum2 + sum3)).StoreUnsafe(ref d, (nuint)column);
        }

        return column;
    }

    /// <summary>Columns from <paramref name="start"/> in whole 128-bit vectors; returns the first column not done.</summary>
    private static int MultiplyAddVector128(ref float x, int stride, int rows, ReadOnlySpan<float> matrix, Span<float> destination, int start)
    {
        int columns = destination.Length;
        int width = Vector128<float>.Count;
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int column = start;

        // Four vectors of columns at a time. Even and odd rows feed separate accumulators: eight
        // independent multiply-add chains hide their latency, and all eight stay in registers for every row.
        for (; column <= columns - 4 * width; column += 4 * width)
        {
            Vector128<float> even0 = Vector128.LoadUnsafe(ref d, (nuint)column);
            Vector128<float> even1 = Vector128.LoadUnsafe(ref d, (nuint)(column + width));
            Vector128<float> even2 = Vector128.LoadUnsafe(ref d, (nuint)(column + 2 * width));
            Vector128<float> even3 = Vector128.LoadUnsafe(ref d, (nuint)(column + 3 * width));
            Vector128<float> odd0 = Vector128<float>.Zero, odd1 = Vector128<float>.Zero, odd2 = Vector128<float>.Zero, odd3 = Vector128<float>.Zero;
            int row = 0;
            for (; row + 1 < rows; row += 2)
            {
                Vector128<float> xe = Vector128.Create(Unsafe.Add(ref x, row * stride));
                Vector128<float> xo = Vector128.Create(Unsafe.Add(ref x, (row + 1) * stride));
                nuint e = (nuint)(row * columns + column);
                nuint o = e + (nuint)columns;
                even0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, e), xe, even0);
                even1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, e + (nuint)width), xe, even1);
                even2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, e + (nuint)(2 * width)), xe, even2);
                even3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, e + (nuint)(3 * width)), xe, even3);
                odd0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, o), xo, odd0);
                odd1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, o + (nuint)width), xo, odd1);
                odd2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, o + (nuint)(2 * width)), xo, odd2);
                odd3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, o + (nuint)(3 * width)), xo, odd3);
            }

            if (row < rows)
            {
                Vector128<float> xe = Vector128.Create(Unsafe.Add(ref x, row * stride));
                nuint e = (nuint)(row * columns + column);
                even0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, e), xe, even0);
                even1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, e + (nuint)width), xe, even1);
                even2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, e + (nuint)(2 * width)), xe, even2);
                even3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, e + (nuint)(3 * width)), xe, even3);
            }

            (even0 + odd0).StoreUnsafe(ref d, (nuint)column);
            (even1 + odd1).StoreUnsafe(ref d, (nuint)(column + width));
            (even2 + odd2).StoreUnsafe(ref d, (nuint)(column + 2 * width));
            (even3 + odd3).StoreUnsafe(ref d, (nuint)(column + 3 * width));
        }

        // Then one vector of columns at a time, with rows split four ways for the same reason.
        for (; column <= columns - width; column += width)
        {
            Vector128<float> sum0 = Vector128.LoadUnsafe(ref d, (nuint)column);
            Vector128<float> sum1 = Vector128<float>.Zero, sum2 = Vector128<float>.Zero, sum3 = Vector128<float>.Zero;
            int row = 0;
            for (; row + 3 < rows; row += 4)
            {
                nuint at = (nuint)(row * columns + column);
                sum0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, at), Vector128.Create(Unsafe.Add(ref x, row * stride)), sum0);
                sum1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, at + (nuint)columns), Vector128.Create(Unsafe.Add(ref x, (row + 1) * stride)), sum1);
                sum2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, at + (nuint)(2 * columns)), Vector128.Create(Unsafe.Add(ref x, (row + 2) * stride)), sum2);
                sum3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, at + (nuint)(3 * columns)), Vector128.Create(Unsafe.Add(ref x, (row + 3) * stride)), sum3);
            }

            for (; row < rows; row++)
            {
                sum0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref m, (nuint)(row * columns + column)), Vector128.Create(Unsafe.Add(ref x, row * stride)), sum0);
            }

            ((sum0 + sum1) + (sum2 + sum3)).StoreUnsafe(ref d, (nuint)column);
        }

        return column;
    }
}

/// <summary>The code paths a <see cref="LinearAlgebra"/> kernel call ran, by vector width.</summary>
[Flags]
internal enum VectorPaths
{
    /// <summary>No columns.</summary>
    None = 0,

    /// <summary>Scalar code, for the columns left after the narrowest whole vector.</summary>
    Scalar = 1,

    /// <summary>128-bit vectors (SSE, AdvSimd).</summary>
    Vector128 = 2,

    /// <summary>256-bit vectors (AVX2).</summary>
    Vector256 = 4,

    /// <summary>512-bit vectors (AVX-512).</summary>
    Vector512 = 8,
}
