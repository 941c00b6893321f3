using System;
using System.Collections.Generic;
using System.Linq;
using RnnDsl.Tests.Models.Gated;
using Xunit;
using static RnnDsl.Tests.KerasReference;

namespace RnnDsl.Tests;

/// <summary>
/// LSTM and GRU in every position SimpleRnn can stand, against the double-precision Keras reference, at several
/// lengths (some past a vector width), with random parameters (non-zero biases) and, for masked models, padding at
/// the start, at the end, in between, everywhere and at random.
/// </summary>
public class GatedForwardTests
{
    public static IEnumerable<object[]> Models()
    {
        // The issue's examples and the benchmark shapes.
        yield return Case<Reviews>(10000, new Embedding(10000, 32, MaskZero: true), new Lstm(64, ReturnSequences: true, Bidirectional: true), new Gru(32), new Dense(1, Activation.Sigmoid));
        yield return Case<LoadForecaster>(3, new Input(3), new Lstm(128), new Dense(1));
        yield return Case<LstmSentiment>(10000, new Embedding(10000, 32), new Lstm(128), new Dense(1));
        yield return Case<GruSentiment>(10000, new Embedding(10000, 32), new Gru(128), new Dense(1));

        // After Embedding (with and without MaskZero) and after Input.
        yield return Case<LstmClassifier>(50, new Embedding(50, 8), new Lstm(6), new Dense(1, Activation.Sigmoid));
        yield return Case<LstmMasked>(30, new Embedding(30, 5, MaskZero: true), new Lstm(7), new Dense(3, Activation.Softmax));
        yield return Case<LstmInput>(3, new Input(3), new Lstm(5), new Dense(2));
        yield return Case<GruClassifier>(50, new Embedding(50, 8), new Gru(6), new Dense(1, Activation.Sigmoid));
        yield return Case<GruMasked>(30, new Embedding(30, 5, MaskZero: true), new Gru(7), new Dense(3, Activation.Softmax));
        yield return Case<GruInput>(3, new Input(3), new Gru(5), new Dense(2));

        // ReturnSequences and a per-step Dense; a gated layer as the output layer.
        yield return Case<LstmTagger>(40, new Embedding(40, 6, MaskZero: true), new Lstm(5, ReturnSequences: true), new Dense(4, Activation.Softmax));
        yield return Case<LstmSequence>(2, new Input(2), new Lstm(4, ReturnSequences: true), new Dense(3, Activation.Tanh));
        yield return Case<GruTagger>(40, new Embedding(40, 6, MaskZero: true), new Gru(5, ReturnSequences: true), new Dense(2, Activation.Sigmoid));
        yield return Case<GruSequence>(2, new Input(2), new Gru(4, ReturnSequences: true), new Dense(3, Activation.Softmax));
        yield return Case<LstmSequenceOutput>(3, new Input(3), new Lstm(5, ReturnSequences: true));

        // GoBackwards.
        yield return Case<LstmBackwards>(3, new Input(3), new Lstm(4, GoBackwards: true), new Dense(2));
        yield return Case<LstmBackwardsMasked>(20, new Embedding(20, 3, MaskZero: true), new Lstm(4, GoBackwards: true), new Dense(1));
        yield return Case<GruBackwardsSequence>(3, new Input(3), new Gru(4, ReturnSequences: true, GoBackwards: true), new Dense(2, Activation.Tanh));
        yield return Case<GruBackwardsMasked>(20, new Embedding(20, 3, MaskZero: true), new Gru(4, ReturnSequences: true, GoBackwards: true), new Lstm(3), new Dense(1));

        // Bidirectional, every merge mode for each cell.
        yield return Case<BidiLstm>(25, new Embedding(25, 4, MaskZero: true), new Lstm(5, Bidirectional: true), new Dense(1, Activation.Sigmoid));
        yield return Case<BidiLstmSequence>(2, new Input(2), new Lstm(3, ReturnSequences: true, Bidirectional: true), new Dense(2));
        yield return Case<BidiLstmSumSequence>(25, new Embedding(25, 4, MaskZero: true), new Lstm(4, ReturnSequences: true, Bidirectional: true, Merge: MergeMode.Sum), new Dense(3));
        yield return Case<BidiLstmMul>(3, new Input(3), new Lstm(4, Bidirectional: true, Merge: MergeMode.Mul), new Dense(1));
        yield return Case<BidiLstmMulSequence>(25, new Embedding(25, 4, MaskZero: true), new Lstm(3, ReturnSequences: true, Bidirectional: true, Merge: MergeMode.Mul), new Dense(2, Activation.Sigmoid));
        yield return Case<BidiLstmAve>(25, new Embedding(25, 4), new Lstm(4, Bidirectional: true, Merge: MergeMode.Ave), new Dense(2, Activation.Softmax));
        yield return Case<BidiGruSequence>(25, new Embedding(25, 4, MaskZero: true), new Gru(5, ReturnSequences: true, Bidirectional: true), new Dense(3, Activation.Softmax));
        yield return Case<BidiGruSum>(25, new Embedding(25, 4, MaskZero: true), new Gru(5, Bidirectional: true, Merge: MergeMode.Sum), new Dense(2, Activation.Softmax));
        yield return Case<BidiGruMulSequence>(2, new Input(2), new Gru(3, ReturnSequences: true, Bidirectional: true, Merge: MergeMode.Mul), new Dense(2));
        yield return Case<BidiGruAve>(3, new Input(3), new Gru(4, Bidirectional: true, Merge: MergeMode.Ave), new Dense(1));
        yield return Case<BidiGruAveSequence>(25, new Embedding(25, 4, MaskZero: true), new Gru(4, ReturnSequences: true, Bidirectional: true, Merge: MergeMode.Ave), new Dense(2));

        // Stacked and mixed.
        yield return Case<LstmStack>(30, new Embedding(30, 4, MaskZero: true), new Lstm(6, ReturnSequences: true), new Lstm(4), new Dense(1, Activation.Sigmoid));
        yield return Case<LstmThenGru>(30, new Embedding(30, 4, MaskZero: true), new Lstm(6, ReturnSequences: true), new Gru(3), new Dense(1, Activation.Sigmoid));
        yield return Case<GruThenSimpleRnn>(2, new Input(2), new Gru(5, ReturnSequences: true), new SimpleRnn(3), new Dense(2));
        yield return Case<SimpleRnnThenLstm>(30, new Embedding(30, 4, MaskZero: true), new SimpleRnn(5, ReturnSequences: true), new Lstm(3), new Dense(2, Activation.Softmax));
        yield return Case<BidiGruThenLstm>(25, new Embedding(25, 4, MaskZero: true), new Gru(4, ReturnSequences: true, Bidirectional: true), new Lstm(3), new Dense(1, Activation.Sigmoid));
        yield return Case<BidiLstmThenLstm>(25, new Embedding(25, 4, MaskZero: true), new Lstm(4, ReturnSequences: true, Bidirectional: true), new Lstm(3), new Dense(1));
        yield return Case<GatedBidiStack>(2, new Input(2), new Gru(3, ReturnSequences: true, Bidirectional: true, Merge: MergeMode.Mul),
            new Lstm(4, ReturnSequences: true, Bidirectional: true, Merge: MergeMode.Ave), new Dense(2));
        yield return Case<DenseThenGru>(3, new Input(3), new Dense(4, Activation.Relu), new Gru(3), new Dense(2));

        // GRU, Keras 1 form.
        yield return Case<GruResetBefore>(30, new Embedding(30, 5, MaskZero: true), new Gru(6, ResetAfter: false), new Dense(2, Activation.Softmax));
        yield return Case<BidiGruResetBefore>(3, new Input(3), new Gru(4, ReturnSequences: true, Bidirectional: true, ResetAfter: false), new Dense(2));
        yield return Case<GruResetBeforeThenAfter>(2, new Input(2), new Gru(4, ReturnSequences: true, ResetAfter: false), new Gru(3), new Dense(1));

        // Activations.
        yield return Case<LstmRelu>(2, new Input(2), new Lstm(4, Activation.Relu), new Dense(1));
        yield return Case<LstmTanhGates>(2, new Input(2), new Lstm(3, Activation.Tanh, Activation.Tanh), new Dense(1));
        yield return Case<GruRelu>(2, new Input(2), new Gru(4, Activation.Relu, ReturnSequences: true), new Dense(2));
        yield return Case<GruTanhGates>(2, new Input(2), new Gru(3, Activation.Tanh, Activation.Tanh), new Dense(1));

        // Widths that leave a tail after whole vectors.
        yield return Case<WideLstm>(60, new Embedding(60, 19), new Lstm(17), new Dense(5, Activation.Softmax));
        yield return Case<WideGruSequence>(5, new Input(5), new Gru(33, ReturnSequences: true));
        yield return Case<WideBidiLstm>(40, new Embedding(40, 9, MaskZero: true), new Lstm(33, Bidirectional: true), new Dense(3, Activation.Softmax));
        yield return Case<WideBidiGru>(4, new Input(4), new Gru(17, ReturnSequences: true, Bidirectional: true, Merge: MergeMode.Sum), new Dense(2));

        // UnitForgetBias changes only the initial weights.
        yield return Case<LstmNoForgetBias>(3, new Input(3), new Lstm(4, UnitForgetBias: false), new Dense(1));
        yield return Case<BidiLstmNoForgetBias>(20, new Embedding(20, 4), new Lstm(5, Bidirectional: true, UnitForgetBias: false), new Dense(1, Activation.Sigmoid));
    }

