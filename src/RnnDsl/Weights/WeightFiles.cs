using System;
using System.IO;
using System.IO.Compression;

namespace RnnDsl;

/// <summary>
/// Saving and loading a model's weights: RnnDsl's own format (<see cref="SaveWeights(IRnnModel, string)"/>), Keras
/// <c>.npz</c> (<see cref="LoadKerasWeights(IRnnModel, string)"/>), and PyTorch <c>state_dict</c>s as
/// <c>.safetensors</c> (<see cref="LoadTorchStateDict(IRnnModel, string, string[])"/>). Every reader goes by the
/// model's <see cref="IRnnModel.Weights"/> manifest, checks every array, and changes the model only when the whole
/// file checked out: on any failure the model keeps its weights. Every writer of a path writes a temporary file
/// beside it and renames it over the target, so a crash leaves the old file or the new one, never half of one.
/// Keras HDF5 files (<c>.weights.h5</c>, <c>.h5</c>, <c>.keras</c>) need the <c>RnnDsl.Keras</c> package.
/// </summary>
public static class WeightFiles
{
    private static ReadOnlySpan<byte> ZipMagic => "PK\u0003\u0004"u8;

    private static ReadOnlySpan<byte> Hdf5Magic => new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>Saves the weights in RnnDsl's own format (<c>.rnnw</c>): architecture fingerprint, parameters and checksum.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The file to write; replaced atomically if it exists.</param>
    public static void SaveWeights(this IRnnModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.Write(path, stream => WeightFileFormat.Write(stream, model));
    }

    /// <summary>Writes the weights in RnnDsl's own format to <paramref name="stream"/>.</summary>
    public static void SaveWeights(this IRnnModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        WeightFileFormat.Write(stream, model);
    }

    /// <summary>Loads weights saved by <see cref="SaveWeights(IRnnModel, string)"/> for a model of the same architecture.</summary>
    /// <exception cref="InvalidDataException">The file is for another architecture, truncated, corrupted or of a newer format version; the model is unchanged.</exception>
    public static void LoadWeights(this IRnnModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        using FileStream stream = OpenRead(path);
        Commit(model, WeightFileFormat.Read(stream, path, model));
    }

    /// <summary>Loads weights in RnnDsl's own format from <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidDataException">The data is for another architecture, truncated, corrupted or of a newer format version; the model is unchanged.</exception>
    public static void LoadWeights(this IRnnModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        Commit(model, WeightFileFormat.Read(stream, NameOf(stream), model));
    }

    /// <summary>
    /// Loads Keras weights from an <c>.npz</c> file: <c>np.savez(path, *model.get_weights())</c> (arrays <c>arr_0…</c> in
    /// get_weights() order) or arrays named by their Keras variable paths; float32 or float64, C order. Every shape is checked.
    /// </summary>
    /// <exception cref="InvalidDataException">A missing, extra or misshapen array, a corrupted file; the model is unchanged.</exception>
    /// <exception cref="NotSupportedException">The file is a Keras HDF5 file or archive: those need the RnnDsl.Keras package.</exception>
    public static void LoadKerasWeights(this IRnnModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        using FileStream stream = OpenRead(path);
        LoadKerasNpz(model, stream, path);
    }

    /// <summary>Loads Keras weights in <c>.npz</c> form from <paramref name="stream"/> (see <see cref="LoadKerasWeights(IRnnModel, string)"/>).</summary>
    public static void LoadKerasWeights(this IRnnModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        LoadKerasNpz(model, stream, NameOf(stream));
    }

    /// <summary>Saves the weights as <c>np.savez</c> would save <c>model.get_weights()</c>: <c>arr_0.npy…</c>, float32, C order. <c>numpy.load</c> reads it; <c>model.set_weights(list(np.load(path).values()))</c> restores it in Keras.</summary>
    public static void SaveKerasWeights(this IRnnModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.Write(path, stream => Npy.WriteNpz(stream, WeightMapping.ToKerasArrays(model)));
    }

