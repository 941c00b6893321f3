using System;
using System.Linq;
using RnnDsl.Text;
using Xunit;

namespace RnnDsl.Tests;

public class LossAndTextTests
{
    [Fact]
    public void Losses_have_their_Keras_values()
    {
        var gradient = new float[3];
        // BCE, averaged over the row: (-ln 0.8 - ln(1 - 0.3)) / 2
        Assert.Equal((-Math.Log(0.8) - Math.Log(0.7)) / 2, LossFunctions.Evaluate(Loss.BinaryCrossentropy, [0.8f, 0.3f], [1f, 0f], 1f, gradient), 6);
        // A probability of exactly 0 is clipped to 1e-7: the loss is finite and the gradient 0.
        Assert.Equal(-Math.Log(1e-7), LossFunctions.Evaluate(Loss.BinaryCrossentropy, [0f], [1f], 1f, gradient), 3);
        Assert.Equal(0f, gradient[0]);
        // Sparse categorical: -ln p[label], after normalising the row to sum 1.
        Assert.Equal(-Math.Log(0.5), LossFunctions.Evaluate(Loss.SparseCategoricalCrossentropy, [0.2f, 0.5f, 0.3f], [1f], 1f, gradient), 6);
        Assert.Equal(-Math.Log(0.25), LossFunctions.Evaluate(Loss.SparseCategoricalCrossentropy, [0.2f, 0.4f, 0.2f], [2f], 1f, gradient), 6);
        // Categorical with a soft target.
        Assert.Equal(-(0.5 * Math.Log(0.2) + 0.5 * Math.Log(0.3)), LossFunctions.Evaluate(Loss.CategoricalCrossentropy, [0.2f, 0.5f, 0.3f], [0.5f, 0f, 0.5f], 1f, gradient), 6);
        // Mean squared error, averaged over the row; gradient 2 (p - y) / width.
        Assert.Equal((0.25 + 1) / 2, LossFunctions.Evaluate(Loss.MeanSquaredError, [1.5f, -1f], [1f, 0f], 1f, gradient), 6);
        Assert.Equal(new[] { 0.5f, -1f }, gradient.Take(2).ToArray());
    }

    [Fact]
    public void Sparse_target_outside_the_classes_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => LossFunctions.Evaluate(Loss.SparseCategoricalCrossentropy, [0.5f, 0.5f], [2f], 1f, new float[2]));
        Assert.Contains("[0, 2)", error.Message);
        Assert.Throws<ArgumentException>(() => LossFunctions.Evaluate(Loss.SparseCategoricalCrossentropy, [0.5f, 0.5f], [0.5f], 1f, new float[2]));
    }

    [Fact]
    public void Tokenizer_orders_words_by_frequency_as_Keras_does()
    {
        var tokenizer = new Tokenizer();
        tokenizer.FitOnTexts(["The cat sat.", "The dog sat, the END!"]);
        // the: 3, sat: 2, then cat, dog, end in order of first appearance.
        Assert.Equal(1, tokenizer.WordIndex["the"]);
        Assert.Equal(2, tokenizer.WordIndex["sat"]);
        Assert.Equal(3, tokenizer.WordIndex["cat"]);
        Assert.Equal(4, tokenizer.WordIndex["dog"]);
        Assert.Equal(5, tokenizer.WordIndex["end"]);
        Assert.Equal(new[] { 1, 4, 2, 6 - 1 }, tokenizer.TextToSequence("the DOG sat... end"));
        Assert.Equal(new[] { 1, 3 }, tokenizer.TextToSequence("the bird cat")); // unknown words are dropped without an OOV token
        Assert.Equal(6, tokenizer.VocabularySize);
    }

    [Fact]
    public void Tokenizer_with_oov_and_numWords_maps_rare_words_to_the_oov_index()
    {
        var tokenizer = new Tokenizer(numWords: 4, oovToken: "<oov>");
        tokenizer.FitOnTexts(["a a a b b c d", "e"]);
        Assert.Equal(1, tokenizer.WordIndex["<oov>"]);
        Assert.Equal(2, tokenizer.WordIndex["a"]);
        Assert.Equal(3, tokenizer.WordIndex["b"]);
        Assert.Equal(4, tokenizer.WordIndex["c"]); // indexed, but at numWords: out of vocabulary
        Assert.Equal(new[] { 2, 3, 1, 1, 1 }, tokenizer.TextToSequence("a b c zebra d"));
        Assert.Equal(4, tokenizer.VocabularySize);
    }

    [Fact]
    public void Pad_sequences_pads_and_truncates_on_either_side()
    {
        int[][] sequences = [[1, 2, 3], [4], [5, 6, 7, 8, 9]];
        Assert.Equal(new[] { new[] { 0, 1, 2, 3 }, new[] { 0, 0, 0, 4 }, new[] { 6, 7, 8, 9 } }, Sequences.Pad(sequences, 4));
        Assert.Equal(new[] { new[] { 1, 2, 3, 0 }, new[] { 4, 0, 0, 0 }, new[] { 5, 6, 7, 8 } }, Sequences.Pad(sequences, 4, PadSide.Post, PadSide.Post));
        Assert.Equal(5, Sequences.Pad(sequences).Single(s => s[0] == 5).Length); // default: the longest
        Assert.Equal(new[] { -1, -1, 4 }, Sequences.Pad([[4]], 3, value: -1)[0]);
    }
}
