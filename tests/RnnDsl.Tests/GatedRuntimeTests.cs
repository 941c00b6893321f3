using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RnnDsl.Tests.Models.Gated;
using Xunit;
using static RnnDsl.Tests.KerasReference;

namespace RnnDsl.Tests;

/// <summary>
/// LSTM and GRU models as a user meets them: Keras parameter counts and summaries, Keras default initialisation,
/// no allocation per prediction or gradient after warm-up, and one model shared by many threads.
/// </summary>
public class GatedRuntimeTests
{
    [Fact]
    public void Parameter_counts_follow_the_Keras_formulas()
    {
        // LSTM 4u(in + u + 1); GRU 3u(in + u + 2) with ResetAfter, 3u(in + u + 1) without; Bidirectional twice its layer.
        Assert.Equal(402561, LstmSentiment.ParameterCount);
        Assert.Equal(10000 * 32 + 4 * 128 * (32 + 128 + 1) + (128 + 1), LstmSentiment.ParameterCount);
        Assert.Equal(382337, GruSentiment.ParameterCount);
        Assert.Equal(10000 * 32 + 3 * 128 * (32 + 128 + 2) + (128 + 1), GruSentiment.ParameterCount);
        Assert.Equal(10000 * 32 + 2 * 4 * 64 * (32 + 64 + 1) + 3 * 32 * (128 + 32 + 2) + (32 + 1), Reviews.ParameterCount);
        Assert.Equal(385249, Reviews.ParameterCount);
        Assert.Equal(4 * 128 * (3 + 128 + 1) + (128 + 1), LoadForecaster.ParameterCount);
        Assert.Equal(67713, LoadForecaster.ParameterCount);

        Assert.Equal(30 * 5 + 3 * 6 * (5 + 6 + 1) + (6 * 2 + 2), GruResetBefore.ParameterCount);
        Assert.Equal(2 * 3 * 4 * (3 + 4 + 1) + (8 * 2 + 2), BidiGruResetBefore.ParameterCount);
        Assert.Equal(3 * 4 * (2 + 4 + 1) + 3 * 3 * (4 + 3 + 2) + (3 + 1), GruResetBeforeThenAfter.ParameterCount);
        Assert.Equal(25 * 4 + 2 * 3 * 5 * (4 + 5 + 2) + (5 * 2 + 2), BidiGruSum.ParameterCount);
        Assert.Equal(2 * 4 * 4 * (3 + 4 + 1) + (4 + 1), BidiLstmMul.ParameterCount);
        Assert.Equal(2 * (3 * 3 * (2 + 3 + 2)) + 2 * (4 * 4 * (3 + 4 + 1)) + (4 * 2 + 2), GatedBidiStack.ParameterCount);
        Assert.Equal(30 * 4 + 5 * (4 + 5 + 1) + 4 * 3 * (5 + 3 + 1) + (3 * 2 + 2), SimpleRnnThenLstm.ParameterCount);
        Assert.Equal(3 * 5 * (2 + 5 + 2) + 3 * (5 + 3 + 1) + (3 * 2 + 2), GruThenSimpleRnn.ParameterCount);

        // And every test model: the count is the reference's, which reads exactly that many values.
        foreach (object[] model in GatedForwardTests.Models())
        {
            var modelCase = (ForwardTests.ModelCase)model[1];
            IRnnModel instance = modelCase.Create();
            var last = GradientTests.Blocks(modelCase.Layers)[^1];
            Assert.True(last.Offset + last.Length == instance.Parameters.Length,
                $"{model[0]}: Keras count_params() is {last.Offset + last.Length}; the model has {instance.Parameters.Length} parameters");
            Assert.Equal(instance.Parameters.Length, instance.Weights.ParameterCount);
        }
    }

    private static string Row(string layer, string shape, string parameters) =>
        $"│ {layer,-31} │ {shape,-22} │ {parameters,13} │";

