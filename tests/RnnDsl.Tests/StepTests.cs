using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using RnnDsl.Tests.Dropouts;
using RnnDsl.Tests.Models;
using RnnDsl.Tests.Models.Gated;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// The step-by-step API: reading a sequence one step at a time with <c>Step</c> gives what <c>Predict</c> gives for the
/// sequence so far (or its row of this step, for a sequence output), for every cell, stacked, token and real-valued,
/// with padding in the stream; states are independent, re-entrant and allocation-free.
/// </summary>
public class StepTests
{
    private const float Tolerance = 1e-6f;

    /// <summary>Token models that can step, by name: every cell, masked and not, stacked, mixed, sequence outputs, Dense first and last.</summary>
    private static readonly Dictionary<string, Func<ITokenStepModel>> TokenModels = new()
    {
        [nameof(SimpleClassifier)] = () => new SimpleClassifier(),
        [nameof(Stacked)] = () => new Stacked(),
        [nameof(StackedMasked)] = () => new StackedMasked(),
        [nameof(FixedLength)] = () => new FixedLength(),
        [nameof(MaskedDenseOnly)] = () => new MaskedDenseOnly(),
        [nameof(TinyMasked)] = () => new TinyMasked(),
        [nameof(LstmClassifier)] = () => new LstmClassifier(),
        [nameof(LstmMasked)] = () => new LstmMasked(),
        [nameof(GruClassifier)] = () => new GruClassifier(),
        [nameof(GruMasked)] = () => new GruMasked(),
        [nameof(LstmTagger)] = () => new LstmTagger(),
        [nameof(GruTagger)] = () => new GruTagger(),
        [nameof(LstmStack)] = () => new LstmStack(),
        [nameof(LstmThenGru)] = () => new LstmThenGru(),
        [nameof(SimpleRnnThenLstm)] = () => new SimpleRnnThenLstm(),
        [nameof(GruResetBefore)] = () => new GruResetBefore(),
        [nameof(WideLstm)] = () => new WideLstm(),
        [nameof(LstmSentiment)] = () => new LstmSentiment(),
        [nameof(GruSentiment)] = () => new GruSentiment(),
    };

    /// <summary>Real-valued models that can step.</summary>
    private static readonly Dictionary<string, Func<IRealValuedStepModel>> RealModels = new()
    {
        [nameof(Forecaster)] = () => new Forecaster(),
        [nameof(ReluStack)] = () => new ReluStack(),
        [nameof(LinearRecurrence)] = () => new LinearRecurrence(),
        [nameof(WideSequenceOutput)] = () => new WideSequenceOutput(),
        [nameof(DenseFirst)] = () => new DenseFirst(),
        [nameof(SequenceTagger)] = () => new SequenceTagger(),
        [nameof(LstmInput)] = () => new LstmInput(),
        [nameof(GruInput)] = () => new GruInput(),
        [nameof(LstmSequence)] = () => new LstmSequence(),
        [nameof(GruSequence)] = () => new GruSequence(),
        [nameof(LstmSequenceOutput)] = () => new LstmSequenceOutput(),
        [nameof(GruThenSimpleRnn)] = () => new GruThenSimpleRnn(),
        [nameof(GruResetBeforeThenAfter)] = () => new GruResetBeforeThenAfter(),
        [nameof(DenseThenGru)] = () => new DenseThenGru(),
        [nameof(LstmRelu)] = () => new LstmRelu(),
        [nameof(GruTanhGates)] = () => new GruTanhGates(),
        [nameof(WideGruSequence)] = () => new WideGruSequence(),
        [nameof(LoadForecaster)] = () => new LoadForecaster(),
        [nameof(DropSimple)] = () => new DropSimple(),
        [nameof(DropGru)] = () => new DropGru(),
    };

    public static TheoryData<string> TokenModelNames => new(TokenModels.Keys);

    public static TheoryData<string> RealModelNames => new(RealModels.Keys);

