using System;
using System.Collections.Generic;
using System.Linq;

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

    /// <summary>Creates a tokenizer.</summary>
    /// <param name="numWords">Keep only indices below this (the <c>numWords - 1</c> most frequent words, counting the OOV token); null keeps all.</param>
    /// <param name="oovToken">The token that stands for words outside the kept vocabulary; null drops them.</param>
    /// <param name="lower">Lower-case texts first.</param>
    /// <param name="filters">Characters treated as separators.</param>
    public Tokenizer(int? numWords = null, string? oovToken = null, bool lower = true, string filters = DefaultFilters)
    {
        if (numWords is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numWords), numWords, "numWords must be at least 1.");
        }

        NumWords = numWords;
        OovToken = oovToken;
        Lower = lower;
        Filters = filters;
    }

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

    /// <summary>The size an <c>Embedding</c> needs to accept every index this tokenizer produces.</summary>
    public int VocabularySize => NumWords ?? _index.Count + 1;

    /// <summary>Keras <c>text_to_word_sequence</c>: lower-case, turn filter characters into spaces, split.</summary>
    public IEnumerable<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string prepared = Lower ? text.ToLowerInvariant() : text;
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
        foreach (string text in texts)
        {
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
            }
        }

        _index.Clear();
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
    }

    /// <summary>Keras <c>texts_to_sequences</c> for one text.</summary>
    public int[] TextToSequence(string text)
    {
        var sequence = new List<int>();
        int? oov = OovToken is not null && _index.TryGetValue(OovToken, out int o) ? o : null;
        foreach (string word in Words(text))
        {
            if (_index.TryGetValue(word, out int index) && (NumWords is null || index < NumWords))
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
