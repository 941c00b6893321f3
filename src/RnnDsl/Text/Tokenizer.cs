using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace RnnDsl.Text;

/// <summary>
/// Keras <c>Tokenizer</c>: a word vocabulary ordered by frequency. Index 0 is reserved for padding;
/// the out-of-vocabulary token, when given, is index 1; then words from most to least frequent (ties
/// in order of first appearance).
/// </summary>
public sealed class Tokenizer
{
    /// <summary>The Keras default filters: punctuation, tab and newline become word separators.</summary>
    public const string DefaultFilters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";

    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly List<string> _firstSeen = new();
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _words = new();

    /// <summary>Creates a tokenizer.</summary>
    /// <param name="numWords">Keep only indices below this (the <c>numWords - 1</c> most frequent words, counting the OOV token); null keeps all.</param>
    /// <param name="oovToken">The token that stands for words outside the kept vocabulary; null drops them.</param>
    /// <param name="lower">Lower-case texts first.</param>
    /// <param name="filters">Characters treated as separators (not used when <paramref name="charLevel"/> is set, as in Keras).</param>
    /// <param name="charLevel">Every character is a token (Keras <c>char_level=True</c>): for character-level models.</param>
    public Tokenizer(int? numWords = null, string? oovToken = null, bool lower = true, string filters = DefaultFilters, bool charLevel = false)
    {
        if (numWords is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numWords), numWords, "numWords must be at least 1.");
        }

        NumWords = numWords;
        OovToken = oovToken;
        Lower = lower;
        Filters = filters;
        CharLevel = charLevel;
    }

    /// <summary>Whether every character is a token (Keras <c>char_level</c>); otherwise texts split into words.</summary>
    public bool CharLevel { get; }

    /// <summary>Indices at or above this are out of vocabulary; null for no limit.</summary>
    public int? NumWords { get; }

    /// <summary>The out-of-vocabulary token, if any.</summary>
    public string? OovToken { get; }

    /// <summary>Whether texts are lower-cased.</summary>
    public bool Lower { get; }

    /// <summary>Separator characters.</summary>
    public string Filters { get; }

    /// <summary>Every word seen, with its index (Keras <c>word_index</c>; not cut to <see cref="NumWords"/>).</summary>
    public IReadOnlyDictionary<string, int> WordIndex => _index;

    /// <summary>The word at each index (Keras <c>index_word</c>).</summary>
    public IReadOnlyDictionary<int, string> IndexWord => _words;

    /// <summary>How many texts <see cref="FitOnTexts"/> has counted (Keras <c>document_count</c>).</summary>
    public int DocumentCount { get; private set; }

    /// <summary>The size an <c>Embedding</c> needs to accept every index this tokenizer produces.</summary>
    public int VocabularySize => NumWords ?? _index.Count + 1;

    /// <summary>
    /// Keras <c>text_to_word_sequence</c>: lower-case, turn filter characters into spaces, split. With
    /// <see cref="CharLevel"/>, as Keras does, every character of the (lower-cased) text, spaces and filters included.
    /// </summary>
    public IEnumerable<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string prepared = Lower ? text.ToLowerInvariant() : text;
        if (CharLevel)
        {
            return prepared.Select(character => character.ToString());
        }

        var chars = prepared.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (Filters.Contains(chars[i], StringComparison.Ordinal))
            {
                chars[i] = ' ';
            }
        }

        return new string(chars).Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Counts the words of <paramref name="texts"/> and rebuilds the index (Keras <c>fit_on_texts</c>).</summary>
    public void FitOnTexts(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            DocumentCount++;
            seen.Clear();
            foreach (string word in Words(text))
            {
                if (_counts.TryGetValue(word, out int count))
                {
                    _counts[word] = count + 1;
                }
                else
                {
                    _counts[word] = 1;
                    _firstSeen.Add(word);
                }

                if (seen.Add(word))
                {
                    _documents[word] = _documents.GetValueOrDefault(word) + 1;
                }
            }
        }

        RebuildIndex();
    }

    /// <summary>Keras's <c>word_index</c> from the counts: OOV first, then by count, ties in first-seen order.</summary>
    private void RebuildIndex()
    {
        _index.Clear();
        _words.Clear();
        int next = 1;
        if (OovToken is not null)
        {
            _index[OovToken] = next++;
        }

        // OrderBy is stable: equal counts keep their first-seen order, as Python's sorted does.
        foreach (string word in _firstSeen.OrderByDescending(w => _counts[w]))
        {
            if (!_index.ContainsKey(word))
            {
                _index[word] = next++;
            }
        }

        foreach (KeyValuePair<string, int> entry in _index)
        {
            _words[entry.Value] = entry.Key;
        }
    }

    /// <summary>Whether <paramref name="index"/> is one this tokenizer produces: below <see cref="NumWords"/>, when it is set (Keras's <c>num_words</c> rule).</summary>
    private bool Kept(int index) => NumWords is not int limit || index < limit;

    /// <summary>Keras <c>texts_to_sequences</c> for one text.</summary>
    public int[] TextToSequence(string text)
    {
        var sequence = new List<int>();
        int? oov = OovToken is not null && _index.TryGetValue(OovToken, out int o) ? o : null;
        foreach (string word in Words(text))
        {
            if (_index.TryGetValue(word, out int index) && Kept(index))
            {
                sequence.Add(index);
            }
            else if (oov is int oovIndex)
            {
                sequence.Add(oovIndex);
            }
        }

        return sequence.ToArray();
    }

    /// <summary>Keras <c>texts_to_sequences</c>.</summary>
    public int[][] TextsToSequences(IEnumerable<string> texts) => texts.Select(TextToSequence).ToArray();

    /// <summary>
    /// A copy for inference that keeps only the words <see cref="TextToSequence"/> can produce: those with an index below
    /// <see cref="NumWords"/> (and the OOV token). It turns every text into the same sequence as this tokenizer, and its
    /// JSON is a fraction of the size (Keras keeps every word it counted, however rare, in <c>to_json()</c>). Its counts
    /// cover only the kept words, so fitting it on more texts is not the same as fitting this one. Without
    /// <see cref="NumWords"/> every word is kept and the copy equals this tokenizer.
    /// </summary>
    public Tokenizer Compact()
    {
        var copy = new Tokenizer(NumWords, OovToken, Lower, Filters, CharLevel) { DocumentCount = DocumentCount };
        foreach (string word in _firstSeen)
        {
            if (_index.TryGetValue(word, out int index) && Kept(index))
            {
                copy._counts[word] = _counts[word];
                copy._documents[word] = _documents[word];
                copy._firstSeen.Add(word);
            }
        }

        foreach (KeyValuePair<string, int> entry in _index)
        {
            if (Kept(entry.Value))
            {
                copy._index[entry.Key] = entry.Value;
                copy._words[entry.Value] = entry.Key;
            }
        }

        return copy;
    }

    /// <summary>The word at <paramref name="index"/>; null for padding (0) and unknown indices.</summary>
    public string? Word(int index) => _words.TryGetValue(index, out string? word) ? word : null;

    /// <summary>
    /// Keras <c>sequences_to_texts</c> for one sequence: the words joined by spaces. With an OOV token, an index past
    /// <see cref="NumWords"/> or without a word (padding 0 included) becomes the OOV token, as in Keras; without one,
    /// it is left out.
    /// </summary>
    public string SequenceToText(ReadOnlySpan<int> sequence)
    {
        var words = new List<string>();
        string? oov = OovToken is not null && _index.TryGetValue(OovToken, out int o) ? _words[o] : null;
        foreach (int index in sequence)
        {
            if (_words.TryGetValue(index, out string? word) && Kept(index))
            {
                words.Add(word);
            }
            else if (oov is not null)
            {
                words.Add(oov);
            }
        }

        return string.Join(' ', words);
    }

    /// <summary>Keras <c>sequences_to_texts</c>.</summary>
    public string[] SequencesToTexts(IEnumerable<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return sequences.Select(s => SequenceToText(s)).ToArray();
    }

    /// <summary>
    /// Keras <c>tokenizer.to_json()</c>: <c>{"class_name": "Tokenizer", "config": {...}}</c> with the settings and the
    /// vocabulary; as in Keras, <c>word_counts</c>, <c>word_docs</c>, <c>index_docs</c>, <c>index_word</c> and
    /// <c>word_index</c> are themselves JSON text. Keras's <c>tokenizer_from_json</c> reads it, and so does <see cref="FromJson"/>.
    /// </summary>
    public string ToJson()
    {
        string Nested(Action<Utf8JsonWriter> write)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                write(writer);
                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("class_name", "Tokenizer");
            json.WriteStartObject("config");
            if (NumWords is int numWords)
            {
                json.WriteNumber("num_words", numWords);
            }
            else
            {
                json.WriteNull("num_words");
            }

            json.WriteString("filters", Filters);
            json.WriteBoolean("lower", Lower);
            json.WriteString("split", " ");
            json.WriteBoolean("char_level", CharLevel);
            if (OovToken is null)
            {
                json.WriteNull("oov_token");
            }
            else
            {
                json.WriteString("oov_token", OovToken);
            }

            json.WriteNumber("document_count", DocumentCount);
            json.WriteString("word_counts", Nested(w => _firstSeen.ForEach(word => w.WriteNumber(word, _counts[word]))));
            json.WriteString("word_docs", Nested(w => _firstSeen.ForEach(word => w.WriteNumber(word, _documents[word]))));
            json.WriteString("index_docs", Nested(w => _firstSeen.ForEach(word =>
            {
                if (_index.TryGetValue(word, out int index))
                {
                    w.WriteNumber(index.ToString(System.Globalization.CultureInfo.InvariantCulture), _documents[word]);
                }
            })));
            json.WriteString("index_word", Nested(w =>
            {
                foreach (KeyValuePair<int, string> entry in _words.OrderBy(e => e.Key))
                {
                    w.WriteString(entry.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.Value);
                }
            }));
            json.WriteString("word_index", Nested(w =>
            {
                foreach (KeyValuePair<string, int> entry in _index.OrderBy(e => e.Value))
                {
                    w.WriteNumber(entry.Key, entry.Value);
                }
            }));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Keras <c>tokenizer_from_json</c>: the tokenizer <see cref="ToJson"/> (or Keras's <c>to_json()</c>) wrote.</summary>
    /// <exception cref="InvalidDataException">The text is not a tokenizer's JSON; the message says what is missing or wrong.</exception>
    public static Tokenizer FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.TryGetProperty("class_name", out JsonElement className) && className.GetString() != "Tokenizer")
            {
                throw new InvalidDataException($"The JSON describes a {className.GetString()}, not a Tokenizer.");
            }

            JsonElement config = root.TryGetProperty("config", out JsonElement c) ? c : throw new InvalidDataException("The tokenizer JSON has no \"config\" object.");
            bool charLevel = config.TryGetProperty("char_level", out JsonElement level) && level.ValueKind == JsonValueKind.True;
            if (!charLevel && config.TryGetProperty("split", out JsonElement split) && split.GetString() != " ")
            {
                throw new InvalidDataException($"The tokenizer splits on \"{split.GetString()}\"; RnnDsl's Tokenizer splits on spaces.");
            }

            // Keras reads num_words with `if self.num_words`: null and 0 both mean no limit.
            int? numWords = config.TryGetProperty("num_words", out JsonElement n) && n.ValueKind == JsonValueKind.Number && n.GetInt32() != 0 ? n.GetInt32() : null;
            string? oov = config.TryGetProperty("oov_token", out JsonElement o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
            bool lower = !config.TryGetProperty("lower", out JsonElement l) || l.ValueKind != JsonValueKind.False;
            string filters = config.TryGetProperty("filters", out JsonElement f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : DefaultFilters;
            var tokenizer = new Tokenizer(numWords, oov, lower, filters, charLevel)
            {
                DocumentCount = config.TryGetProperty("document_count", out JsonElement d) ? d.GetInt32() : 0,
            };

            using JsonDocument counts = Inner(config, "word_counts");
            foreach (JsonProperty word in counts.RootElement.EnumerateObject())
            {
                tokenizer._counts[word.Name] = word.Value.GetInt32();
                tokenizer._firstSeen.Add(word.Name);
            }

            if (config.TryGetProperty("word_docs", out _))
            {
                using JsonDocument docs = Inner(config, "word_docs");
                foreach (JsonProperty word in docs.RootElement.EnumerateObject())
                {
                    tokenizer._documents[word.Name] = word.Value.GetInt32();
                }
            }

            using JsonDocument index = Inner(config, "word_index");
            foreach (JsonProperty word in index.RootElement.EnumerateObject())
            {
                tokenizer._index[word.Name] = word.Value.GetInt32();
                tokenizer._words[word.Value.GetInt32()] = word.Name;
            }

            foreach (string word in tokenizer._firstSeen)
            {
                tokenizer._documents.TryAdd(word, 0);
            }

            return tokenizer;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException("The text is not a tokenizer's JSON: " + e.Message, e);
        }
    }

    /// <summary>Saves <see cref="ToJson"/> to <paramref name="path"/> (UTF-8), replacing it atomically.</summary>
    public void Save(string path) => AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(ToJson())));

    /// <summary>Loads a tokenizer saved by <see cref="Save"/> or by Keras (<c>open(path, "w").write(tokenizer.to_json())</c>).</summary>
    /// <exception cref="InvalidDataException">The file is not a tokenizer's JSON; the message names the file.</exception>
    public static Tokenizer Load(string path)
    {
        string text = File.ReadAllText(path, Encoding.UTF8);
        try
        {
            return FromJson(text);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException(path + ": " + e.Message, e);
        }
    }

    private static JsonDocument Inner(JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out JsonElement value))
        {
            throw new InvalidDataException($"The tokenizer JSON has no \"{name}\".");
        }

        // Keras stores these as JSON text inside the JSON; a plain object is accepted too.
        return value.ValueKind == JsonValueKind.String ? JsonDocument.Parse(value.GetString()!) : JsonDocument.Parse(value.GetRawText());
    }
}