    /// <param name="inputSize">Vocabulary for token models, features for real-valued ones.</param>
    private static object[] Case<TModel>(int inputSize, params Layer[] layers)
        where TModel : IRnnModel, new() => new object[] { typeof(TModel).Name, new ForwardTests.ModelCase(() => new TModel(), inputSize, layers) };

    internal static ForwardTests.ModelCase Find(string name) => (ForwardTests.ModelCase)Models().First(m => (string)m[0] == name)[1];

    /// <summary>Where a masked test sequence has its padding (token 0).</summary>
    public enum Padding
    {
        None,
        Start,
        End,
        Between,
        Everywhere,
        Random,
    }

    /// <summary>
    /// Tokens in [1, vocabulary) with padding where <paramref name="padding"/> says: a third of the steps (at least
    /// one) at the start or the end, every other step from the second on, every step, or about 30% at random.
    /// </summary>
    public static int[] Tokens(int steps, int vocabulary, int seed, Padding padding)
    {
        int[] tokens = TestData.Tokens(steps, vocabulary, seed, padding: padding == Padding.Random);
        int third = Math.Max(1, steps / 3);
        for (int t = 0; t < steps; t++)
        {
            bool pad = padding switch
            {
                Padding.Start => t < third,
                Padding.End => t >= steps - third,
                Padding.Between => t % 2 == 1 && t < steps - 1,
                Padding.Everywhere => true,
                _ => false,
            };
            if (pad)
            {
                tokens[t] = 0;
            }
        }

        return tokens;
    }

