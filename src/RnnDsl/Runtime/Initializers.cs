using System;

namespace RnnDsl;

/// <summary>The Keras default weight initialisers, over spans of the flat parameter buffer.</summary>
public static class Initializers
{
    /// <summary>Keras <c>RandomUniform(minval, maxval)</c>: the embeddings default is (-0.05, 0.05).</summary>
    public static void Uniform(Span<float> values, float min, float max, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(min + (max - min) * random.NextDouble());
        }
    }

    /// <summary>
    /// Keras <c>GlorotUniform</c> for a <c>[fanIn, fanOut]</c> kernel: uniform in <c>±sqrt(6 / (fanIn + fanOut))</c>.
    /// </summary>
    public static void GlorotUniform(Span<float> kernel, int fanIn, int fanOut, SeededRandom random)
    {
        CheckShape(kernel, fanIn, fanOut);
        float limit = (float)Math.Sqrt(6.0 / (fanIn + fanOut));
        Uniform(kernel, -limit, limit, random);
    }

    /// <summary>
    /// Keras <c>Orthogonal</c> for a <c>[rows, columns]</c> matrix: the Q factor of a matrix of standard
    /// normal samples, with the signs that make R's diagonal positive. For a square recurrent kernel the
    /// result satisfies <c>Q Qᵀ = I</c>. Computed by modified Gram-Schmidt in double precision.
    /// </summary>
    public static void Orthogonal(Span<float> matrix, int rows, int columns, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckShape(matrix, rows, columns);

        // Orthonormalise the `count` vectors of length `length` (Keras: the longer side is the length).
        int length = Math.Max(rows, columns);
        int count = Math.Min(rows, columns);
        double[] vectors = new double[count * length];
        for (int i = 0; i < vectors.Length; i++)
        {
            vectors[i] = random.NextNormal();
        }

        for (int k = 0; k < count; k++)
        {
            Span<double> v = vectors.AsSpan(k * length, length);
            for (int j = 0; j < k; j++)
            {
                ReadOnlySpan<double> q = vectors.AsSpan(j * length, length);
                double projection = 0;
                for (int i = 0; i < length; i++)
                {
                    projection += q[i] * v[i];
                }

                for (int i = 0; i < length; i++)
                {
                    v[i] -= projection * q[i];
                }
            }

            double norm = 0;
            for (int i = 0; i < length; i++)
            {
                norm += v[i] * v[i];
            }

            norm = Math.Sqrt(norm);
            for (int i = 0; i < length; i++)
            {
                v[i] /= norm;
            }
        }

        // Vector k becomes column k of a tall matrix, or row k of a wide one.
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                matrix[r * columns + c] = rows >= columns
                    ? (float)vectors[c * length + r]
                    : (float)vectors[r * length + c];
            }
        }
    }

    private static void CheckShape(Span<float> values, int rows, int columns)
    {
        if (rows <= 0 || columns <= 0 || values.Length != rows * columns)
        {
            throw new ArgumentException($"Expected a [{rows}, {columns}] block of {rows * columns} values; got {values.Length}.", nameof(values));
        }
    }
}