    /// <summary>Writes the weights as an <c>.npz</c> to <paramref name="stream"/> (see <see cref="SaveKerasWeights(IRnnModel, string)"/>).</summary>
    public static void SaveKerasWeights(this IRnnModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        Npy.WriteNpz(stream, WeightMapping.ToKerasArrays(model));
    }

    /// <summary>
    /// Loads a PyTorch <c>state_dict</c> saved with <c>safetensors.torch.save_file(model.state_dict(), path)</c>
    /// (F32, F16, BF16 or F64). Keys are <c>{prefix}.weight</c>, <c>{prefix}.weight_ih_l0</c>, … as <c>nn.Embedding</c>,
    /// <c>nn.RNN</c> (<c>_reverse</c> for the backward direction of a bidirectional layer) and <c>nn.Linear</c> name them;
    /// kernels are transposed and the two recurrent biases added into the one Keras bias.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The .safetensors file.</param>
    /// <param name="prefixes">The module name of each layer with weights, in order (<c>"emb", "rnn", "fc"</c>); none for the Keras layer names (<c>embedding</c>, <c>simple_rnn</c>, <c>dense</c>, …).</param>
    /// <exception cref="InvalidDataException">A missing, extra or misshapen tensor, an unknown dtype, a truncated or corrupted file; the model is unchanged.</exception>
    public static void LoadTorchStateDict(this IRnnModel model, string path, params string[] prefixes)
    {
        ArgumentNullException.ThrowIfNull(model);
        WeightMapping.Prefixes(model.Weights, prefixes);
        using FileStream stream = OpenRead(path);
        Commit(model, WeightMapping.FromStateDict(model, SafeTensors.Read(stream, path, model.Parameters.Length), prefixes, path));
    }

    /// <summary>Loads a PyTorch <c>state_dict</c> in safetensors form from <paramref name="stream"/> (see <see cref="LoadTorchStateDict(IRnnModel, string, string[])"/>).</summary>
    public static void LoadTorchStateDict(this IRnnModel model, Stream stream, params string[] prefixes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        WeightMapping.Prefixes(model.Weights, prefixes);
        string source = NameOf(stream);
        Commit(model, WeightMapping.FromStateDict(model, SafeTensors.Read(stream, source, model.Parameters.Length), prefixes, source));
    }