/// <summary>Where <see cref="Sequences.Pad"/> adds or cuts: Keras <c>'pre'</c> or <c>'post'</c>.</summary>
public enum PadSide
{
    /// <summary>At the start of the sequence.</summary>
    Pre,

    /// <summary>At the end of the sequence.</summary>
    Post,
}

/// <summary>Sequence helpers as in Keras.</summary>
public static class Sequences
{
    /// <summary>
    /// Keras <c>pad_sequences</c>: every sequence made <paramref name="length"/> long (the longest, when null),
    /// padded with <paramref name="value"/> and cut on the given sides.
    /// </summary>
    public static int[][] Pad(IEnumerable<int[]> sequences, int? length = null, PadSide padding = PadSide.Pre, PadSide truncating = PadSide.Pre, int value = 0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int[][] all = sequences.ToArray();
        int target = length ?? (all.Length == 0 ? 0 : all.Max(s => s.Length));
        if (target < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The length must not be negative.");
        }

        var padded = new int[all.Length][];
        for (int n = 0; n < all.Length; n++)
        {
            int[] source = all[n];
            ReadOnlySpan<int> kept = source.Length <= target
                ? source
                : truncating == PadSide.Pre ? source.AsSpan(source.Length - target) : source.AsSpan(0, target);
            var row = new int[target];
            row.AsSpan().Fill(value);
            kept.CopyTo(padding == PadSide.Pre ? row.AsSpan(target - kept.Length) : row.AsSpan());
            padded[n] = row;
        }

        return padded;
    }
}
