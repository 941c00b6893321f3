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
    private static readonly System.Threading.AsyncLocal<Action<string>?> Hook = new();

    /// <summary>
    /// Tests set this to interrupt a save after the temporary file is complete and before the rename. It holds for the
    /// setting test's own flow only (an AsyncLocal), so saves that other tests run at the same time are not interrupted.
    /// </summary>
    internal static Action<string>? BeforeRename
    {
        get => Hook.Value;
        set => Hook.Value = value;
    }

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
            try
            {
                File.Delete(temporary); // after a failure; gone already after the rename
            }
            catch (IOException)
            {
                // Leave it rather than hide why the save failed; its name starts with a dot and ends in .tmp.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
