using System;
using System.Linq;
using RnnDsl.Kernels;
using Xunit;

namespace RnnDsl.Tests;

public class KernelTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 20)]
    [InlineData(5, 64)]
    [InlineData(7, 65)]
    [InlineData(128, 512)]
    [InlineData(33, 99)]
    [InlineData(4, 200)]
    [InlineData(6, 32)]
    [InlineData(33, 96)]
    public void Packed_panels_give_the_same_product_as_the_row_major_matrix(int rows, int columns)
    {
        float[] matrix = TestData.Reals(rows * columns, rows + columns);
        float[] x = TestData.Reals(rows, 3 * rows);
        float[] start = TestData.Reals(columns, 5 * columns);
        var packed = new float[matrix.Length];
        LinearAlgebra.PackPanels(matrix, rows, packed);

        // Each panel is a contiguous row-major [rows, width] block of the matrix's columns.
        int panel = Math.Min(LinearAlgebra.PanelWidth, columns);
        Assert.Equal(matrix.AsSpan(0, panel).ToArray(), packed.AsSpan(0, panel).ToArray());
        if (rows > 1)
        {
            Assert.Equal(matrix[columns], packed[panel]);
        }

        float[] expected = (float[])start.Clone();
        LinearAlgebra.MultiplyAdd(x, matrix, expected);
        float[] actual = (float[])start.Clone();
        LinearAlgebra.MultiplyAddPanels(x, packed, actual);
        int whole = columns / LinearAlgebra.PanelWidth * LinearAlgebra.PanelWidth;
        for (int j = 0; j < columns; j++)
        {
            // Whole panels run the same vector code on the same values: the same bits. A narrower last panel may take
            // another path than the same columns did inside the wide matrix (one column is a dot product): rounding only.
            Assert.True(j < whole ? expected[j] == actual[j] : Math.Abs(expected[j] - actual[j]) <= 1e-6f * (1 + Math.Abs(expected[j])), $"column {j}: {expected[j]:R} vs {actual[j]:R}");
        }

        // Every row of a sequence at once, panel by panel (four rows per panel load where 512-bit vectors run).
        foreach (int count in new[] { 1, 4, 7, 9 })
        {
            float[] many = TestData.Reals(count * rows, 7 * count);
            float[] each = TestData.Reals(count * columns, 11 * count);
            float[] together = (float[])each.Clone();
            for (int r = 0; r < count; r++)
            {
                LinearAlgebra.MultiplyAdd(many.AsSpan(r * rows, rows), matrix, each.AsSpan(r * columns, columns));
            }

            LinearAlgebra.MultiplyAddRowsPanels(many, rows, packed, together);
            for (int i = 0; i < each.Length; i++)
            {
                Assert.True(Math.Abs(each[i] - together[i]) <= 1e-5f * (1 + Math.Abs(each[i])), $"rows {count}, value {i}: {each[i]:R} one row at a time, {together[i]:R} together");
            }
        }

        // Rows that lie apart, as step t of each sequence of a batch does: a double-precision sum per value, and
        // nothing written between the rows.
        foreach (int count in new[] { 1, 3, 4, 9 })
        {
            int rowStride = rows + 5;
            int destinationStride = columns + 3;
            float[] apart = TestData.Reals((count - 1) * rowStride + rows, 13 * count);
            float[] destination = TestData.Reals((count - 1) * destinationStride + columns, 17 * count);
            float[] before = (float[])destination.Clone();
            LinearAlgebra.MultiplyAddStridedRowsPanels(apart, rowStride, rows, count, packed, destination, destinationStride);
            float[] avx2 = (float[])before.Clone(); // the 256-bit four-row path AVX2 machines take, reached here on any machine
            LinearAlgebra.MultiplyAddStridedRowsPanelsNoWiderThan(apart, rowStride, rows, count, packed, avx2, destinationStride, 256);
            for (int i = 0; i < destination.Length; i++)
            {
                Assert.True(Math.Abs(destination[i] - avx2[i]) <= 1e-5f * (1 + Math.Abs(destination[i])), $"rows {count} apart, value {i}: {destination[i]:R}, 256-bit {avx2[i]:R}");
            }

            for (int i = 0; i < destination.Length; i++)
            {
                int r = i / destinationStride;
                int j = i % destinationStride;
                if (j >= columns)
                {
                    Assert.Equal(before[i], destination[i]);
                    continue;
                }

                double sum = before[i];
                for (int k = 0; k < rows; k++)
                {
                    sum += (double)apart[(r * rowStride) + k] * matrix[(k * columns) + j];
                }

                Assert.True(Math.Abs(sum - destination[i]) <= 1e-5 * (1 + Math.Abs(sum)), $"rows {count} apart, row {r}, column {j}: {destination[i]:R}, exactly {sum:R}");
            }
        }

        Assert.Throws<ArgumentException>(() => LinearAlgebra.PackPanels(matrix, rows, new float[matrix.Length + 1]));
        Assert.Throws<ArgumentException>(() => LinearAlgebra.MultiplyAddPanels(x, packed, new float[columns + 1]));
        var tooShort = Assert.Throws<ArgumentException>(() => LinearAlgebra.MultiplyAddStridedRowsPanels(new float[rows + rows], rows + 1, rows, 2, packed, new float[2 * columns], columns));
        Assert.Equal("rowStride", tooShort.ParamName);
    }

    [VectorWidthFact(512)]
    public void MultiplyAdd_512_bit_path_is_right_for_every_width_past_the_widest_vector() => CheckEveryColumnCount(512);

    [VectorWidthFact(256)]
    public void MultiplyAdd_256_bit_path_is_right_for_every_width_past_the_widest_vector() => CheckEveryColumnCount(256);

    [VectorWidthFact(128)]
    public void MultiplyAdd_128_bit_path_is_right_for_every_width_past_the_widest_vector() => CheckEveryColumnCount(128);

    [Fact]
    public void MultiplyAdd_scalar_path_is_right_for_every_width() => CheckEveryColumnCount(0);

    /// <summary>
    /// Every column count from 1 to 4 * 16 + 16 + 3 covers the 4-vector blocks, single vectors and the tail at each
    /// vector width; a few row counts cover short and long sums, odd and even. Each call must also have run the paths
    /// it claims: the widest allowed vector for as many columns as it takes, each narrower one for what is left, and
    /// scalar code only for the last three or fewer columns.
    /// </summary>
    private static void CheckEveryColumnCount(int widestBits)
    {
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

                VectorPaths paths = LinearAlgebra.MultiplyAddNoWiderThan(x, matrix, destination, widestBits);
                Assert.Equal(ExpectedPaths(columns, widestBits), paths);
                for (int j = 0; j < columns; j++)
                {
                    // Sums of `rows` products of values in [-1, 1]: error grows with sqrt(rows) ulps.
                    Assert.True(Math.Abs(destination[j] - expected[j]) <= 1e-6 * (rows + 1),
                        $"{widestBits}-bit vectors, rows {rows}, columns {columns}, column {j}: {destination[j]} vs {expected[j]}");
                }
            }
        }
    }

    private static VectorPaths ExpectedPaths(int columns, int widestBits)
    {
        var paths = VectorPaths.None;
        int done = 0;
        foreach (var (bits, path) in new[] { (512, VectorPaths.Vector512), (256, VectorPaths.Vector256), (128, VectorPaths.Vector128) })
        {
            int count = bits / 32;
            if (bits <= widestBits && VectorWidth.IsAccelerated(bits) && columns - done >= count)
            {
                done += (columns - done) / count * count;
                paths |= path;
            }
        }

        Assert.True(columns - done < 4 || widestBits == 0 || !VectorWidth.IsAccelerated(128));
        return done < columns ? paths | VectorPaths.Scalar : paths;
    }

    [Fact]
    public void AddTransposedProduct_adds_a_transposed_times_b_at_every_width()
    {
        // Widths 16, 64, 80 … reach the four-row blocks (a multiple of 16 columns); m = 4, 8 and 17 fill them, 17 with a row left over.
        int[] widths = [.. Enumerable.Range(0, 24).Select(k => 1 + 3 * k), 8, 24, 32, 48, 80, 128];
        foreach (int rows in new[] { 0, 1, 5, 33 })
        {
            foreach (int m in new[] { 1, 3, 4, 8, 17 })
            {
                foreach (int n in widths)
                {
                    float[] a = TestData.Reals(rows * m, seed: m + n);
                    float[] b = TestData.Reals(rows * n, seed: rows + n);
                    float[] c = TestData.Reals(m * n, seed: rows + m);
                    var expected = new double[m * n];
                    for (int i = 0; i < m; i++)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            expected[i * n + j] = c[i * n + j];
                            for (int k = 0; k < rows; k++)
                            {
                                expected[i * n + j] += (double)a[k * m + i] * b[k * n + j];
                            }
                        }
                    }

                    // Every width the machine has: 512-bit blocks, the 256-bit blocks AVX2 machines take, narrower rows, scalar.
                    foreach (int widestBits in new[] { 512, 256, 128, 0 })
                    {
                        float[] actual = (float[])c.Clone();
                        LinearAlgebra.AddTransposedProductNoWiderThan(a, b, actual, n, widestBits);
                        for (int i = 0; i < c.Length; i++)
                        {
                            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 * (rows + 1), $"{widestBits} bits: rows {rows}, m {m}, n {n}, element {i}");
                        }
                    }

                    LinearAlgebra.AddTransposedProduct(a, b, c, n);
                    for (int i = 0; i < c.Length; i++)
                    {
                        Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-6 * (rows + 1), $"rows {rows}, m {m}, n {n}, element {i}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Activation_derivatives_give_the_scalar_formula_bit_for_bit_at_every_length()
    {
        // Vector lanes and the scalar tail must round alike, so each value's result is the formula's whatever its place.
        for (int n = 0; n <= 70; n++)
        {
            float[] output = TestData.Reals(n, seed: n + 1);
            if (n > 3)
            {
                output[1] = 0f;
                output[2] = float.NaN;
            }

            float[] gradient = TestData.Reals(n, seed: 100 + n);
            float[] tanh = (float[])gradient.Clone();
            float[] sigmoid = (float[])gradient.Clone();
            float[] relu = (float[])gradient.Clone();
            Activations.TanhBackward(output, tanh);
            Activations.SigmoidBackward(output, sigmoid);
            Activations.ReluBackward(output, relu);
            for (int i = 0; i < n; i++)
            {
                float y = output[i];
                Assert.Equal(BitConverter.SingleToInt32Bits(gradient[i] * (1f - y * y)), BitConverter.SingleToInt32Bits(tanh[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(gradient[i] * (y * (1f - y))), BitConverter.SingleToInt32Bits(sigmoid[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(y <= 0f ? 0f : gradient[i]), BitConverter.SingleToInt32Bits(relu[i]));
            }
        }

        // A longer output is fine (only the gradient's length is read); a shorter one is an error that names it.
        Activations.TanhBackward(new float[5], new float[4]);
        var error = Assert.Throws<ArgumentException>(() => Activations.SigmoidBackward(new float[3], new float[4]));
        Assert.Equal("output", error.ParamName);
    }

    [Fact]
    public void Transpose_swaps_rows_and_columns()
    {
        float[] matrix = [1, 2, 3, 4, 5, 6]; // [2, 3]
        var transposed = new float[6];
        LinearAlgebra.Transpose(matrix, 2, transposed);
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, transposed);
    }

    [Fact]
    public void MultiplyAdd_rejects_a_matrix_of_the_wrong_size()
    {
        var error = Assert.Throws<ArgumentException>(() => LinearAlgebra.MultiplyAdd(new float[3], new float[10], new float[4]));
        Assert.Equal("matrix", error.ParamName);
        Assert.Contains("[3, 4]", error.Message);
    }

    [Fact]
    public void Softmax_subtracts_the_maximum_so_large_logits_do_not_overflow()
    {
        float[] values = [1000f, 1001f, 999f];
        Activations.Softmax(values);
        double e0 = Math.Exp(-1), e2 = Math.Exp(-2), sum = e0 + 1 + e2;
        Assert.Equal(e0 / sum, values[0], 6);
        Assert.Equal(1 / sum, values[1], 6);
        Assert.Equal(e2 / sum, values[2], 6);
    }

    [Fact]
    public void Activations_match_their_definitions()
    {
        float[] x = [-2f, -0.5f, 0f, 0.5f, 3f];
        float[] relu = (float[])x.Clone();
        float[] sigmoid = (float[])x.Clone();
        float[] tanh = (float[])x.Clone();
        Activations.Relu(relu);
        Activations.Sigmoid(sigmoid);
        Activations.Tanh(tanh);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(Math.Max(x[i], 0), relu[i]);
            Assert.Equal(1 / (1 + Math.Exp(-x[i])), sigmoid[i], 6);
            Assert.Equal(Math.Tanh(x[i]), tanh[i], 6);
        }
    }

    [Fact]
    public void Orthogonal_handles_tall_and_wide_matrices()
    {
        foreach (var (rows, columns) in new[] { (5, 3), (3, 5), (4, 4) })
        {
            var q = new float[rows * columns];
            Initializers.Orthogonal(q, rows, columns, new SeededRandom(1));
            // The shorter side's vectors are orthonormal: columns of a tall matrix, rows of a wide one.
            int count = Math.Min(rows, columns);
            for (int a = 0; a < count; a++)
            {
                for (int b = 0; b < count; b++)
                {
                    double dot = 0;
                    for (int k = 0; k < Math.Max(rows, columns); k++)
                    {
                        dot += rows >= columns ? (double)q[k * columns + a] * q[k * columns + b] : (double)q[a * columns + k] * q[b * columns + k];
                    }

                    Assert.Equal(a == b ? 1.0 : 0.0, dot, 5);
                }
            }
        }
    }

    [Fact]
    public void SeededRandom_normal_samples_have_unit_variance()
    {
        var random = new SeededRandom(3);
        double sum = 0, squares = 0;
        const int N = 200_000;
        for (int i = 0; i < N; i++)
        {
            double v = random.NextNormal();
            sum += v;
            squares += v * v;
        }

        Assert.InRange(sum / N, -0.01, 0.01);
        Assert.InRange(squares / N, 0.98, 1.02);
    }
}