    private const string Separator = "├─────────────────────────────────┼────────────────────────┼───────────────┤";

    private static string Table(string model, long total, string size, params string[] rows)
    {
        var lines = new List<string>
        {
            $"Model: \"{model}\"",
            "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
            "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
            "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        };
        for (int i = 0; i < rows.Length; i++)
        {
            if (i > 0)
            {
                lines.Add(Separator);
            }

            lines.Add(rows[i]);
        }

        lines.Add("└─────────────────────────────────┴────────────────────────┴───────────────┘");
        string count = total.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        lines.Add($" Total params: {count} ({size})");
        lines.Add($" Trainable params: {count} ({size})");
        lines.Add(" Non-trainable params: 0 (0.00 B)");
        lines.Add(string.Empty);
        return string.Join("\n", lines);
    }

    [Fact]
    public void Summary_of_the_issue_examples_is_the_Keras_table()
    {
        Assert.Equal(
            Table("Reviews", 385249, "1.47 MB",
                Row("embedding (Embedding)", "(None, None, 32)", "320,000"),
                Row("bidirectional (Bidirectional)", "(None, None, 128)", "49,664"),
                Row("gru (GRU)", "(None, 32)", "15,552"),
                Row("dense (Dense)", "(None, 1)", "33")),
            new Reviews().Summary());
        Assert.Equal(
            Table("LoadForecaster", 67713, "264.50 KB",
                Row("lstm (LSTM)", "(None, 128)", "67,584"),
                Row("dense (Dense)", "(None, 1)", "129")),
            new LoadForecaster().Summary());
        Assert.Equal(
            Table("LstmSentiment", 402561, "1.54 MB",
                Row("embedding (Embedding)", "(None, None, 32)", "320,000"),
                Row("lstm (LSTM)", "(None, 128)", "82,432"),
                Row("dense (Dense)", "(None, 1)", "129")),
            new LstmSentiment().Summary());
        Assert.Equal(
            Table("GruSentiment", 382337, "1.46 MB",
                Row("embedding (Embedding)", "(None, None, 32)", "320,000"),
                Row("gru (GRU)", "(None, 128)", "62,208"),
                Row("dense (Dense)", "(None, 1)", "129")),
            new GruSentiment().Summary());
    }

    [Fact]
    public void Summary_names_and_numbers_gated_layers_as_Keras_does()
    {
        // Keras numbers each class's layers on its own: lstm, lstm_1; gru, gru_1; and a layer wrapped in Bidirectional
        // takes its class's name before the wrapper does.
        string stack = new LstmStack().Summary();
        Assert.Contains(Row("lstm (LSTM)", "(None, None, 6)", "264"), stack);
        Assert.Contains(Row("lstm_1 (LSTM)", "(None, 4)", "176"), stack);

        string lstmThenGru = new LstmThenGru().Summary();
        Assert.Contains(Row("lstm (LSTM)", "(None, None, 6)", "264"), lstmThenGru);
        Assert.Contains(Row("gru (GRU)", "(None, 3)", "99"), lstmThenGru);

        string bidiLstmThenLstm = new BidiLstmThenLstm().Summary();
        Assert.Contains(Row("bidirectional (Bidirectional)", "(None, None, 8)", "288"), bidiLstmThenLstm);
        Assert.Contains(Row("lstm_1 (LSTM)", "(None, 3)", "144"), bidiLstmThenLstm);

        string bidiGruThenLstm = new BidiGruThenLstm().Summary();
        Assert.Contains(Row("bidirectional (Bidirectional)", "(None, None, 8)", "240"), bidiGruThenLstm);
        Assert.Contains(Row("lstm (LSTM)", "(None, 3)", "144"), bidiGruThenLstm);

        string resetBefore = new GruResetBeforeThenAfter().Summary();
        Assert.Contains(Row("gru (GRU)", "(None, None, 4)", "84"), resetBefore);
        Assert.Contains(Row("gru_1 (GRU)", "(None, 3)", "81"), resetBefore);

        string mixed = new SimpleRnnThenLstm().Summary();
        Assert.Contains(Row("simple_rnn (SimpleRNN)", "(None, None, 5)", "50"), mixed);
        Assert.Contains(Row("lstm (LSTM)", "(None, 3)", "108"), mixed);

        string gruThenRnn = new GruThenSimpleRnn().Summary();
        Assert.Contains(Row("gru (GRU)", "(None, None, 5)", "135"), gruThenRnn);
        Assert.Contains(Row("simple_rnn (SimpleRNN)", "(None, 3)", "27"), gruThenRnn);

        string bidiStack = new GatedBidiStack().Summary();
        Assert.Contains(Row("bidirectional (Bidirectional)", "(None, None, 3)", "126"), bidiStack);
        Assert.Contains(Row("bidirectional_1 (Bidirectional)", "(None, None, 4)", "256"), bidiStack);

        Assert.Contains(Row("gru (GRU)", "(None, 6)", "216"), new GruResetBefore().Summary());
        Assert.Contains(Row("bidirectional (Bidirectional)", "(None, 66)", "11,352"), new WideBidiLstm().Summary());
    }

    [Fact]
    public void The_manifest_gives_gated_arrays_their_Keras_shapes()
    {
        // get_weights() shapes: kernel [in, k·u], recurrent_kernel [u, k·u], bias [4u] (LSTM), [2, 3u] (GRU, reset after)
        // or [3u] (GRU, reset before).
        Assert.Equal(
            new[] { new[] { 25, 4 }, [4, 16], [4, 16], [16], [4, 16], [4, 16], [16], [8, 12], [3, 12], [12], [3, 1], [1] },
            new BidiLstmThenLstm().Weights.Select(w => w.Shape.ToArray()).ToArray());
        Assert.Equal(
            new[] { new[] { 2, 12 }, [4, 12], [12], [4, 9], [3, 9], [2, 9], [3, 1], [1] },
            new GruResetBeforeThenAfter().Weights.Select(w => w.Shape.ToArray()).ToArray());
        Assert.Equal(
            new[] { WeightRole.Embeddings, WeightRole.Kernel, WeightRole.RecurrentKernel, WeightRole.Bias, WeightRole.Kernel, WeightRole.Bias },
            new GruMasked().Weights.Select(w => w.Role).ToArray());
    }

    public static IEnumerable<object[]> AllModels() => GatedForwardTests.Models().Select(m => new object[] { m[0] });

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Initialize_follows_Keras(string name)
    {
        // Embeddings uniform(±0.05); kernels glorot_uniform over [fan_in, fan_out]; recurrent kernels orthogonal over their
        // whole [u, k·u] shape (Keras's Orthogonal gives orthonormal rows: R Rᵀ = I); biases zero, except the LSTM forget
        // gate's block, ones with UnitForgetBias; Dense kernels glorot_uniform and biases zero.
        ForwardTests.ModelCase model = GatedForwardTests.Find(name);
        IRnnModel instance = model.Create();
        instance.Parameters.Fill(42f);
        instance.Initialize(12345);
        float[] p = instance.Parameters.ToArray();

        int offset = 0;
        int width = 0;
        float[] Next(int count)
        {
            float[] block = p.AsSpan(offset, count).ToArray();
            offset += count;
            return block;
        }

        foreach (Layer layer in model.Layers)
        {
            switch (layer)
            {
                case Embedding e:
                    AssertUniform(Next(e.Vocabulary * e.Dimension), 0.05f, $"{name} embeddings");
                    width = e.Dimension;
                    break;
                case Input i:
                    width = i.Features;
                    break;
                case Recurrent r:
                    int u = r.Units;
                    int columns = r.GateColumns;
                    for (int direction = 0; direction < (r.Bidirectional ? 2 : 1); direction++)
                    {
                        string what = $"{name} {r.GetType().Name}({u}) direction {direction}";
                        AssertUniform(Next(width * columns), MathF.Sqrt(6f / (width + columns)), what + " kernel");
                        AssertOrthonormalRows(Next(u * columns), u, columns, what + " recurrent_kernel");
                        float[] bias = Next(r.BiasRows * columns);
                        for (int j = 0; j < bias.Length; j++)
                        {
                            bool forgetGate = r is Lstm { UnitForgetBias: true } && j >= u && j < 2 * u;
                            Assert.True(bias[j] == (forgetGate ? 1f : 0f),
                                $"{what} bias[{j}] (gate {r.Gates[j % columns / u]}) is {bias[j]:R}; Keras starts it at {(forgetGate ? 1 : 0)}");
                        }
                    }

                    width = r.OutputWidth;
                    break;
                case Dense d:
                    AssertUniform(Next(width * d.Units), MathF.Sqrt(6f / (width + d.Units)), $"{name} dense kernel");
                    Assert.All(Next(d.Units), v => Assert.Equal(0f, v));
                    width = d.Units;
                    break;
            }
        }

        Assert.Equal(p.Length, offset);

        // Deterministic for a seed, and another seed gives other weights.
        IRnnModel again = model.Create();
        again.Initialize(12345);
        Assert.True(again.Parameters.SequenceEqual(p), $"{name}: Initialize(12345) twice gave different weights");
        again.Initialize(54321);
        Assert.False(again.Parameters.SequenceEqual(p), $"{name}: seeds 12345 and 54321 gave the same weights");
    }

    private static void AssertUniform(float[] values, float limit, string what)
    {
        Assert.True(values.All(v => Math.Abs(v) <= limit), $"{what}: a value is outside ±{limit}: {values.Select(Math.Abs).Max():R}");
        if (values.Length >= 64)
        {
            // Spread over the range, and not a constant.
            Assert.True(values.Select(Math.Abs).Max() > 0.8f * limit, $"{what}: largest |value| {values.Select(Math.Abs).Max():R} of ±{limit}");
            Assert.True(values.Distinct().Count() > values.Length / 2, $"{what}: too many repeated values");
        }
        else
        {
            Assert.True(values.Any(v => v != 0), $"{what}: all zero");
        }
    }

    private static void AssertOrthonormalRows(float[] q, int rows, int columns, string what)
    {
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double dot = 0;
                for (int k = 0; k < columns; k++)
                {
                    dot += (double)q[i * columns + k] * q[j * columns + k];
                }

                Assert.True(Math.Abs(dot - (i == j ? 1 : 0)) < 1e-5, $"{what}: row {i} · row {j} = {dot:R}; R Rᵀ must be the identity");
            }
        }
    }

    [Fact]
    public void Forget_gate_bias_starts_at_one_only_with_UnitForgetBias()
    {
        // LstmInput and LstmNoForgetBias have the same shapes: Input(3) → Lstm(4|5) → Dense; compare the bias arrays directly.
        var with = new LstmInput(3);
        float[] bias = with.Parameters.Slice(3 * 20 + 5 * 20, 20).ToArray();
        Assert.Equal(Enumerable.Repeat(0f, 5).Concat(Enumerable.Repeat(1f, 5)).Concat(Enumerable.Repeat(0f, 10)), bias);

        var without = new LstmNoForgetBias(3);
        Assert.All(without.Parameters.Slice(3 * 16 + 4 * 16, 16).ToArray(), v => Assert.Equal(0f, v));

        var bidi = new BidiLstmNoForgetBias(3);
        int direction = 4 * 20 + 5 * 20 + 20;
        Assert.All(bidi.Parameters.Slice(20 * 4 + 4 * 20 + 5 * 20, 20).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(bidi.Parameters.Slice(20 * 4 + direction + 4 * 20 + 5 * 20, 20).ToArray(), v => Assert.Equal(0f, v));

        // The forward pass does not read UnitForgetBias: with the same weights it is a plain LSTM.
        var a = new LstmNoForgetBias();
        TestData.Randomize(a.Parameters, seed: 5);
        float[] inputs = TestData.Reals(4 * 3, seed: 6);
        var output = new float[1];
        a.Predict(inputs, output);
        double[] expected = KerasReference.Predict([new Input(3), new Lstm(4), new Dense(1)], a.Parameters.ToArray(), null, inputs);
        GatedForwardTests.AssertClose(expected, output, "LstmNoForgetBias as a plain Lstm(4)");
    }

    [Fact]
    public void Predict_allocates_nothing_after_warm_up()
    {
        var reviews = new Reviews();
        var forecaster = new LoadForecaster();
        var lstm = new LstmSentiment();
        var gru = new GruSentiment();
        var tagger = new LstmTagger();
        var bidiGru = new BidiGruSequence();
        var resetBefore = new BidiGruResetBefore();
        int[] tokens = TestData.Tokens(100, 10000, seed: 1, padding: true);
        int[] tags = TestData.Tokens(30, 40, seed: 2, padding: true);
        int[] bidiTokens = TestData.Tokens(30, 25, seed: 3, padding: true);
        float[] window = TestData.Reals(24 * 3, seed: 3);
        float[] realSequence = TestData.Reals(20 * 3, seed: 4);
        var one = new float[1];
        var perStep = new float[tagger.OutputLength(tags.Length)];
        var bidiPerStep = new float[bidiGru.OutputLength(bidiTokens.Length)];
        var resetBeforePerStep = new float[resetBefore.OutputLength(20)];
        var batchTokens = TestData.Tokens(64 * 100, 10000, seed: 5, padding: false);
        var batchOutputs = new float[64];

        void Run()
        {
            reviews.Predict(tokens, one);
            forecaster.Predict(window, one);
            lstm.Predict(tokens, one);
            gru.Predict(tokens, one);
            tagger.Predict(tags, perStep);
            bidiGru.Predict(bidiTokens, bidiPerStep);
            resetBefore.Predict(realSequence, resetBeforePerStep);
            lstm.PredictBatch(batchTokens, 64, batchOutputs);
            gru.PredictBatch(batchTokens, 64, batchOutputs);
            reviews.PredictBatch(batchTokens, 64, batchOutputs);
        }

        Run(); // warm-up: the thread's scratch buffers are sized here
        long before = TestData.AllocatedBytes();
        for (int i = 0; i < 20; i++)
        {
            Run();
        }

        Assert.Equal(0, TestData.AllocatedBytes() - before);
    }

    [Fact]
    public void A_gradient_and_training_step_allocate_nothing_after_warm_up()
    {
        var reviews = new Reviews();
        var lstm = new LstmSentiment();
        var gru = new GruSentiment();
        var forecaster = new LoadForecaster();
        var resetBefore = new GruResetBefore();
        int[] tokens = TestData.Tokens(16 * 40, 10000, seed: 1, padding: true);
        int[] smallTokens = TestData.Tokens(16 * 40, 30, seed: 2, padding: true);
        float[] labels = Enumerable.Range(0, 16).Select(i => (float)(i % 2)).ToArray();
        float[] classes = Enumerable.Range(0, 16).Select(i => (float)(i % 2)).ToArray();
        float[] windows = TestData.Reals(16 * 24 * 3, seed: 3);
        float[] loads = TestData.Reals(16, seed: 4);
        var reviewGradients = new float[Reviews.ParameterCount];
        var lstmGradients = new float[LstmSentiment.ParameterCount];
        var gruGradients = new float[GruSentiment.ParameterCount];
        var forecasterGradients = new float[LoadForecaster.ParameterCount];
        var resetBeforeGradients = new float[GruResetBefore.ParameterCount];
        var adam = new Adam();

        void Step()
        {
            reviews.ComputeGradients(tokens, labels, 16, reviewGradients, Loss.BinaryCrossentropy);
            adam.Step(reviews.Parameters, reviewGradients);
            lstm.ComputeGradients(tokens, labels, 16, lstmGradients, Loss.MeanSquaredError);
            gru.ComputeGradients(tokens, labels, 16, gruGradients, Loss.MeanSquaredError);
            forecaster.ComputeGradients(windows, loads, 16, forecasterGradients, Loss.MeanSquaredError);
            resetBefore.ComputeGradients(smallTokens, classes, 16, resetBeforeGradients, Loss.SparseCategoricalCrossentropy);
        }

        Step();
        long before = TestData.AllocatedBytes();
        for (int i = 0; i < 3; i++)
        {
            Step();
        }

        Assert.Equal(0, TestData.AllocatedBytes() - before);
    }

    [Fact]
    public void Many_threads_on_one_model_get_the_single_thread_results()
    {
        var reviews = new Reviews();
        var tagger = new BidiGruSequence();
        TestData.Randomize(reviews.Parameters, seed: 9, scale: 0.2f);
        TestData.Randomize(tagger.Parameters, seed: 10);
        const int Sequences = 48;
        int[][] inputs = Enumerable.Range(0, Sequences)
            .Select(i => GatedForwardTests.Tokens(3 + i % 29, 25, seed: i, (GatedForwardTests.Padding)(i % 6)))
            .ToArray();
        float[] Run(ITokenModel model, int[] tokens)
        {
            var output = new float[model.OutputLength(tokens.Length)];
            model.Predict(tokens, output);
            return output;
        }

        float[][] expectedReviews = inputs.Select(t => Run(reviews, t)).ToArray();
        float[][] expectedTags = inputs.Select(t => Run(tagger, t)).ToArray();

        int mismatches = 0;
        using var start = new Barrier(8);
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            start.SignalAndWait();
            for (int round = 0; round < 10; round++)
            {
                for (int i = (worker + round) % Sequences; i < Sequences; i += 7)
                {
                    if (!Run(reviews, inputs[i]).AsSpan().SequenceEqual(expectedReviews[i]))
                    {
                        Interlocked.Increment(ref mismatches);
                    }

                    if (!Run(tagger, inputs[i]).AsSpan().SequenceEqual(expectedTags[i]))
                    {
                        Interlocked.Increment(ref mismatches);
                    }
                }
            }
        });
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Many_threads_accumulating_gradients_on_one_model_get_the_single_thread_results()
    {
        // Fit's data-parallel step calls AccumulateGradients on one model from several threads at once, each with its own buffer.
        var model = new LstmThenGru();
        TestData.Randomize(model.Parameters, seed: 12);
        const int Sequences = 16;
        int[][] inputs = Enumerable.Range(0, Sequences).Select(i => GatedForwardTests.Tokens(4 + i % 9, 30, seed: i, (GatedForwardTests.Padding)(i % 6))).ToArray();
        float[][] targets = Enumerable.Range(0, Sequences).Select(i => new[] { (float)(i % 2) }).ToArray();
        float[] Accumulate(int i)
        {
            var gradients = new float[LstmThenGru.ParameterCount];
            model.AccumulateGradients(inputs[i], targets[i], Loss.BinaryCrossentropy, 1f, gradients, new float[1]);
            return gradients;
        }

        float[][] expected = Enumerable.Range(0, Sequences).Select(Accumulate).ToArray();
        int mismatches = 0;
        using var start = new Barrier(4);
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            start.SignalAndWait();
            for (int round = 0; round < 10; round++)
            {
                for (int i = worker; i < Sequences; i += 4)
                {
                    if (!Accumulate(i).AsSpan().SequenceEqual(expected[i]))
                    {
                        Interlocked.Increment(ref mismatches);
                    }
                }
            }
        });
        Assert.Equal(0, mismatches);
    }
}
