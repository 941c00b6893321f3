using System;
using System.Linq;
using RnnDsl.Tests.Models;
using RnnDsl.Tests.Models.Gated;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// <c>model.Predict(sequences)</c>, Keras's <c>predict</c> for sequences of mixed lengths: each row equals a <c>Predict</c>
/// of its sequence alone, in the caller's order, on one thread or several; bad sequences are named.
/// </summary>
public class RaggedPredictionTests
{
    private static int[][] RaggedTokens(int count, int vocabulary, int maxLength, int seed, bool padding)
    {
        var random = new SeededRandom(seed);
        return Enumerable.Range(0, count).Select(i => TestData.Tokens(1 + random.NextInt(maxLength), vocabulary, seed + i, padding)).ToArray();
    }

    private static void AssertEachEqualsPredict(ITokenModel model, int[][] sequences, int threads)
    {
        float[][] rows = model.Predict(sequences, threads);
        Assert.Equal(sequences.Length, rows.Length);
        for (int i = 0; i < sequences.Length; i++)
        {
            var alone = new float[model.OutputLength(sequences[i].Length)];
            model.Predict(sequences[i], alone);
            TestData.AssertSameUpToRounding(alone, rows[i], "sequence " + i);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Each_row_is_its_sequence_predicted_alone_in_the_callers_order(int threads)
    {
        // 150 sequences of 1 to 12 tokens: several lengths, and groups of more than one batch of 64.
        var sentiment = new SentimentModel();
        TestData.Randomize(sentiment.Parameters, 1);
        AssertEachEqualsPredict(sentiment, RaggedTokens(150, 10000, 12, seed: 3, padding: false), threads);

        var tagger = new Tagger(); // masked, bidirectional, a row per step
        TestData.Randomize(tagger.Parameters, 2);
        AssertEachEqualsPredict(tagger, RaggedTokens(40, 40, 9, seed: 5, padding: true), threads);

        var stack = new LstmThenGru();
        TestData.Randomize(stack.Parameters, 3);
        AssertEachEqualsPredict(stack, RaggedTokens(70, 30, 20, seed: 7, padding: true), threads);

        var lengths = Enumerable.Repeat(5, 130).ToArray(); // one length, three batches
        AssertEachEqualsPredict(stack, lengths.Select((n, i) => TestData.Tokens(n, 30, i, padding: true)).ToArray(), threads);
    }

    [Fact]
    public void Real_valued_sequences_of_mixed_lengths()
    {
        var model = new GruSequence();
        TestData.Randomize(model.Parameters, 4);
        float[][] sequences = Enumerable.Range(1, 9).Select(steps => TestData.Reals(steps * GruSequence.Features, seed: steps)).ToArray();
        float[][] rows = model.Predict(sequences, degreeOfParallelism: 2);
        for (int i = 0; i < sequences.Length; i++)
        {
            var alone = new float[model.OutputLength(i + 1)];
            model.Predict(sequences[i], alone);
            TestData.AssertSameUpToRounding(alone, rows[i], "sequence " + i);
        }
    }

    [Fact]
    public void A_bad_sequence_is_named_and_nothing_is_predicted()
    {
        var model = new SimpleClassifier();
        var outOfRange = Assert.Throws<ArgumentException>("sequences", () => model.Predict(new[] { new[] { 1, 2 }, new[] { 3, 10000 } }));
        Assert.Contains("sequences[1][1] is 10000", outOfRange.Message);
        Assert.Contains("sequences[0] is empty", Assert.Throws<ArgumentException>("sequences", () => model.Predict(new[] { Array.Empty<int>() })).Message);
        Assert.Contains("sequences[1] is null", Assert.Throws<ArgumentException>("sequences", () => model.Predict(new[] { new[] { 1 }, null! })).Message);
        var fixedLength = new FixedLength();
        Assert.Contains("sequences[0] has 13 steps", Assert.Throws<ArgumentException>("sequences", () => fixedLength.Predict(new[] { new int[13] })).Message);
        var real = new GruSequence();
        Assert.Contains("sequences[0] has 3 values", Assert.Throws<ArgumentException>("sequences", () => real.Predict(new[] { new float[3] })).Message);
        Assert.Throws<ArgumentOutOfRangeException>("degreeOfParallelism", () => model.Predict(new[] { new[] { 1 } }, 0));
        Assert.Empty(model.Predict(Array.Empty<int[]>()));
    }
}
