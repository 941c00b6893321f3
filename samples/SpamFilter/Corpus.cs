using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Text.Json;

namespace SpamFilter;

/// <summary>One message of the prepared corpus (Data/NOTICE.md): its text (subject, then body), label and split.</summary>
internal sealed record Message(string Id, string Folder, float Label, string Split, string Text)
{
    public bool IsSpam => Label == 1f;
}

internal static class Corpus
{
    /// <summary>Reads the messages embedded in the program (JSON Lines), in their fixed order.</summary>
    public static List<Message> Load()
    {
        using Stream resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("messages.jsonl")
            ?? throw new InvalidOperationException("The corpus is not embedded in the program.");
        using var reader = new StreamReader(resource);
        var messages = new List<Message>();
        while (reader.ReadLine() is { } line)
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            messages.Add(new Message(
                root.GetProperty("id").GetString()!,
                root.GetProperty("folder").GetString()!,
                root.GetProperty("label").GetInt32(),
                root.GetProperty("split").GetString()!,
                root.GetProperty("text").GetString()!));
        }

        return messages;
    }
}
