using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace RnnDsl;

/// <summary>
/// RnnDsl's own weight file (<c>.rnnw</c>). All numbers little-endian:
/// <code>
/// offset     size  field
/// 0          8     magic: 89 52 4E 4E 57 0D 0A 1A ("\x89RNNW\r\n\x1a", which text-mode copies and truncation to 7 bits break)
/// 8          4     format version, uint32 = 1
/// 12         4     fingerprint length F in bytes, uint32
/// 16         F     the architecture fingerprint, UTF-8 (ModelArchitecture.Fingerprint: every layer and its settings)
/// 16+F       8     parameter count P, int64
/// 24+F       4·P   the parameters, float32, in Keras get_weights() order
/// 24+F+4·P   8     XxHash3 (64-bit, seed 0) of every byte before it
/// </code>
/// </summary>
internal static class WeightFileFormat
{
    public const uint Version = 1;

    private const int MaxFingerprintBytes = 1 << 20;

    private static ReadOnlySpan<byte> Magic => new byte[] { 0x89, (byte)'R', (byte)'N', (byte)'N', (byte)'W', 0x0D, 0x0A, 0x1A };

    public static void Write(Stream stream, IRnnModel model)
    {
        var hash = new XxHash3();
        byte[] fingerprint = Encoding.UTF8.GetBytes(model.Architecture.Fingerprint);
        var header = new byte[16 + fingerprint.Length + 8];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)fingerprint.Length);
        fingerprint.CopyTo(header.AsSpan(16));
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16 + fingerprint.Length), model.Parameters.Length);
        Emit(stream, hash, header);
        LittleEndianFloats.Write(stream, model.Parameters, hash);
        var checksum = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, hash.GetCurrentHashAsUInt64());
        stream.Write(checksum);
    }

    public static float[] Read(Stream stream, string source, IRnnModel model)
    {
        var hash = new XxHash3();
        Span<byte> start = stackalloc byte[16];
        int got = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (got == 0)
        {
            throw Errors.Invalid(source, "the file is empty; expected an RnnDsl weight file (.rnnw)");
        }

        if (got < 8 || !start[..8].SequenceEqual(Magic))
        {
            throw Errors.Invalid(source, "this is not an RnnDsl weight file: it does not start with \\x89RNNW\\r\\n\\x1a"
                + " (Keras .npz/.weights.h5/.keras files load with LoadKerasWeights, PyTorch .safetensors with LoadTorchStateDict)");
        }

        if (got < 16)
        {
            throw Errors.Truncated(source, "in the header", 16, got);
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(start[8..]);
        if (version != Version)
        {
            throw Errors.Invalid(source, $"format version {version}; this RnnDsl reads version {Version}"
                + (version > Version ? " (the file was written by a newer RnnDsl)" : string.Empty));
        }

        hash.Append(start);
        uint fingerprintLength = BinaryPrimitives.ReadUInt32LittleEndian(start[12..]);
        if (fingerprintLength > MaxFingerprintBytes)
        {
            throw Errors.Invalid(source, $"the header gives an architecture description of {fingerprintLength} bytes; the file is corrupted");
        }

        var rest = new byte[fingerprintLength + 8];
        ReadExactly(stream, rest, source, "in the header", 16);
        hash.Append(rest);
        string fingerprint = Encoding.UTF8.GetString(rest, 0, (int)fingerprintLength);
        long count = BinaryPrimitives.ReadInt64LittleEndian(rest.AsSpan((int)fingerprintLength));
        string architecture = model.Architecture.Fingerprint;
        InvalidDataException AnotherModel() => Errors.Invalid(source, "the file holds weights for another model. " + Difference(fingerprint, architecture));
        if (count != model.Parameters.Length)
        {
            // Before anything is allocated: a corrupted count must not ask for gigabytes. The checksum comes after the
            // data, so a count the file really holds is told apart from a damaged one by the architecture.
            throw fingerprint == architecture
                ? Errors.Invalid(source, $"the header gives {count} parameters for this architecture, which has {model.Parameters.Length}: the file is corrupted")
                : AnotherModel();
        }

        var parameters = new float[count];
        long dataStart = 16 + rest.Length;
        LittleEndianFloats.Read(stream, parameters, hash, source, dataStart);
        Span<byte> checksum = stackalloc byte[8];
        ReadExactly(stream, checksum, source, "in the checksum", dataStart + (4 * count));
        ulong expected = BinaryPrimitives.ReadUInt64LittleEndian(checksum);
        ulong actual = hash.GetCurrentHashAsUInt64();
        if (expected != actual)
        {
            throw Errors.Invalid(source, $"the checksum does not match (stored {expected:x16}, computed {actual:x16}): the file is corrupted");
        }

        if (stream.CanSeek ? stream.Position != stream.Length : stream.ReadByte() != -1)
        {
            throw Errors.Invalid(source, "there are bytes after the checksum; expected the file to end there");
        }

        if (fingerprint != architecture)
        {
            throw AnotherModel();
        }

        return parameters;
    }

    /// <summary>Names the first layer in which two fingerprints differ.</summary>
    private static string Difference(string file, string model)
    {
        string[] theirs = file.Split("; ");
        string[] ours = model.Split("; ");
        for (int i = 0; i < Math.Max(theirs.Length, ours.Length); i++)
        {
            string? a = i < theirs.Length ? theirs[i] : null;
            string? b = i < ours.Length ? ours[i] : null;
            if (a != b)
            {
                return $"Layer {i + 1}: the file has {a ?? "no layer"}; this model has {b ?? "no layer"}.";
            }
        }

        return string.Empty;
    }

    private static void Emit(Stream stream, XxHash3 hash, ReadOnlySpan<byte> bytes)
    {
        hash.Append(bytes);
        stream.Write(bytes);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, string where, long offset)
    {
        int got = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (got < buffer.Length)
        {
            throw Errors.Truncated(source, where, offset + buffer.Length, offset + got);
        }
    }
}