    internal static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            // Float against double, as in ForwardTests: 2e-5 absolute + 1e-4 relative is far above the float rounding of
            // these few-hundred-term sums and far below what a wrong gate, weight, step or mask does with ±0.5 weights.
            double tolerance = 2e-5 + 1e-4 * Math.Abs(expected[i]);
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance,
                $"{what}: output[{i}] = {actual[i]:R}, Keras reference {expected[i]:R} (difference {actual[i] - expected[i]:E2})");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Predict_matches_the_Keras_reference_at_every_length_and_padding(string name, ForwardTests.ModelCase model)
    {
        IRnnModel instance = model.Create();
        TestData.Randomize(instance.Parameters, seed: name.Length + 100);
        float[] parameters = instance.Parameters.ToArray();
        bool masked = Array.Exists(model.Layers, l => l is Embedding { MaskZero: true });
        int longest = instance.MaxSequenceLength == 0 ? int.MaxValue : instance.MaxSequenceLength;
        foreach (int steps in new[] { 1, 2, 3, 5, 8, 17 }.Where(s => s <= longest))
        {
            Padding[] paddings = masked ? Enum.GetValues<Padding>() : [Padding.None, Padding.None];
            for (int sample = 0; sample < paddings.Length; sample++)
            {
                int seed = 1000 * steps + sample;
                var output = new float[instance.OutputLength(steps)];
                int[]? tokens = null;
                float[]? inputs = null;
                if (instance is ITokenModel tokenModel)
                {
                    tokens = Tokens(steps, model.InputSize, seed, paddings[sample]);
                    tokenModel.Predict(tokens, output);
                }
                else
                {
                    inputs = TestData.Reals(steps * model.InputSize, seed);
                    ((IRealValuedModel)instance).Predict(inputs, output);
                }

                double[] expected = KerasReference.Predict(model.Layers, parameters, tokens, inputs);
                string input = tokens is null ? $"inputs seed {seed}" : $"tokens [{string.Join(", ", tokens)}]";
                AssertClose(expected, output, $"{name}, {steps} steps, padding {paddings[sample]}, {input}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void PredictBatch_equals_Predict_per_sequence(string name, ForwardTests.ModelCase model)
    {
        IRnnModel instance = model.Create();
        TestData.Randomize(instance.Parameters, seed: name.Length + 1);
        const int Steps = 6;
        const int Batch = 37; // more than one ForwardBatch of 16 sequences, and a last one of 5: four rows at a time, then one
        int width = instance.OutputLength(Steps);
        var batchOutput = new float[Batch * width];
        var single = new float[width];
        bool masked = Array.Exists(model.Layers, l => l is Embedding { MaskZero: true });
        if (instance is ITokenModel tokenModel)
        {
            int[] tokens = Enumerable.Range(0, Batch)
                .SelectMany(b => Tokens(Steps, model.InputSize, seed: 7 + b, masked ? (Padding)(b % 6) : Padding.None))
                .ToArray();
            tokenModel.PredictBatch(tokens, Batch, batchOutput);
            var threeThreads = new float[Batch * width];
            tokenModel.PredictBatch(tokens, Batch, threeThreads, degreeOfParallelism: 3);
            for (int b = 0; b < Batch; b++)
            {
                tokenModel.Predict(tokens.AsSpan(b * Steps, Steps), single);
                TestData.AssertSameUpToRounding(single, batchOutput.AsSpan(b * width, width), name + " sequence " + b);
                TestData.AssertSameUpToRounding(single, threeThreads.AsSpan(b * width, width), name + " sequence " + b + " on three threads");
            }
        }
        else
        {
            var realModel = (IRealValuedModel)instance;
            float[] inputs = TestData.Reals(Batch * Steps * model.InputSize, seed: 7);
            realModel.PredictBatch(inputs, Batch, batchOutput);
            var twoThreads = new float[Batch * width];
            realModel.PredictBatch(inputs, Batch, twoThreads, degreeOfParallelism: 2);
            for (int b = 0; b < Batch; b++)
            {
                realModel.Predict(inputs.AsSpan(b * Steps * model.InputSize, Steps * model.InputSize), single);
                TestData.AssertSameUpToRounding(single, batchOutput.AsSpan(b * width, width), name + " sequence " + b);
                TestData.AssertSameUpToRounding(single, twoThreads.AsSpan(b * width, width), name + " sequence " + b + " on two threads");
            }
        }
    }

    // Not GruBackwardsMasked: a go_backwards layer that returns sequences returns them in processing order while Keras
    // passes the mask on unreversed, so the next layer's mask does not line up with its input and padding does matter
    // (as in Keras; the reference comparison covers that model).
    public static IEnumerable<object[]> MaskedVectorModels() =>
        new[]
        {
            "Reviews", "LstmMasked", "GruMasked", "LstmBackwardsMasked", "BidiLstm", "BidiGruSum",
            "LstmStack", "LstmThenGru", "SimpleRnnThenLstm", "BidiGruThenLstm", "BidiLstmThenLstm", "GruResetBefore", "WideBidiLstm",
        }.Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(MaskedVectorModels))]
    public void Padding_anywhere_changes_nothing_in_a_masked_vector_output(string name)
    {
        // A masked step keeps h and c, so padding gives the same result as no padding at all. This needs no reference.
        ForwardTests.ModelCase model = Find(name);
        var instance = (ITokenModel)model.Create();
        TestData.Randomize(instance.Parameters, seed: 3);
        int[] plain = [4, 9, 17, 2, 11];
        int[] padded = [0, 0, 4, 9, 0, 17, 0, 0, 2, 11, 0, 0];
        var expected = new float[instance.OutputLength(plain.Length)];
        var actual = new float[instance.OutputLength(padded.Length)];
        instance.Predict(plain, expected);
        instance.Predict(padded, actual);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 + 1e-5 * Math.Abs(expected[i]),
                $"{name}: output[{i}] is {expected[i]:R} without padding and {actual[i]:R} with it");
        }
    }

    [Fact]
    public void Tiny_LSTM_matches_a_hand_worked_example()
    {
        // kernel (i, f, c, o) = (0.5, -0.3, 0.8, 0.2); recurrent_kernel (0.1, 0.4, -0.6, 0.7); bias (0.05, 1, -0.1, 0.2);
        // dense kernel 1.5, bias -0.25; inputs 1 then -2; h and c start at 0.
        // Step 1: z = (0.55, 0.7, 0.7, 0.4); i = σ(0.55) = 0.63413559, f = σ(0.7) = 0.66818777, c̃ = tanh(0.7) = 0.60436778,
        //   o = σ(0.4) = 0.59868766; c = 0.66818777·0 + 0.63413559·0.60436778 = 0.38325112; h = 0.59868766·tanh(0.38325112) = 0.21883683.
        // Step 2: z = -2·W + 0.21883683·U + b = (-0.92811632, 1.68753473, -1.83130210, -0.04681422);
        //   i = 0.28330703, f = 0.84389968, c̃ = -0.94995330, o = 0.48829858;
        //   c = 0.84389968·0.38325112 + 0.28330703·(-0.94995330) = 0.05429705; h = 0.48829858·tanh(0.05429705) = 0.02648715.
        // y = 1.5·0.02648715 - 0.25 = -0.21026928.
        float[] parameters = [0.5f, -0.3f, 0.8f, 0.2f, 0.1f, 0.4f, -0.6f, 0.7f, 0.05f, 1f, -0.1f, 0.2f, 1.5f, -0.25f];
        Layer[] layers = [new Input(1), new Lstm(1), new Dense(1)];
        Assert.Equal(-0.21026928037238263, KerasReference.Predict(layers, parameters, null, [1f, -2f])[0], 1e-6);

        var model = new TinyLstm();
        parameters.CopyTo(model.Parameters);
        var output = new float[1];
        model.Predict([1f, -2f], output);
        Assert.Equal(-0.21026928037238263, output[0], 1e-5);
    }

    [Fact]
    public void Tiny_GRU_matches_a_hand_worked_example()
    {
        // kernel (z, r, h) = (0.6, -0.4, 0.9); recurrent_kernel (-0.2, 0.5, 0.3); bias rows: input (0.1, -0.05, 0.2),
        // recurrent (0.15, 0.25, -0.3); dense kernel 2, bias 0.1; inputs 1 then -2; h starts at 0.
        // Step 1: gx = (0.7, -0.45, 1.1), gh = b_rec = (0.15, 0.25, -0.3); z = σ(0.85) = 0.70056714, r = σ(-0.2) = 0.45016600,
        //   h̃ = tanh(1.1 + 0.45016600·(-0.3)) = 0.74647679; h = 0.70056714·0 + 0.29943286·0.74647679 = 0.22351968.
        // Step 2: gx = (-1.1, 0.75, -1.6), gh = 0.22351968·U + b_rec = (0.10529606, 0.36175984, -0.23294410);
        //   z = σ(-0.99470394) = 0.26998396, r = σ(1.11175984) = 0.75245705, h̃ = tanh(-1.6 + 0.75245705·(-0.23294410)) = -0.94418529;
        //   h = 0.26998396·0.22351968 + 0.73001604·(-0.94418529) = -0.62892367.
        // y = 2·(-0.62892367) + 0.1 = -1.15784735.
        float[] parameters = [0.6f, -0.4f, 0.9f, -0.2f, 0.5f, 0.3f, 0.1f, -0.05f, 0.2f, 0.15f, 0.25f, -0.3f, 2f, 0.1f];
        Layer[] layers = [new Input(1), new Gru(1), new Dense(1)];
        Assert.Equal(-1.1578473488031515, KerasReference.Predict(layers, parameters, null, [1f, -2f])[0], 1e-6);

        var model = new TinyGru();
        parameters.CopyTo(model.Parameters);
        var output = new float[1];
        model.Predict([1f, -2f], output);
        Assert.Equal(-1.1578473488031515, output[0], 1e-5);
    }

    [Fact]
    public void Tiny_reset_before_GRU_matches_a_hand_worked_example()
    {
        // As the reset-after example with one bias row (0.1, -0.05, 0.2) and the reset gate applied to h before U_h.
        // Step 1 (h = 0): z = σ(0.7) = 0.66818777, r = σ(-0.45) = 0.38936077, h̃ = tanh(1.1) = 0.80049902, h = 0.33181223·0.80049902 = 0.26561536.
        // Step 2: z = σ(-1.2 - 0.2·0.26561536 + 0.1) = 0.23991910, r = σ(0.8 + 0.5·0.26561536 - 0.05) = 0.70740370,
        //   h̃ = tanh(-1.8 + (0.70740370·0.26561536)·0.3 + 0.2) = -0.91272846; h = 0.23991910·0.26561536 + 0.76008090·(-0.91272846) = -0.63002127.
        // y = 2·(-0.63002127) + 0.1 = -1.16004253.
        float[] parameters = [0.6f, -0.4f, 0.9f, -0.2f, 0.5f, 0.3f, 0.1f, -0.05f, 0.2f, 2f, 0.1f];
        Layer[] layers = [new Input(1), new Gru(1, ResetAfter: false), new Dense(1)];
        Assert.Equal(-1.1600425346318584, KerasReference.Predict(layers, parameters, null, [1f, -2f])[0], 1e-6);

        var model = new TinyGruResetBefore();
        parameters.CopyTo(model.Parameters);
        var output = new float[1];
        model.Predict([1f, -2f], output);
        Assert.Equal(-1.1600425346318584, output[0], 1e-5);
    }

    [Fact]
    public void Masked_tiny_LSTM_keeps_h_and_c_over_padding_as_in_a_hand_worked_example()
    {
        // embeddings [9, 0.7, -0.4] (row 0 is padding: never read); the LSTM and Dense weights of the tiny LSTM example;
        // tokens 1, 0, 2, 0. Step 1 (x = 0.7): c = 0.25748611, h = 0.14718254. Step 2 is padding: h and c stay.
        // Step 3 (x = -0.4): c = -0.02157722, h = -0.01198487. Step 4 is padding. y = 1.5·(-0.01198487) - 0.25 = -0.26797730.
        // (Reading padding as token 0 would give 0.81957583.)
        float[] parameters = [9f, 0.7f, -0.4f, 0.5f, -0.3f, 0.8f, 0.2f, 0.1f, 0.4f, -0.6f, 0.7f, 0.05f, 1f, -0.1f, 0.2f, 1.5f, -0.25f];
        Layer[] layers = [new Embedding(3, 1, MaskZero: true), new Lstm(1), new Dense(1)];
        Assert.Equal(-0.2679773035171461, KerasReference.Predict(layers, parameters, [1, 0, 2, 0], null)[0], 1e-6);

        var model = new TinyMaskedLstm();
        parameters.CopyTo(model.Parameters);
        var output = new float[1];
        model.Predict([1, 0, 2, 0], output);
        Assert.Equal(-0.2679773035171461, output[0], 1e-5);
    }
}