    /// <summary>
    /// A model with random parameters (biases too), so every weight shows in the outputs: uniform in ±0.5, or ±0.1 for
    /// the 128-unit models, whose ±0.5 sums over 128 products saturate every gate (the Keras initialisers give them a
    /// scale of about 0.1). Predict and Step sum the same products in different orders (panels against rows), so they
    /// agree to float rounding, which the tolerance of 1e-6 bounds only for sums of that scale.
    /// </summary>
    private static T Randomized<T>(Func<T> create, int seed)
        where T : IRnnModel
    {
        // Step and Predict compute the same sums in different orders: Predict projects the inputs of four steps at a time
        // through the matrix kernel (one multiply-add chain per value), Step one input through the vector kernel (chains
        // split across rows). With weights of ±0.5 a recurrent kernel of 64 units stretches differences by about 2 per
        // step (its spectral radius is about 0.29 · √64), so those last-bit differences grew to 4e-6 within 20 steps. At
        // ±0.1 the recurrence contracts and rounding stays at rounding; a state carried or dropped wrongly still moves the
        // output by up to 3e-3 (SimpleClassifier, state dropped at step 10), three thousand times the tolerance.
        T model = create();
        TestData.Randomize(model.Parameters, seed, scale: 0.1f);
        return model;
    }

    /// <summary>The longest stream a test reads: 40 steps, or the model's declared length.</summary>
    private static int Length(IRnnModel model) => model.MaxSequenceLength == 0 ? 40 : model.MaxSequenceLength;

    /// <summary>What Predict gives at each step t: the row t of the output for a sequence output, else the output for the first t + 1 steps.</summary>
    private static float[][] PredictAtEveryStep<TInput>(ISequenceModel<TInput> model, TInput[] input, int width)
        where TInput : unmanaged
    {
        int steps = model.StepsOf(input.Length);
        int featureCount = input.Length / steps;
        var expected = new float[steps][];
        if (model.OutputLength(steps) == steps * width && model.OutputLength(1) == width && model.OutputLength(2) == 2 * width)
        {
            var all = new float[steps * width];
            model.Predict(input, all);
            for (int t = 0; t < steps; t++)
            {
                expected[t] = all.AsSpan(t * width, width).ToArray();
            }

            return expected;
        }

        for (int t = 0; t < steps; t++)
        {
            expected[t] = new float[width];
            model.Predict(input.AsSpan(0, (t + 1) * featureCount), expected[t]);
        }

        return expected;
    }