/// <summary>Float32 arrays as little-endian bytes, in chunks, whatever the machine's byte order.</summary>
internal static class LittleEndianFloats
{
    private const int Chunk = 1 << 14;

    public static void Write(Stream stream, ReadOnlySpan<float> values, NonCryptographicHashAlgorithm? hash = null)
    {
        if (BitConverter.IsLittleEndian)
        {
            // The floats' own bytes, a chunk at a time (a span of every byte of a large model would not fit an int).
            for (int at = 0; at < values.Length; at += Chunk)
            {
                ReadOnlySpan<byte> chunk = MemoryMarshal.AsBytes(values.Slice(at, Math.Min(Chunk, values.Length - at)));
                hash?.Append(chunk);
                stream.Write(chunk);
            }

            return;
        }

        // A big-endian machine: a little-endian copy, a chunk at a time.
        var buffer = new float[Math.Min(Chunk, Math.Max(values.Length, 1))];
        for (int at = 0; at < values.Length; at += buffer.Length)
        {
            int n = Math.Min(buffer.Length, values.Length - at);
            values.Slice(at, n).CopyTo(buffer);
            Span<byte> bytes = MemoryMarshal.AsBytes(buffer.AsSpan(0, n));
            Span<int> words = MemoryMarshal.Cast<byte, int>(bytes);
            BinaryPrimitives.ReverseEndianness(words, words);
            hash?.Append(bytes);
            stream.Write(bytes);
        }
    }

    public static void Read(Stream stream, Span<float> values, NonCryptographicHashAlgorithm? hash, string source, long offset)
    {
        for (int at = 0; at < values.Length; at += Chunk)
        {
            Span<byte> bytes = MemoryMarshal.AsBytes(values.Slice(at, Math.Min(Chunk, values.Length - at)));
            int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length)
            {
                throw Errors.Truncated(source, "in the data", offset + (4L * values.Length), offset + (4L * at) + got);
            }

            hash?.Append(bytes);
            if (!BitConverter.IsLittleEndian)
            {
                Span<int> words = MemoryMarshal.Cast<byte, int>(bytes);
                BinaryPrimitives.ReverseEndianness(words, words);
            }
        }
    }
}

/// <summary>The exceptions weight readers throw: they name the file, what was expected and what was found.</summary>
internal static class Errors
{
    public static InvalidDataException Invalid(string source, string message) => new(source + ": " + message + (message.EndsWith('.') ? string.Empty : "."));

    public static InvalidDataException Truncated(string source, string where, long expectedBytes, long foundBytes) =>
        Invalid(source, $"the file is truncated {where}: expected at least {expectedBytes} bytes, found {foundBytes}");
}
