using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace RnnDsl;

/// <summary>One array read from a weight file: its name there, its shape and its values as float.</summary>
internal sealed record NamedArray(string Name, int[] Shape, float[] Values)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// NumPy's <c>.npy</c> (format versions 1–3) and <c>.npz</c> (a zip of <c>.npy</c> files, as <c>np.savez</c> writes).
/// Written here because the format is small and fixed (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html)
/// and no maintained .NET package reads it without pulling in a tensor library:
/// <code>
/// "\x93NUMPY", major, minor, header length (uint16 for 1.0, uint32 for 2.0 and 3.0),
/// a Python dict literal {'descr': '&lt;f4', 'fortran_order': False, 'shape': (32, 64), } padded with spaces and '\n'
/// so the data starts at a multiple of 64, then the raw values.
/// </code>
/// </summary>
internal static class Npy
{
    private static ReadOnlySpan<byte> Magic => new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>
    /// Opens the zip in <paramref name="stream"/> (seekable) and reads its directory; the zip library's errors for a cut
    /// or corrupted zip come out naming <paramref name="source"/>.
    /// </summary>
    public static ZipArchive OpenZip(Stream stream, string source)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw Errors.Invalid(source, "this zip (.npz or .keras) cannot be read, it is cut short or corrupted: " + e.Message);
        }

        try
        {
            _ = zip.Entries;
        }
        catch (InvalidDataException e)
        {
            zip.Dispose();
            throw Errors.Invalid(source, "the zip's directory is corrupted: " + e.Message);
        }

        return zip;
    }

    /// <summary>The arrays of an <c>.npz</c>: every entry must be a <c>.npy</c> of at most <paramref name="maxValues"/> floats.</summary>
    public static List<NamedArray> ReadNpz(ZipArchive zip, string source, long maxValues)
    {
        var arrays = new List<NamedArray>();
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
            {
                throw Errors.Invalid(source, $"entry {entry.FullName} is not a .npy array; an .npz holds only .npy files");
            }

            string name = entry.FullName[..^4];
            try
            {
                using Stream data = entry.Open();
                arrays.Add(Read(data, source + " (" + entry.FullName + ")", name, maxValues));
            }
            catch (InvalidDataException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
            {
                throw Errors.Invalid(source, $"entry {entry.FullName} is corrupted: {e.Message}");
            }
        }

        return arrays;
    }

    public static NamedArray Read(Stream stream, string source, string name, long maxValues)
    {
        Span<byte> start = stackalloc byte[10];
        int got = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (got < 8 || !start[..6].SequenceEqual(Magic))
        {
            throw Errors.Invalid(source, "not a .npy array: it does not start with \\x93NUMPY");
        }

        byte major = start[6];
        int headerLength;
        int prefix;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(start[8..]);
            prefix = 10;
        }
        else if (major is 2 or 3)
        {
            Span<byte> more = stackalloc byte[2];
            if (got < 10 || stream.ReadAtLeast(more, 2, throwOnEndOfStream: false) < 2)
            {
                throw Errors.Truncated(source, "in the .npy header", 12, got);
            }

            uint length = BinaryPrimitives.ReadUInt32LittleEndian(stackalloc byte[] { start[8], start[9], more[0], more[1] });
            if (length > 1 << 20)
            {
                throw Errors.Invalid(source, $".npy header of {length} bytes; the file is corrupted");
            }

            headerLength = (int)length;
            prefix = 12;
        }
        else
        {
            throw Errors.Invalid(source, $".npy format version {major}.{start[7]}; expected 1.0, 2.0 or 3.0");
        }

        var header = new byte[headerLength];
        if (stream.ReadAtLeast(header, headerLength, throwOnEndOfStream: false) < headerLength)
        {
            throw Errors.Truncated(source, "in the .npy header", prefix + headerLength, prefix);
        }

        string text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header);
        string descr = Field(text, "descr", source);
        string fortran = Field(text, "fortran_order", source);
        int[] shape = ParseShape(Field(text, "shape", source), source);
        if (fortran != "False")
        {
            throw Errors.Invalid(source, $"array {name} is stored in Fortran order; expected C order (save np.ascontiguousarray(a))");
        }

        long count = 1;
        foreach (int size in shape)
        {
            count *= size;
            if (count > maxValues)
            {
                throw Errors.Invalid(source, $"array {name} of shape ({string.Join(", ", shape)}) holds more values than the whole model ({maxValues})");
            }
        }

        var values = new float[count];
        TensorBytes.Read(stream, Dtype(descr, source, name), values, source, name);
        return new NamedArray(name, shape, values);
    }

    private static TensorBytes.Kind Dtype(string descr, string source, string name) => descr switch
    {
        "<f4" => TensorBytes.Kind.Float32,
        "<f8" => TensorBytes.Kind.Float64,
        "<f2" => TensorBytes.Kind.Float16,
        ">f4" => TensorBytes.Kind.Float32BigEndian,
        ">f8" => TensorBytes.Kind.Float64BigEndian,
        _ => throw Errors.Invalid(source, $"array {name} has dtype '{descr}'; expected a float array ('<f4', '<f8' or '<f2')"),
    };

    /// <summary>The value of <paramref name="key"/> in the header's dict literal, as written.</summary>
    private static string Field(string header, string key, string source)
    {
        string quoted = "'" + key + "'";
        int at = header.IndexOf(quoted, StringComparison.Ordinal);
        int colon = at < 0 ? -1 : header.IndexOf(':', at + quoted.Length);
        if (colon < 0)
        {
            throw Errors.Invalid(source, $"the .npy header has no '{key}': {header.Trim()}");
        }

        int from = colon + 1;
        while (from < header.Length && header[from] == ' ')
        {
            from++;
        }

        if (from < header.Length && header[from] == '(')
        {
            int close = header.IndexOf(')', from);
            return close < 0 ? throw Errors.Invalid(source, $"the .npy header's shape is not closed: {header.Trim()}") : header[from..(close + 1)];
        }

        if (from < header.Length && header[from] == '\'')
        {
            int close = header.IndexOf('\'', from + 1);
            return close < 0 ? throw Errors.Invalid(source, $"the .npy header's {key} is not closed: {header.Trim()}") : header[(from + 1)..close];
        }

        int end = header.IndexOfAny(new[] { ',', '}' }, from);
        return (end < 0 ? header[from..] : header[from..end]).Trim();
    }

    private static int[] ParseShape(string tuple, string source)
    {
        var sizes = new List<int>();
        foreach (string part in tuple.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int size))
            {
                throw Errors.Invalid(source, $"the .npy shape {tuple} is not a tuple of sizes");
            }

            sizes.Add(size);
        }

        return sizes.ToArray();
    }

    /// <summary>Writes arrays as <c>np.savez</c> does: uncompressed zip entries <c>arr_0.npy</c>, … in .npy format 1.0, '&lt;f4'.</summary>
    public static void WriteNpz(Stream stream, IReadOnlyList<(string Name, IReadOnlyList<int> Shape, float[] Values)> arrays)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, shape, values) in arrays)
        {
            ZipArchiveEntry entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
            entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero); // the same weights give the same bytes
            using Stream data = entry.Open();
            WriteNpy(data, shape, values);
        }
    }

    private static void WriteNpy(Stream stream, IReadOnlyList<int> shape, ReadOnlySpan<float> values)
    {
        string tuple = shape.Count == 1 ? "(" + shape[0].ToString(CultureInfo.InvariantCulture) + ",)" : "(" + string.Join(", ", shape) + ")";
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + tuple + ", }";
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        var prefix = new byte[10];
        Magic.CopyTo(prefix);
        prefix[6] = 1;
        prefix[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(prefix.AsSpan(8), (ushort)header.Length);
        stream.Write(prefix);
        stream.Write(Encoding.Latin1.GetBytes(header));
        LittleEndianFloats.Write(stream, values);
    }
}
