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
    /// stored once however many rows there are. A single column is a dot product.
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

        int column = 0;
        if (Vector512.IsHardwareAccelerated && columns >= Vector512<float>.Count)
        {
            column = MultiplyAddVector512(x, matrix, destination);
        }
        else if (Vector256.IsHardwareAccelerated && columns >= Vector256<float>.Count)
        {
            column = MultiplyAddVector256(x, matrix, destination);
        }
        else if (Vector128.IsHardwareAccelerated && columns >= Vector128<float>.Count)
        {
            column = MultiplyAddVector128(x, matrix, destination);
        }

        // The columns left over after the last whole vector.
        for (; column < columns; column++)
        {
            float sum = destination[column];
            for (int row = 0; row < rows; row++)
            {
                sum += x[row] * matrix[row * columns + column];
            }

            destination[column] = sum;
        }
    }

    private static int MultiplyAddVector512(ReadOnlySpan<float> x, ReadOnlySpan<float> matrix, Span<float> destination)
    {
        int rows = x.Length;
        int columns = destination.Length;
        int width = Vector512<float>.Count;
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int column = 0;

        // Four vectors of columns at a time, accumulated over every row in registers.
        for (; column <= columns - 4 * width; column += 4 * width)
        {
            Vector512<float> sum0 = Vector512.LoadUnsafe(ref d, (nuint)column);
            Vector512<float> sum1 = Vector512.LoadUnsafe(ref d, (nuint)(column + width));
            Vector512<float> sum2 = Vector512.LoadUnsafe(ref d, (nuint)(column + 2 * width));
            Vector512<float> sum3 = Vector512.LoadUnsafe(ref d, (nuint)(column + 3 * width));
            for (int row = 0; row < rows; row++)
            {
                Vector512<float> xi = Vector512.Create(x[row]);
                nuint start = (nuint)(row * columns + column);
                sum0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, start), xi, sum0);
                sum1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, start + (nuint)width), xi, sum1);
                sum2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, start + (nuint)(2 * width)), xi, sum2);
                sum3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, start + (nuint)(3 * width)), xi, sum3);
            }

            sum0.StoreUnsafe(ref d, (nuint)column);
            sum1.StoreUnsafe(ref d, (nuint)(column + width));
            sum2.StoreUnsafe(ref d, (nuint)(column + 2 * width));
            sum3.StoreUnsafe(ref d, (nuint)(column + 3 * width));
        }

        // Then one vector at a time.
        for (; column <= columns - width; column += width)
        {
            Vector512<float> sum = Vector512.LoadUnsafe(ref d, (nuint)column);
            for (int row = 0; row < rows; row++)
            {
                sum = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, (nuint)(row * columns + column)), Vector512.Create(x[row]), sum);
            }

            sum.StoreUnsafe(ref d, (nuint)column);
        }

        return column;
    }

    private static int MultiplyAddVector256(ReadOnlySpan<float> x, ReadOnlySpan<float> matrix, Span<float> destination)
    {
        int rows = x.Length;
        int columns = destination.Length;
        int width = Vector256<float>.Count;
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int column = 0;

        for (; column <= columns - 4 * width; column += 4 * width)
        {
            Vector256<float> sum0 = Vector256.LoadUnsafe(ref d, (nuint)column);
            Vector256<float> sum1 = Vector256.LoadUnsafe(ref d, (nuint)(column + width));
            Vector256<float> sum2 = Vector256.LoadUnsafe(ref d, (nuint)(column + 2 * width));
            Vector256<float> sum3 = Vector256.LoadUnsafe(ref d, (nuint)(column + 3 * width));
            for (int row = 0; row < rows; row++)
            {
                Vector256<float> xi = Vector256.Create(x[row]);
                nuint start = (nuint)(row * columns + column);
                sum0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, start), xi, sum0);
                sum1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, start + (nuint)width), xi, sum1);
                sum2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, start + (nuint)(2 * width)), xi, sum2);
                sum3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, start + (nuint)(3 * width)), xi, sum3);
            }

            sum0.StoreUnsafe(ref d, (nuint)column);
            sum1.StoreUnsafe(ref d, (nuint)(column + width));
            sum2.StoreUnsafe(ref d, (nuint)(column + 2 * width));
            sum3.StoreUnsafe(ref d, (nuint)(column + 3 * width));
        }

        for (; column <= columns - width; column += width)
        {
            Vector256<float> sum = Vector256.LoadUnsafe(ref d, (nuint)column);
            for (int row = 0; row < rows; row++)
            {
                sum = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, (nuint)(row * columns + column)), Vector256.Create(x[row]), sum);
            }

            sum.StoreUnsafe(ref d, (nuint)column);
        }

        return column;
    }

    private static int MultiplyAddVector128(ReadOnlySpan<float> x, ReadOnlySpan<float> matrix, Span<float> destination)
    {
        int rows = x.Length;
        int columns = destination.Length;
        int width = Vector128<float>.Count;
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int column = 0;
        for (; column <= columns - width; column += width)
        {
            Vector128<float> sum = Vector128.LoadUnsafe(ref d, (nuint)column);
            for (int row = 0; row < rows; row++)
            {
                sum = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref m, (nuint)(row * columns + column)), Vector128.Create(x[row]), sum);
            }

            sum.StoreUnsafe(ref d, (nuint)column);
        }

        return column;
    }
}