    /// <summary>
    /// Saves the weights as the <c>state_dict</c> of the matching torch modules, in safetensors form (F32): what
    /// <c>module.load_state_dict(safetensors.torch.load_file(path), strict=True)</c> accepts. A recurrent layer's whole bias
    /// goes to <c>bias_ih</c>, zeros to <c>bias_hh</c>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The file to write; replaced atomically if it exists.</param>
    /// <param name="prefixes">The module name of each layer with weights, in order; none for the Keras layer names.</param>
    /// <exception cref="NotSupportedException">A layer has no PyTorch equivalent (a GRU with <c>ResetAfter = false</c>).</exception>
    public static void SaveTorchStateDict(this IRnnModel model, string path, params string[] prefixes)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = WeightMapping.ToStateDict(model, prefixes);
        AtomicFile.Write(path, stream => SafeTensors.Write(stream, tensors));
    }

    /// <summary>Writes the weights as a safetensors <c>state_dict</c> to <paramref name="stream"/> (see <see cref="SaveTorchStateDict(IRnnModel, string, string[])"/>).</summary>
    public static void SaveTorchStateDict(this IRnnModel model, Stream stream, params string[] prefixes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        SafeTensors.Write(stream, WeightMapping.ToStateDict(model, prefixes));
    }

    /// <summary>Copies checked weights into the model: the one place a reader changes it.</summary>
    internal static void Commit(IRnnModel model, float[] parameters)
    {
        if (parameters.Length != model.Parameters.Length)
        {
            throw new InvalidOperationException($"A reader produced {parameters.Length} parameters for a model of {model.Parameters.Length}.");
        }

        parameters.CopyTo(model.Parameters);
    }

    internal static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16); // a save may replace it meanwhile
    }

    /// <summary>How messages name a stream: its file name for a <see cref="FileStream"/>.</summary>
    internal static string NameOf(Stream stream) => stream is FileStream file ? file.Name : "the stream";

    /// <summary>What a file is, from its first bytes: a zip, HDF5, empty, or something else; the stream is left where it was.</summary>
    internal static FileKind Sniff(Stream stream)
    {
        Span<byte> start = stackalloc byte[8];
        long at = stream.Position;
        int got = stream.ReadAtLeast(start, 8, throwOnEndOfStream: false);
        stream.Position = at;
        return got >= 4 && start[..4].SequenceEqual(ZipMagic) ? FileKind.Zip
            : got == 8 && start.SequenceEqual(Hdf5Magic) ? FileKind.Hdf5
            : got == 0 ? FileKind.Empty : FileKind.Other;
    }

    /// <summary>A seekable view of <paramref name="stream"/>: itself, or its rest copied into memory.</summary>
    internal static Stream Seekable(Stream stream)
    {
        // Zip offsets count from the start of the stream, so a stream that starts elsewhere is copied too.
        if (stream.CanSeek && stream.Position == 0)
        {
            return stream;
        }

        var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }

    private static void LoadKerasNpz(IRnnModel model, Stream stream, string source)
    {
        Stream seekable = Seekable(stream);
        FileKind kind = Sniff(seekable);
        if (kind == FileKind.Hdf5)
        {
            throw new NotSupportedException($"{source} is a Keras HDF5 weight file: reading it needs the RnnDsl.Keras package. With it referenced, "
                + "model.LoadKerasWeights(path) on a variable of the model's own class reads .weights.h5, .h5 and .keras too; for a model held as IRnnModel, call KerasWeightFiles.LoadKerasWeights(model, path).");
        }

        using ZipArchive zip = OpenKerasZip(seekable, kind, source);
        if (zip.GetEntry(KerasArchiveWeights) is not null)
        {
            throw new NotSupportedException($"{source} is a Keras .keras archive: reading it needs the RnnDsl.Keras package. With it referenced, "
                + "model.LoadKerasWeights(path) on a variable of the model's own class reads it; for a model held as IRnnModel, call KerasWeightFiles.LoadKerasWeights(model, path).");
        }

        Commit(model, ReadKerasArrays(model, zip, source));
    }

    /// <summary>The entry of a <c>.keras</c> archive that holds its weights; an <c>.npz</c> has none.</summary>
    internal const string KerasArchiveWeights = "model.weights.h5";

    /// <summary>Opens a Keras zip (<c>.npz</c> or <c>.keras</c>), or says what the file is instead.</summary>
    internal static ZipArchive OpenKerasZip(Stream seekable, FileKind kind, string source) => kind switch
    {
        FileKind.Zip => Npy.OpenZip(seekable, source),
        FileKind.Empty => throw Errors.Invalid(source, "the file is empty; expected a Keras .npz"),
        _ => throw Errors.Invalid(source, "this is not a Keras .npz (a zip of .npy arrays): it does not start with PK\\x03\\x04"
            + " (RnnDsl .rnnw files load with LoadWeights, PyTorch .safetensors with LoadTorchStateDict)"),
    };

    /// <summary>The weights of an <c>.npz</c>, checked against the model (not yet committed).</summary>
    internal static float[] ReadKerasArrays(IRnnModel model, ZipArchive zip, string source)
    {
        var arrays = Npy.ReadNpz(zip, source, model.Parameters.Length);
        if (arrays.Count == 0)
        {
            throw Errors.Invalid(source, "the zip holds no arrays");
        }

        return WeightMapping.FromKerasArrays(model, arrays, source);
    }
}

/// <summary>What a weight file is, from its first bytes.</summary>
internal enum FileKind
{
    Empty,
    Zip,
    Hdf5,
    Other,
}
