using System;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit.Sdk;

namespace RnnDsl.Generators.Tests;

/// <summary>
/// Golden-file comparison for generated source. <c>Snapshots/Name.verified.cs</c> is checked in; on a
/// mismatch the actual text is written beside it as <c>Name.received.cs</c> (ignored by git) and the
/// failure shows a line diff. Set RNNDSL_ACCEPT_SNAPSHOTS=1 to accept the received text.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string name, string actual)
    {
        // Found from the repository root: CI builds map source paths, so [CallerFilePath] is not a real path there.
        string directory = Path.Combine(RepositoryRoot(), "tests", "RnnDsl.Generators.Tests", "Snapshots");
        string verifiedPath = Path.Combine(directory, name + ".verified.cs");
        string receivedPath = Path.Combine(directory, name + ".received.cs");
        string scrubbed = Scrub(actual);

        if (Environment.GetEnvironmentVariable("RNNDSL_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verifiedPath, scrubbed);
            File.Delete(receivedPath);
            return;
        }

        string expected = File.Exists(verifiedPath) ? File.ReadAllText(verifiedPath).Replace("\r\n", "\n") : string.Empty;
        if (expected == scrubbed)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, scrubbed);
        throw new XunitException(
            $"Generated source for {name} differs from {verifiedPath}.\n"
            + $"Actual text written to {receivedPath}; accept it with RNNDSL_ACCEPT_SNAPSHOTS=1 if the change is intended.\n"
            + Diff(expected, scrubbed));
    }

    /// <summary>The folder holding RnnDsl.sln, found upwards from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "RnnDsl.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("RnnDsl.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The generator's version changes with every release; the snapshot should not.</summary>
    private static string Scrub(string source) =>
        Regex.Replace(source.Replace("\r\n", "\n"), "GeneratedCode\\(\"RnnDsl.Generators\", \"[^\"]*\"\\)", "GeneratedCode(\"RnnDsl.Generators\", \"VERSION\")");

    private static string Diff(string expected, string actual)
    {
        DiffPaneModel diff = new InlineDiffBuilder(new DiffPlex.Differ()).BuildDiffModel(expected, actual);
        var text = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < diff.Lines.Count && shown < 60; i++)
        {
            DiffPiece line = diff.Lines[i];
            if (line.Type == ChangeType.Inserted || line.Type == ChangeType.Deleted)
            {
                text.Append(line.Type == ChangeType.Inserted ? "+ " : "- ").Append(line.Position?.ToString() ?? "").Append(": ").AppendLine(line.Text);
                shown++;
            }
        }

        return text.ToString();
    }
}
