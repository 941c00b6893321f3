using System;
using System.Buffers.Binary;
using System.IO;

namespace RnnDsl;

/// <summary>Reads stored numbers of the float types weight files use and converts them to float32.</summary>
internal static class TensorBytes
{
    public enum Kind
    {
        Float32,
        Float64,
        Float16,
        BFloat16,
        Float32BigEndian,
        Float64BigEndian,
    }

    public static int Size(Kind kind) => kind switch
    {
        Kind.Float32 or Kind.Float32BigEndian => 4,
        Kind.Float64 or Kind.Float64BigEndian => 8,
        _ => 2,
    };

    /// <summary>Fills <paramref name="values"/> from <paramref name="stream"/>, converting each number.</summary>
    public static void Read(Stream stream, Kind kind, Span<float> values, string source, string name)
    {
        if (kind == Kind.Float32)
        {
            LittleEndianFloats.Read(stream, values, null, source + " (" + name + ")", 0);
            return;
        }

        int size = Size(kind);
        var buffer = new byte[Math.Min(1 << 16, Math.Max(values.Length * size, size))];
        int done = 0;
        while (done < values.Length)
        {
            int n = Math.Min(buffer.Length / size, values.Length - done);
            int got = stream.ReadAtLeast(buffer.AsSpan(0, n * size), n * size, throwOnEndOfStream: false);
            if (got < n * size)
            {
                throw Errors.Invalid(source, $"{name} is truncated: expected {(long)values.Length * size} bytes of data, found {((long)done * size) + got}");
            }

            Convert(kind, buffer.AsSpan(0, n * size), values.Slice(done, n));
            done += n;
        }
    }

    /// <summary>Converts <paramref name="bytes"/> holding <paramref name="values"/>.Length numbers of <paramref name="kind"/>.</summary>
    public static void Convert(Kind kind, ReadOnlySpan<byte> bytes, Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = kind switch
            {
                Kind.Float32 => BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]),
                Kind.Float32BigEndian => BinaryPrimitives.ReadSingleBigEndian(bytes[(4 * i)..]),
                Kind.Float64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]),
                Kind.Float64BigEndian => (float)BinaryPrimitives.ReadDoubleBigEndian(bytes[(8 * i)..]),
                Kind.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]),

                // bfloat16 is the upper half of a float32.
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16),
            };
        }
    }
}
