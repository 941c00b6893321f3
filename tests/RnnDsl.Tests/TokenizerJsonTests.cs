using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using RnnDsl.Text;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>The tokenizer kept beside the weights: Keras's to_json/tokenizer_from_json format, and turning indices back into words.</summary>
public class TokenizerJsonTests
{
    private static readonly string[] Texts = { "The cat sat on the mat.", "The dog ate the cat's dinner!", "A dog, a cat." };

    [Fact]
    public void A_tokenizer_survives_its_JSON_and_a_file()
    {
        var tokenizer = new Tokenizer(numWords: 6, oovToken: "<OOV>");
        tokenizer.FitOnTexts(Texts);
        Tokenizer copy = Tokenizer.FromJson(tokenizer.ToJson());
        Assert.Equal(tokenizer.WordIndex.OrderBy(e => e.Value), copy.WordIndex.OrderBy(e => e.Value));
        Assert.Equal(6, copy.NumWords);
        Assert.Equal("<OOV>", copy.OovToken);
        Assert.Equal(3, copy.DocumentCount);
        string unseen = "the zebra ate a dinner";
        Assert.Equal(tokenizer.TextToSequence(unseen), copy.TextToSequence(unseen));

        // Fitting more text after loading continues the counts Keras would have.
        tokenizer.FitOnTexts(new[] { "mat mat mat mat mat" });
        copy.FitOnTexts(new[] { "mat mat mat mat mat" });
        Assert.Equal(tokenizer.WordIndex.OrderBy(e => e.Value), copy.WordIndex.OrderBy(e => e.Value));
        Assert.Equal(tokenizer.ToJson(), copy.ToJson());

        string path = Path.Combine(Path.GetTempPath(), "rnndsl-tokenizer-" + System.Guid.NewGuid().ToString("N") + ".json");
        try
        {
            tokenizer.Save(path);
            Assert.Equal(tokenizer.ToJson(), Tokenizer.Load(path).ToJson());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_JSON_has_Keras_to_json_layout_with_nested_JSON_strings()
    {
        var tokenizer = new Tokenizer(oovToken: "<OOV>");
        tokenizer.FitOnTexts(new[] { "the cat sat", "the dog" });
        using JsonDocument document = JsonDocument.Parse(tokenizer.ToJson());
        Assert.Equal("Tokenizer", document.RootElement.GetProperty("class_name").GetString());
        JsonElement config = document.RootElement.GetProperty("config");
        Assert.Equal(JsonValueKind.Null, config.GetProperty("num_words").ValueKind);
        Assert.Equal(" ", config.GetProperty("split").GetString());
        Assert.Equal(2, config.GetProperty("document_count").GetInt32());
        using JsonDocument counts = JsonDocument.Parse(config.GetProperty("word_counts").GetString()!);
        Assert.Equal(new[] { ("the", 2), ("cat", 1), ("sat", 1), ("dog", 1) }, counts.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())));
        using JsonDocument index = JsonDocument.Parse(config.GetProperty("word_index").GetString()!);
        Assert.Equal(new[] { ("<OOV>", 1), ("the", 2), ("cat", 3), ("sat", 4), ("dog", 5) }, index.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())));
        using JsonDocument words = JsonDocument.Parse(config.GetProperty("index_word").GetString()!);
        Assert.Equal("dog", words.RootElement.GetProperty("5").GetString());
        using JsonDocument docs = JsonDocument.Parse(config.GetProperty("index_docs").GetString()!);
        Assert.Equal(2, docs.RootElement.GetProperty("2").GetInt32());
    }

    [Fact]
    public void A_tokenizer_Keras_wrote_is_read()
    {
        // What Keras 2.x tokenizer.to_json() gives for Tokenizer(num_words=4, oov_token="<OOV>").fit_on_texts(["the cat sat", "the dog"]).
        const string keras = "{\"class_name\": \"Tokenizer\", \"config\": {\"num_words\": 4, \"filters\": \"!\\\"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n\", "
            + "\"lower\": true, \"split\": \" \", \"char_level\": false, \"oov_token\": \"<OOV>\", \"document_count\": 2, "
            + "\"word_counts\": \"{\\\"the\\\": 2, \\\"cat\\\": 1, \\\"sat\\\": 1, \\\"dog\\\": 1}\", "
            + "\"word_docs\": \"{\\\"sat\\\": 1, \\\"the\\\": 2, \\\"cat\\\": 1, \\\"dog\\\": 1}\", "
            + "\"index_docs\": \"{\\\"4\\\": 1, \\\"2\\\": 2, \\\"3\\\": 1, \\\"5\\\": 1}\", "
            + "\"index_word\": \"{\\\"1\\\": \\\"<OOV>\\\", \\\"2\\\": \\\"the\\\", \\\"3\\\": \\\"cat\\\", \\\"4\\\": \\\"sat\\\", \\\"5\\\": \\\"dog\\\"}\", "
            + "\"word_index\": \"{\\\"<OOV>\\\": 1, \\\"the\\\": 2, \\\"cat\\\": 3, \\\"sat\\\": 4, \\\"dog\\\": 5}\"}}";
        Tokenizer tokenizer = Tokenizer.FromJson(keras);
        Assert.Equal(Tokenizer.DefaultFilters, tokenizer.Filters);
        Assert.Equal(4, tokenizer.NumWords);
        Assert.Equal(new[] { 2, 3, 1, 1 }, tokenizer.TextToSequence("The cat sat down")); // sat is index 4, past num_words: OOV
        Assert.Equal("dog", tokenizer.Word(5));
        Assert.Null(tokenizer.Word(0));
    }

    [Fact]
    public void Sequences_become_texts_as_Keras_sequences_to_texts_does()
    {
        var tokenizer = new Tokenizer(numWords: 4, oovToken: "<OOV>");
        tokenizer.FitOnTexts(new[] { "the cat sat", "the dog" });
        // As tf-keras's sequences_to_texts_generator: with an OOV token, padding and unknown indices become it too.
        Assert.Equal(new[] { "<OOV> <OOV> the cat <OOV>", "<OOV> the <OOV>" }, tokenizer.SequencesToTexts(new[] { new[] { 0, 0, 2, 3, 4 }, new[] { 5, 2, 99 } }));

        var plain = new Tokenizer(numWords: 3);
        plain.FitOnTexts(new[] { "the cat sat", "the dog" });
        Assert.Equal("the cat", plain.SequenceToText(new[] { 0, 1, 2, 3, 4 })); // padding, past num_words, no OOV token: left out
    }

    [Fact]
    public void Bad_JSON_is_an_InvalidDataException_that_says_what_is_wrong()
    {
        Assert.Contains("not a tokenizer's JSON", Assert.Throws<InvalidDataException>(() => Tokenizer.FromJson("{oops")).Message);
        Assert.Contains("no \"config\"", Assert.Throws<InvalidDataException>(() => Tokenizer.FromJson("{\"class_name\": \"Tokenizer\"}")).Message);
        Assert.Contains("not a Tokenizer", Assert.Throws<InvalidDataException>(() => Tokenizer.FromJson("{\"class_name\": \"Sequential\", \"config\": {}}")).Message);
        Assert.Contains("word_counts", Assert.Throws<InvalidDataException>(() => Tokenizer.FromJson("{\"config\": {}}")).Message);
        Assert.Null(Tokenizer.FromJson("{\"config\": {\"num_words\": 0, \"word_counts\": \"{}\", \"word_index\": \"{}\"}}").NumWords); // Keras: 0 is no limit
    }

    [Fact]
    public void A_character_level_tokenizer_indexes_characters_by_count_and_round_trips()
    {
        // Keras char_level=True: every character is a token, spaces and punctuation too (filters are not applied),
        // after lower-casing; indices by count, ties in first-seen order. "Aa b!": a×2, ' '×1, b×1, !×1.
        var tokenizer = new Tokenizer(charLevel: true);
        tokenizer.FitOnTexts(new[] { "Aa b!" });
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, [" "] = 2, ["b"] = 3, ["!"] = 4 }, tokenizer.WordIndex);
        Assert.Equal(new[] { 3, 1, 2, 4 }, tokenizer.TextToSequence("BA !"));
        Assert.Equal(5, tokenizer.VocabularySize);

        string json = tokenizer.ToJson();
        Assert.Contains("\"char_level\":true", json);
        Tokenizer loaded = Tokenizer.FromJson(json);
        Assert.True(loaded.CharLevel);
        Assert.Equal(tokenizer.WordIndex, loaded.WordIndex);
        Assert.Equal(new[] { 3, 1, 2, 4 }, loaded.TextToSequence("BA !"));
    }

    [Fact]
    public void A_compact_tokenizer_gives_the_same_sequences_and_a_smaller_JSON()
    {
        // numWords 4: indices 1 (OOV), 2 and 3 are produced; "c", "d" and "e" become the OOV token.
        var tokenizer = new Tokenizer(numWords: 4, oovToken: "<oov>");
        tokenizer.FitOnTexts(new[] { "a a a b b c d", "a b e", "c" });
        Tokenizer compact = tokenizer.Compact();
        Assert.Equal(new Dictionary<string, int> { ["<oov>"] = 1, ["a"] = 2, ["b"] = 3 }, compact.WordIndex);
        string[] texts = { "a b c d e f", "e e a", "nothing known", "" };
        foreach (string text in texts)
        {
            Assert.Equal(tokenizer.TextToSequence(text), compact.TextToSequence(text));
        }

        Assert.Equal(new[] { 2, 3, 1, 1, 1, 1 }, compact.TextToSequence("a b c d e f"));
        Assert.Equal(tokenizer.SequenceToText(new[] { 2, 3, 1, 5 }), compact.SequenceToText(new[] { 2, 3, 1, 5 }));
        Assert.True(compact.ToJson().Length < tokenizer.ToJson().Length);
        Tokenizer loaded = Tokenizer.FromJson(compact.ToJson());
        Assert.Equal(tokenizer.TextToSequence("a b c d e f"), loaded.TextToSequence("a b c d e f"));
        Assert.Equal(3, loaded.DocumentCount);

        var unlimited = new Tokenizer();
        unlimited.FitOnTexts(new[] { "x y z" });
        Assert.Equal(unlimited.ToJson(), unlimited.Compact().ToJson());
    }
}
