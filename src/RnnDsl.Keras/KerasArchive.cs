using System;
using System.IO;
using System.IO.Compression;
using System.Text.Json;

namespace RnnDsl;

/// <summary>
/// A Keras 3 <c>.keras</c> archive: a zip holding <c>metadata.json</c>, <c>config.json</c> (the model's
/// <c>serialize_keras_object</c>) and <c>model.weights.h5</c> (the <c>.weights.h5</c> layout). The config is checked
/// against the model's architecture before any weight is read.
/// </summary>
internal static class KerasArchive
{
    public static float[] Read(IRnnModel model, ZipArchive zip, string source)
    {
        try
        {
            return ReadArchive(model, zip, source);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            // The zip library's own messages (a corrupted directory or entry) do not say which file.
            throw Errors.Invalid(source, "the archive is corrupted: " + e.Message);
        }
    }

    private static float[] ReadArchive(IRnnModel model, ZipArchive zip, string source)
    {
        ZipArchiveEntry? config = zip.GetEntry("config.json");
        if (config is not null)
        {
            using Stream text = config.Open();
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                throw Errors.Invalid(source, "config.json is not valid JSON: " + e.Message);
            }

            using (document)
            {
                try
                {
                    KerasConfig.Check(model.Architecture, document.RootElement, source + " (config.json)");
                }
                catch (InvalidOperationException e)
                {
                    // A value of another JSON kind than Keras writes (a list where a layer object belongs, …).
                    throw Errors.Invalid(source + " (config.json)", "this is not a Keras model config: " + e.Message);
                }
            }
        }

        ZipArchiveEntry weights = zip.GetEntry(WeightFiles.KerasArchiveWeights)!; // the caller found it
        var buffer = new MemoryStream();
        using (Stream data = weights.Open())
        {
            data.CopyTo(buffer);
        }

        buffer.Position = 0;
        return KerasHdf5.Read(model, buffer, source + " (model.weights.h5)");
    }
}
