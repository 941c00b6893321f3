using System;
using System.IO;

namespace RnnDsl;

/// <summary>
/// <c>LoadKerasWeights</c> for every Keras weight file: <c>.npz</c>, Keras 3 <c>.weights.h5</c>, Keras 2 <c>.h5</c>
/// (weights, or a whole model saved with <c>model.save</c>) and Keras 3 <c>.keras</c> archives. The format is told by the
/// file's first bytes, not its name.
/// </summary>
/// <remarks>
/// These methods share the core package's namespace and name on purpose: with this package referenced, the generic
/// overload is the better match for any model (an identity conversion beats the conversion to <see cref="IRnnModel"/>),
/// so <c>model.LoadKerasWeights(path)</c> reads HDF5 too, with no other change to the calling code.
/// </remarks>
public static class KerasWeightFiles
{
    /// <summary>
    /// Loads Keras weights. Layers are matched by name (the names Keras gives them: <c>Summary()</c>'s for Keras 2 files,
    /// the class-based ones Keras 3 stores), otherwise by order; every shape is checked. For a <c>.keras</c> archive, its
    /// <c>config.json</c> must describe this architecture: a layer of another kind, size or option is refused by name.
    /// </summary>
    /// <exception cref="InvalidDataException">A missing, extra or misshapen array, another architecture, a corrupted file; the model is unchanged.</exception>
    public static void LoadKerasWeights<TModel>(this TModel model, string path)
        where TModel : class, IRnnModel
    {
        ArgumentNullException.ThrowIfNull(model);
        using FileStream stream = WeightFiles.OpenRead(path);
        Load(model, stream, path);
    }

    /// <summary>Loads Keras weights from <paramref name="stream"/> (see <see cref="LoadKerasWeights{TModel}(TModel, string)"/>).</summary>
    public static void LoadKerasWeights<TModel>(this TModel model, Stream stream)
        where TModel : class, IRnnModel
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        Load(model, stream, WeightFiles.NameOf(stream));
    }

    private static void Load(IRnnModel model, Stream stream, string source)
    {
        Stream seekable = WeightFiles.Seekable(stream);
        FileKind kind = WeightFiles.Sniff(seekable);
        if (kind == FileKind.Hdf5)
        {
            WeightFiles.Commit(model, KerasHdf5.Read(model, seekable, source));
            return;
        }

        // An .npz or a .keras archive: one zip, opened once (anything else is refused with what it is).
        using var zip = WeightFiles.OpenKerasZip(seekable, kind, source);
        WeightFiles.Commit(model, zip.GetEntry(WeightFiles.KerasArchiveWeights) is null
            ? WeightFiles.ReadKerasArrays(model, zip, source)
            : KerasArchive.Read(model, zip, source));
    }
}
