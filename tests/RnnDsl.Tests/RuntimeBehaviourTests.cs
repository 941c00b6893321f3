using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

public class RuntimeBehaviourTests
{
    [Fact]
    public void Predict_allocates_nothing_after_warm_up()
    {
        var sentiment = new SentimentModel();
        var tagger = new Tagger();
        var forecaster = new Forecaster();
        int[] tokens = TestData.Tokens(100, 10000, seed: 1, padding: false);
        int[] tags = TestData.Tokens(30, 40, seed: 2, padding: true);
        float[] window = TestData.Reals(10, seed: 3);
        var one = new float[1];
        var perStep = new float[tagger.OutputLength(tags.Length)];
        var batchTokens = new int[64 * 100];
        var batchOutputs = new float[64];

        void Run()
        {
            sentiment.Predict(tokens, one);
            tagger.Predict(tags, perStep);
            forecaster.Predict(window, one);
            sentiment.PredictBatch(batchTokens, 64, batchOutputs);
        }

        Run(); // warm-up: the thread's scratch buffer is sized here
        long before = TestData.AllocatedBytes();
        for (int i = 0; i < 200; i++)
        {
            Run();
        }

        long allocated = TestData.AllocatedBytes() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Many_threads_on_one_model_get_the_single_thread_results()
    {
        var model = new Tagger();
        TestData.Randomize(model.Parameters, seed: 9);
        const int Sequences = 64;
        int[][] inputs = Enumerable.Range(0, Sequences)
            .Select(i => TestData.Tokens(5 + i % 23, 40, seed: i, padding: true))
            .ToArray();
        float[][] expected = inputs.Select(tokens =>
        {
            var output = new float[model.OutputLength(tokens.Length)];
            model.Predict(tokens, output);
            return output;
        }).ToArray();

        int mismatches = 0;
        using var start = new Barrier(8);
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            start.SignalAndWait();
            for (int round = 0; round < 50; round++)
            {
                for (int i = (worker + round) % Sequences; i < Sequences; i += 7)
                {
                    var output = new float[expected[i].Length];
                    model.Predict(inputs[i], output);
                    if (!output.AsSpan().SequenceEqual(expected[i]))
                    {
                        Interlocked.Increment(ref mismatches);
                    }
                }
            }
        });
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Same_seed_same_parameters_and_other_seed_other_parameters()
    {
        var a = new SimpleClassifier(7);
        var b = new SimpleClassifier(7);
        var c = new SimpleClassifier(8);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));
        Assert.True(new SimpleClassifier().Parameters.SequenceEqual(new SimpleClassifier(SimpleClassifier.DefaultSeed).Parameters));

        a.Parameters.Fill(1f);
        a.Initialize(7);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
    }

    [Fact]
    public void Default_initialisation_follows_Keras()
    {
        // Layout of SentimentModel: embeddings, then forward and backward (kernel, recurrent kernel, bias), then dense.
        var model = new SentimentModel();
        Span<float> p = model.Parameters;
        Span<float> embeddings = p.Slice(0, 320000);
        Assert.All(embeddings.ToArray(), v => Assert.InRange(v, -0.05f, 0.05f));
        Assert.True(embeddings.ToArray().Select(Math.Abs).Max() > 0.049f); // spread over the whole range

        int offset = 320000;
        for (int direction = 0; direction < 2; direction++)
        {
            float glorot = MathF.Sqrt(6f / (32 + 64));
            Assert.All(p.Slice(offset, 32 * 64).ToArray(), v => Assert.InRange(v, -glorot, glorot));
            AssertOrthogonal(p.Slice(offset + 32 * 64, 64 * 64).ToArray(), 64);
            Assert.All(p.Slice(offset + 32 * 64 + 64 * 64, 64).ToArray(), v => Assert.Equal(0f, v));
            offset += 6208;
        }

        float denseLimit = MathF.Sqrt(6f / (128 + 1));
        Assert.All(p.Slice(offset, 128).ToArray(), v => Assert.InRange(v, -denseLimit, denseLimit));
        Assert.Equal(0f, p[offset + 128]);
    }

    private static void AssertOrthogonal(float[] q, int n)
    {
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double dot = 0;
                for (int k = 0; k < n; k++)
                {
                    dot += (double)q[i * n + k] * q[j * n + k];
                }

                Assert.Equal(i == j ? 1.0 : 0.0, dot, 5);
            }
        }
    }

    [Fact]
    public void Parameter_counts_follow_the_Keras_formulas()
    {
        // Embedding vocab * dim; SimpleRNN units * (input + units + 1); Dense in * out + out.
        Assert.Equal(10000 * 32 + 2 * 64 * (32 + 64 + 1) + (128 * 1 + 1), SentimentModel.ParameterCount);
        Assert.Equal(332545, SentimentModel.ParameterCount);
        Assert.Equal(10000 * 32 + 64 * (32 + 64 + 1) + (64 + 1), SimpleClassifier.ParameterCount);
        Assert.Equal(326273, SimpleClassifier.ParameterCount);
        Assert.Equal(32 * (1 + 32 + 1) + (32 + 1), Forecaster.ParameterCount);
        Assert.Equal(1121, Forecaster.ParameterCount);
        Assert.Equal(40 * 6 + 2 * 5 * (6 + 5 + 1) + (10 * 4 + 4), Tagger.ParameterCount);
        Assert.Equal(50 * 8 + 7 * (8 + 7 + 1) + 5 * (7 + 5 + 1) + (5 * 3 + 3), Stacked.ParameterCount);
        Assert.Equal(SentimentModel.ParameterCount, new SentimentModel().Parameters.Length);
    }

    [Fact]
    public void Summary_is_the_Keras_table()
    {
        string expected = string.Join("\n",
            "Model: \"SentimentModel\"",
            "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
            "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
            "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
            "│ embedding (Embedding)           │ (None, None, 32)       │       320,000 │",
            "├─────────────────────────────────┼────────────────────────┼───────────────┤",
            "│ bidirectional (Bidirectional)   │ (None, 128)            │        12,416 │",
            "├─────────────────────────────────┼────────────────────────┼───────────────┤",
            "│ dense (Dense)                   │ (None, 1)              │           129 │",
            "└─────────────────────────────────┴────────────────────────┴───────────────┘",
            " Total params: 332,545 (1.27 MB)",
            " Trainable params: 332,545 (1.27 MB)",
            " Non-trainable params: 0 (0.00 B)",
            "");
        Assert.Equal(expected, new SentimentModel().Summary());
    }

    [Fact]
    public void Summary_names_layers_and_shapes_as_Keras_does()
    {
        string stacked = new Stacked().Summary();
        Assert.Contains("│ simple_rnn (SimpleRNN)          │ (None, None, 7)        │           112 │", stacked);
        Assert.Contains("│ simple_rnn_1 (SimpleRNN)        │ (None, 5)              │            65 │", stacked);
        Assert.Contains("│ dense (Dense)                   │ (None, 3)              │            18 │", stacked);

        // The wrapped layer takes a simple_rnn name before its Bidirectional wrapper, as in Keras.
        string bidiThenRnn = new BidiThenRnn().Summary();
        Assert.Contains("│ bidirectional (Bidirectional)   │ (None, None, 10)       │           100 │", bidiThenRnn);
        Assert.Contains("│ simple_rnn_1 (SimpleRNN)        │ (None, 3)              │            42 │", bidiThenRnn);

        Assert.Contains("│ simple_rnn (SimpleRNN)          │ (None, 32)             │         1,088 │", new Forecaster().Summary());
        Assert.Contains("│ embedding (Embedding)           │ (None, 12, 8)          │           800 │", new FixedLength().Summary());
        Assert.Contains(" Total params: 1,121 (4.38 KB)", new Forecaster().Summary());
    }
}
