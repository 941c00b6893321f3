using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace RnnDsl;

/// <summary>
/// The safetensors format (https://github.com/huggingface/safetensors), as <c>safetensors.torch.save_file</c> writes it:
/// <code>
/// 8 bytes   N, the header length, uint64 little-endian
/// N bytes   a JSON object: "name": {"dtype": "F32", "shape": [64, 32], "data_offsets": [begin, end]}, … and an
///           optional "__metadata__" object of strings; padded with spaces
/// the rest  the tensors' bytes, little-endian, C order; offsets count from the first byte after the header
/// </code>
/// Read with System.Text.Json's reader (no reflection, so NativeAOT-safe); the layout is small and fixed, so
/// there is no package for it here.
/// </summary>
internal static class SafeTensors
{
    private const long MaxHeader = 100 << 20;

    public static Dictionary<string, NamedArray> Read(Stream stream, string source, long maxValues)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        int got = stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false);
        if (got == 0)
        {
            throw Errors.Invalid(source, "the file is empty; expected a .safetensors file");
        }

        if (got < 8)
        {
            throw Errors.Truncated(source, "in the header length", 8, got);
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (length < 2 || length > MaxHeader)
        {
            throw Errors.Invalid(source, $"the header length is {length} bytes; this is not a .safetensors file or it is corrupted");
        }

        var header = new byte[length];
        got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got < header.Length)
        {
            throw Errors.Truncated(source, "in the JSON header", 8 + header.Length, 8 + got);
        }

        var entries = new List<(string Name, TensorBytes.Kind Kind, int[] Shape, long Begin, long End)>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Errors.Invalid(source, "the header is not a JSON object");
            }

            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    continue;
                }

                JsonElement tensor = property.Value;
                string dtype = tensor.GetProperty("dtype").GetString() ?? string.Empty;
                TensorBytes.Kind kind = dtype switch
                {
                    "F32" => TensorBytes.Kind.Float32,
                    "F64" => TensorBytes.Kind.Float64,
                    "F16" => TensorBytes.Kind.Float16,
                    "BF16" => TensorBytes.Kind.BFloat16,
                    _ => throw Errors.Invalid(source, $"tensor {property.Name} has dtype {dtype}; expected F32, F64, F16 or BF16"),
                };
                var shape = new List<int>();
                foreach (JsonElement size in tensor.GetProperty("shape").EnumerateArray())
                {
                    shape.Add(size.GetInt32());
                }

                JsonElement offsets = tensor.GetProperty("data_offsets");
                long begin = offsets[0].GetInt64();
                long end = offsets[1].GetInt64();
                long count = 1;
                foreach (int size in shape)
                {
                    count = size < 0 || count * size > maxValues ? -1 : count * size;
                    if (count < 0)
                    {
                        throw Errors.Invalid(source, $"tensor {property.Name} has shape [{string.Join(", ", shape)}]: more values than the whole model ({maxValues}) or a negative size");
                    }
                }

                if (begin < 0 || end - begin != count * TensorBytes.Size(kind))
                {
                    throw Errors.Invalid(source, $"tensor {property.Name}: shape [{string.Join(", ", shape)}] of {dtype} needs {count * TensorBytes.Size(kind)} bytes, its data_offsets [{begin}, {end}] give {end - begin}");
                }

                entries.Add((property.Name, kind, shape.ToArray(), begin, end));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            throw Errors.Invalid(source, "the JSON header is malformed: " + e.Message);
        }

        // Tensors are read in file order; they must tile the data without overlapping.
        entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        var tensors = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        long position = 0;
        foreach (var (name, kind, shape, begin, end) in entries)
        {
            // As the safetensors library requires: the tensors cover the data exactly, without holes or overlaps.
            if (begin != position)
            {
                throw Errors.Invalid(source, $"tensor {name}'s data starts at {begin}; the tensors before it end at {position} (the data must be covered without holes or overlaps)");
            }

            if (tensors.ContainsKey(name))
            {
                throw Errors.Invalid(source, $"the header lists tensor {name} twice");
            }

            var values = new float[(end - begin) / TensorBytes.Size(kind)];
            TensorBytes.Read(stream, kind, values, source, "tensor " + name);
            position = end;
            tensors.Add(name, new NamedArray(name, shape, values));
        }

        if (stream.CanSeek ? stream.Position != stream.Length : stream.ReadByte() != -1)
        {
            throw Errors.Invalid(source, $"there are bytes after the last tensor's data (which ends at {position}); expected the file to end there");
        }

        return tensors;
    }

    public static void Write(Stream stream, IReadOnlyList<(string Name, int[] Shape, float[] Values)> tensors)
    {
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            writer.WriteString("format", "pt");
            writer.WriteEndObject();
            long offset = 0;
            foreach (var (name, shape, values) in tensors)
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (int size in shape)
                {
                    writer.WriteNumberValue(size);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + (4L * values.Length));
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += 4L * values.Length;
            }

            writer.WriteEndObject();
        }

        // The data starts at a multiple of 8, as safetensors pads its header with spaces.
        long padded = (json.Length + 7) / 8 * 8;
        while (json.Length < padded)
        {
            json.WriteByte((byte)' ');
        }

        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        stream.Write(length);
        json.Position = 0;
        json.CopyTo(stream);
        foreach (var (_, _, values) in tensors)
        {
            LittleEndianFloats.Write(stream, values);
        }
    }
}