    private static void AssertClose(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float difference = Math.Abs(expected[i] - actual[i]);
            Assert.True(difference <= Tolerance * Math.Max(1f, Math.Abs(expected[i])), $"{what}, value {i}: Step gave {actual[i]}, Predict {expected[i]} (difference {difference:E2}).");
        }
    }

    [Theory]
    [MemberData(nameof(TokenModelNames))]
    public void Stepping_through_tokens_gives_what_Predict_gives_for_the_sequence_so_far(string name)
    {
        ITokenStepModel model = Randomized(TokenModels[name], seed: 11);
        int width = model.OutputLength(1);
        for (int example = 0; example < 3; example++)
        {
            // Padding (token 0) mixed into the stream, leading ones too in the second example; a masked model must carry its state over it.
            int[] tokens = TestData.Tokens(Length(model), model.VocabularySize, seed: 100 + example, padding: true);
            if (example == 1)
            {
                tokens[0] = 0;
                tokens[1] = 0;
            }

            float[][] expected = PredictAtEveryStep(model, tokens, width);
            RnnState state = model.CreateState();
            var output = new float[width];
            for (int t = 0; t < tokens.Length; t++)
            {
                model.Step(tokens[t], state, output);
                AssertClose(expected[t], output, $"{name}, example {example}, step {t} (token {tokens[t]})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(RealModelNames))]
    public void Stepping_through_features_gives_what_Predict_gives_for_the_sequence_so_far(string name)
    {
        IRealValuedStepModel model = Randomized(RealModels[name], seed: 12);
        int width = model.OutputLength(1);
        int features = model.Features;
        float[] inputs = TestData.Reals(Length(model) * features, seed: 200);
        float[][] expected = PredictAtEveryStep(model, inputs, width);
        RnnState state = model.CreateState();
        var output = new float[width];
        for (int t = 0; t < expected.Length; t++)
        {
            model.Step(inputs.AsSpan(t * features, features), state, output);
            AssertClose(expected[t], output, $"{name}, step {t}");
        }
    }

    [Fact]
    public void A_long_stream_of_a_wide_LSTM_stays_with_Predict()
    {
        // 300 steps of LSTM(128) with its Keras initialisation: the step path reads recurrent_kernel unpacked, the
        // recurrence packs it in panels, so the two sum in different orders; the difference must not grow along the stream.
        var model = new LstmSentiment(seed: 3);
        int[] tokens = TestData.Tokens(300, LstmSentiment.VocabularySize, seed: 5, padding: false);
        var expected = new float[1];
        model.Predict(tokens, expected);
        RnnState state = model.CreateState();
        var output = new float[1];
        foreach (int token in tokens)
        {
            model.Step(token, state, output);
        }

        AssertClose(expected, output, "LstmSentiment after 300 steps");
    }

    [Fact]
    public void A_state_is_zero_when_created_and_after_Reset_and_lays_out_h_then_c_per_layer()
    {
        var model = Randomized(() => new LstmThenGru(), seed: 4);
        RnnState state = model.CreateState();
        Assert.Equal(LstmThenGru.StateLength, state.Length);
        Assert.Equal(2 * 6 + 3, state.Length); // lstm h and c (6 units), then gru h (3 units)
        Assert.All(state.Values.ToArray(), value => Assert.Equal(0f, value));

        int[] tokens = { 3, 7, 0, 12, 5 };
        var output = new float[1];
        foreach (int token in tokens)
        {
            model.Step(token, state, output);
        }

        Assert.Contains(state.Values.ToArray(), value => value != 0f);

        // The state's last 3 values are the GRU's h: the Dense on top of them is the output.
        float[] h = state.Values.Slice(12, 3).ToArray();
        Span<float> parameters = model.Parameters;
        int denseKernel = model.Weights.First(w => w.Layer == "dense" && w.Name == "kernel").Offset;
        double logit = parameters[denseKernel + 3];
        for (int i = 0; i < 3; i++)
        {
            logit += h[i] * parameters[denseKernel + i];
        }

        Assert.Equal(1 / (1 + Math.Exp(-logit)), output[0], 1e-6);

        state.Reset();
        Assert.All(state.Values.ToArray(), value => Assert.Equal(0f, value));
        var again = new float[1];
        var fresh = new float[1];
        model.Step(9, state, again);
        model.Step(9, model.CreateState(), fresh);
        Assert.Equal(fresh[0], again[0]);
    }

    [Fact]
    public void A_clone_and_its_original_continue_identically_and_independently()
    {
        var model = Randomized(() => new LstmStack(), seed: 6);
        RnnState state = model.CreateState();
        var output = new float[1];
        foreach (int token in new[] { 4, 9, 0, 17 })
        {
            model.Step(token, state, output);
        }

        RnnState branch = state.Clone();
        Assert.Equal(state.Values.ToArray(), branch.Values.ToArray());
        var a = new float[1];
        var b = new float[1];
        foreach (int token in new[] { 2, 28, 5, 0, 11 })
        {
            model.Step(token, state, a);
            model.Step(token, branch, b);
            Assert.Equal(a[0], b[0]);
        }

        // Stepping the branch alone leaves the original where it was.
        float[] before = state.Values.ToArray();
        model.Step(13, branch, b);
        Assert.Equal(before, state.Values.ToArray());
        Assert.NotEqual(before, branch.Values.ToArray());

        // CopyTo brings a state back without allocating a new one.
        var target = model.CreateState();
        state.CopyTo(target);
        Assert.Equal(state.Values.ToArray(), target.Values.ToArray());
    }

    [Fact]
    public void Sixteen_states_on_one_model_from_many_threads_each_equal_their_own_serial_run()
    {
        var model = Randomized(() => new LstmThenGru(), seed: 8);
        const int Streams = 16;
        const int Steps = 200;
        int[][] streams = Enumerable.Range(0, Streams).Select(s => TestData.Tokens(Steps, 30, seed: 300 + s, padding: true)).ToArray();

        float[][] Run(int stream)
        {
            RnnState state = model.CreateState();
            var outputs = new float[Steps][];
            for (int t = 0; t < Steps; t++)
            {
                outputs[t] = new float[1];
                model.Step(streams[stream][t], state, outputs[t]);
            }

            return outputs;
        }

        float[][][] serial = Enumerable.Range(0, Streams).Select(Run).ToArray();

        // All sixteen at once, interleaved step by step across threads: each thread owns some states and steps them in turn.
        var states = Enumerable.Range(0, Streams).Select(_ => model.CreateState()).ToArray();
        var parallel = new float[Streams][][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            int[] mine = Enumerable.Range(0, Streams).Where(s => s % 4 == worker).ToArray();
            foreach (int s in mine)
            {
                parallel[s] = new float[Steps][];
            }

            for (int t = 0; t < Steps; t++)
            {
                foreach (int s in mine)
                {
                    parallel[s][t] = new float[1];
                    model.Step(streams[s][t], states[s], parallel[s][t]);
                }
            }
        });

        for (int s = 0; s < Streams; s++)
        {
            for (int t = 0; t < Steps; t++)
            {
                Assert.Equal(serial[s][t][0], parallel[s][t][0]);
            }
        }
    }

    [Fact]
    public void Step_allocates_nothing()
    {
        var tokenModel = new LstmThenGru();
        var realModel = new GruThenSimpleRnn();
        RnnState tokenState = tokenModel.CreateState();
        RnnState realState = realModel.CreateState();
        var output = new float[2];
        float[] features = { 0.5f, -0.25f };
        tokenModel.Step(3, tokenState, output.AsSpan(0, 1));
        realModel.Step(features, realState, output);

        long before = TestData.AllocatedBytes();
        for (int i = 0; i < 1000; i++)
        {
            tokenModel.Step(i % 30, tokenState, output.AsSpan(0, 1));
            realModel.Step(features, realState, output);
        }

        Assert.Equal(0, TestData.AllocatedBytes() - before);
    }

    [Fact]
    public void States_are_shared_between_instances_of_a_model_and_refused_by_other_models()
    {
        var first = Randomized(() => new LstmClassifier(), seed: 1);
        var second = new LstmClassifier();
        first.Parameters.CopyTo(second.Parameters);
        RnnState state = first.CreateState();
        var a = new float[1];
        var b = new float[1];
        first.Step(5, state, a);
        RnnState copy = state.Clone();
        first.Step(7, state, a);
        second.Step(7, copy, b);
        Assert.Equal(a[0], b[0]);

        var other = new GruClassifier();
        var error = Assert.Throws<ArgumentException>(() => other.Step(5, state, a));
        Assert.Equal("state", error.ParamName);
        Assert.Contains("LstmClassifier.CreateState()", error.Message);
        Assert.Contains("GruClassifier", error.Message);

        Assert.Throws<ArgumentNullException>("state", () => first.Step(5, null!, a));
        Assert.Throws<ArgumentException>("destination", () => state.CopyTo(other.CreateState()));
    }

    [Fact]
    public void Bad_arguments_are_refused_with_their_names_and_the_state_is_left_as_it_was()
    {
        var model = Randomized(() => new GruMasked(), seed: 2);
        RnnState state = model.CreateState();
        var output = new float[GruMasked.OutputWidth];
        model.Step(4, state, output);
        float[] before = state.Values.ToArray();

        var token = Assert.Throws<ArgumentOutOfRangeException>(() => model.Step(GruMasked.VocabularySize, state, output));
        Assert.Equal("token", token.ParamName);
        Assert.Contains("[0, 30)", token.Message);
        Assert.Throws<ArgumentOutOfRangeException>("token", () => model.Step(-1, state, output));
        Assert.Throws<ArgumentException>("output", () => model.Step(4, state, new float[GruMasked.OutputWidth + 1]));
        Assert.Equal(before, state.Values.ToArray());

        var real = new GruInput();
        var features = Assert.Throws<ArgumentException>("features", () => real.Step(new float[GruInput.Features - 1], real.CreateState(), new float[GruInput.OutputWidth]));
        Assert.Contains("features has 2 values; a step of this model reads exactly 3", features.Message);
    }

    [Fact]
    public void Models_that_read_the_last_step_first_have_no_step_API()
    {
        // Bidirectional and go_backwards layers need the whole sequence before their first output.
        Assert.False(new SentimentModel() is IStepModel);
        Assert.False(new Tagger() is IStepModel);
        Assert.False(new Backwards() is IStepModel);
        Assert.False(new GruBackwardsMasked() is IStepModel);
        Assert.False(new BidiLstm() is IStepModel);
        Assert.Null(typeof(SentimentModel).GetMethod("Step"));
        Assert.Null(typeof(SentimentModel).GetMethod("CreateState"));
        Assert.True(new SimpleClassifier() is ITokenStepModel);
        Assert.True(new Forecaster() is IRealValuedStepModel);
    }
}
