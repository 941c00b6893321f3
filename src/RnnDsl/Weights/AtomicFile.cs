using System;
using System.IO;

namespace RnnDsl;

/// <summary>
/// Writes a file so that a crash at any point leaves either the old file or the new one: the content goes to a
/// temporary file in the same folder, is flushed to disk, and is then renamed over the target (an atomic
/// replace on the same file system).
/// </summary>
internal static class AtomicFile
{
    /// <summary>Tests set this to interrupt a save after the temporary file is complete and before the rename.</summary>
    internal static Action<string>? BeforeRename { get; set; }

    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        string temporary = Path.Combine(folder, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            BeforeRename?.Invoke(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
