using System;
using System.Collections.Generic;
using RnnDsl.Tests.Models;
using Xunit;
using static RnnDsl.Tests.KerasReference;

namespace RnnDsl.Tests;

/// <summary>
/// Every layer and option against the double-precision Keras reference, at many sequence lengths,
/// with random parameters (non-zero biases) and, for masked models, padding at random positions,
/// including the first and last steps.
/// </summary>
public class ForwardTests
{
    public static IEnumerable<object[]> Models()
    {
        yield return Case<SentimentModel>(100, new Embedding(10000, 32), new SimpleRnn(64, Bidirectional: true), new Dense(1, Activation.Sigmoid));
        yield return Case<SimpleClassifier>(100, new Embedding(10000, 32), new SimpleRnn(64), new Dense(1, Activation.Sigmoid));
        yield return Case<Forecaster>(1, new Input(1), new SimpleRnn(32), new Dense(1));
        yield return Case<Tagger>(40, new Embedding(40, 6, MaskZero: true), new SimpleRnn(5, ReturnSequences: true, Bidirectional: true), new Dense(4, Activation.Softmax));
        yield return Case<Stacked>(50, new Embedding(50, 8), new SimpleRnn(7, ReturnSequences: true), new SimpleRnn(5), new Dense(3, Activation.Softmax));
        yield return Case<StackedMasked>(30, new Embedding(30, 4, MaskZero: true), new SimpleRnn(6, ReturnSequences: true), new SimpleRnn(3), new Dense(1, Activation.Sigmoid));
        yield return Case<Backwards>(3, new Input(3), new SimpleRnn(4, GoBackwards: true), new Dense(2));
        yield return Case<BackwardsSequence>(3, new Input(3), new SimpleRnn(4, ReturnSequences: true, GoBackwards: true), new Dense(2, Activation.Tanh));
        yield return Case<BackwardsMasked>(20, new Embedding(20, 3, MaskZero: true), new SimpleRnn(4, ReturnSequences: true, GoBackwards: true), new SimpleRnn(2), new Dense(1));
        yield return Case<ReluStack>(2, new Input(2), new SimpleRnn(5, Activation.Relu, ReturnSequences: true), new SimpleRnn(3, Activation.Sigmoid), new Dense(2, Activation.Relu));
        yield return Case<LinearRecurrence>(2, new Input(2), new SimpleRnn(3, Activation.Linear), new Dense(1, Activation.Tanh));
        yield return Case<BidiSum>(25, new Embedding(25, 4, MaskZero: true), new SimpleRnn(5, Bidirectional: true, Merge: MergeMode.Sum), new Dense(2, Activation.Softmax));
        yield return Case<BidiMul>(25, new Embedding(25, 4, MaskZero: true), new SimpleRnn(5, Bidirectional: true, Merge: MergeMode.Mul), new Dense(1, Activation.Sigmoid));
        yield return Case<BidiAve>(3, new Input(3), new SimpleRnn(4, Bidirectional: true, Merge: MergeMode.Ave), new Dense(1));
        yield return Case<BidiSumSequence>(25, new Embedding(25, 4, MaskZero: true), new SimpleRnn(5, ReturnSequences: true, Bidirectional: true, Merge: MergeMode.Sum), new Dense(3));
        yield return Case<BidiStack>(2, new Input(2), new SimpleRnn(3, ReturnSequences: true, Bidirectional: true, Merge: MergeMode.Mul),
            new SimpleRnn(4, ReturnSequences: true, Bidirectional: true, Merge: MergeMode.Ave), new Dense(2));
        yield return Case<BidiThenRnn>(25, new Embedding(25, 4, MaskZero: true), new SimpleRnn(5, ReturnSequences: true, Bidirectional: true), new SimpleRnn(3), new Dense(1, Activation.Sigmoid));
        yield return Case<WideSequenceOutput>(4, new Input(4), new SimpleRnn(37, ReturnSequences: true));
        yield return Case<WideBidirectional>(60, new Embedding(60, 19), new SimpleRnn(70, Bidirectional: true), new Dense(17, Activation.Softmax));
        yield return Case<FixedLength>(100, new Embedding(100, 8), new SimpleRnn(4), new Dense(1, Activation.Sigmoid));
        yield return Case<DenseFirst>(3, new Input(3), new Dense(4, Activation.Relu), new SimpleRnn(3), new Dense(2));
        yield return Case<MaskedDenseOnly>(12, new Embedding(12, 3, MaskZero: true), new Dense(4, Activation.Softmax));
    }

    /// <param name="inputSize">Vocabulary for token models, features for real-valued ones.</param>
    private static object[] Case<TModel>(int inputSize, params Layer[] layers)
        where TModel : IRnnModel, new() => new object[] { typeof(TModel).Name, new ModelCase(() => new TModel(), inputSize, layers) };

    public sealed record ModelCase(Func<IRnnModel> Create, int InputSize, Layer[] Layers)
    {
        public override string ToString() => string.Empty;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Predict_matches_the_Keras_reference_at_every_length(string name, ModelCase model)
    {
        IRnnModel instance = model.Create();
        TestData.Randomize(instance.Parameters, seed: name.Length);
        bool masked = Array.Exists(model.Layers, l => l is Embedding { MaskZero: true });
        foreach (int steps in new[] { 1, 2, 3, 7, 10 })
        {
            for (int sample = 0; sample < 4; sample++)
            {
                int seed = 1000 * steps + sample;
                int[]? tokens = null;
                float[]? inputs = null;
                var output = new float[instance.OutputLength(steps)];
                if (instance is ITokenModel tokenModel)
                {
                    tokens = TestData.Tokens(steps, model.InputSize, seed, padding: masked);
                    if (masked && sample == 1)
                    {
                        tokens[0] = 0; // leading padding
                    }

                    if (masked && sample == 2)
                    {
                        tokens[^1] = 0; // trailing padding
                    }

                    if (masked && sample == 3)
                    {
                        Array.Clear(tokens); // nothing but padding
                    }

                    tokenModel.Predict(tokens, output);
                }
                else
                {
                    inputs = TestData.Reals(steps * model.InputSize, seed);
                    ((IRealValuedModel)instance).Predict(inputs, output);
                }

                double[] expected = KerasReference.Predict(model.Layers, instance.Parameters.ToArray(), tokens, inputs);
                Assert.Equal(expected.Length, output.Length);
                for (int i = 0; i < expected.Length; i++)
                {
                    // Float against double: each output is a few hundred products deep at most, so its
                    // rounding error is ~1e-6 relative; 2e-5 absolute + 1e-4 relative catches any real error
                    // (a wrong weight, step or mask moves outputs by ~1e-2 with these ±0.5 parameters).
                    double tolerance = 2e-5 + 1e-4 * Math.Abs(expected[i]);
                    Assert.True(Math.Abs(output[i] - expected[i]) <= tolerance,
                        $"{name}, {steps} steps, sample {sample}: output[{i}] = {output[i]:R}, Keras reference {expected[i]:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void PredictBatch_equals_Predict_per_sequence(string name, ModelCase model)
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
            int[] tokens = TestData.Tokens(Batch * Steps, model.InputSize, seed: 7, padding: masked);
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

    [Fact]
    public void Tiny_model_matches_a_hand_worked_example()
    {
        // kernel 0.5, recurrent_kernel -1, bias 0.1; dense kernel 2, bias 0.3; inputs 1 then 2:
        // h1 = tanh(0.5 * 1 + 0.1) = tanh(0.6) = 0.53704957
        // h2 = tanh(0.5 * 2 - 1 * 0.53704957 + 0.1) = tanh(0.56295043) = 0.51016325
        // y  = 2 * 0.51016325 + 0.3 = 1.32032650
        var model = new Tiny();
        new float[] { 0.5f, -1f, 0.1f, 2f, 0.3f }.CopyTo(model.Parameters);
        var output = new float[1];
        model.Predict([1f, 2f], output);
        Assert.Equal(1.3203265013197418, output[0], 6);
    }

    [Fact]
    public void Masked_tiny_model_skips_padding_as_in_a_hand_worked_example()
    {
        // embeddings [9, 0.7, -0.4] (row 0 is padding: never used); kernel 1.5, recurrent_kernel 0.8,
        // bias -0.2; dense kernel -1.2, bias 0.05; tokens 1, 0, 2, 0:
        // h1 = tanh(0.7 * 1.5 - 0.2) = 0.69106947; step 2 is padding, h stays;
        // h3 = tanh(-0.4 * 1.5 + 0.8 * 0.69106947 - 0.2) = -0.24223251; step 4 is padding, h stays;
        // y  = -1.2 * -0.24223251 + 0.05 = 0.34067901
        var model = new TinyMasked();
        new float[] { 9f, 0.7f, -0.4f, 1.5f, 0.8f, -0.2f, -1.2f, 0.05f }.CopyTo(model.Parameters);
        var output = new float[1];
        model.Predict([1, 0, 2, 0], output);
        Assert.Equal(0.34067900880236185, output[0], 6);
    }

    [Fact]
    public void Padding_changes_nothing_when_masked()
    {
        // With mask_zero, padding anywhere in a sequence gives the same result as no padding at all.
        var model = new StackedMasked();
        TestData.Randomize(model.Parameters, seed: 3);
        var plain = new float[1];
        var padded = new float[1];
        model.Predict([4, 9, 17, 2], plain);
        model.Predict([0, 0, 4, 9, 0, 17, 2, 0, 0], padded);
        Assert.Equal(plain[0], padded[0], 6);
    }

    [Fact]
    public void Bidirectional_backward_direction_reads_the_sequence_reversed()
    {
        // With the forward weights zeroed, a Sum merge outputs only the backward direction, which must
        // equal a forward-only run over the reversed sequence with the backward weights.
        var bidi = new BidiAve();
        TestData.Randomize(bidi.Parameters, seed: 11);
        int direction = 4 * (3 + 4 + 1);
        float[] inputs = TestData.Reals(5 * 3, seed: 5);
        var reversed = new float[inputs.Length];
        for (int t = 0; t < 5; t++)
        {
            inputs.AsSpan(t * 3, 3).CopyTo(reversed.AsSpan((4 - t) * 3, 3));
        }

        var layers = new Layer[] { new Input(3), new SimpleRnn(4), new Dense(1) };
        float[] parameters = bidi.Parameters.ToArray();
        double[] both = KerasReference.Predict([new Input(3), new SimpleRnn(4, Bidirectional: true, Merge: MergeMode.Ave), new Dense(1)], parameters, null, inputs);
        var output = new float[1];
        bidi.Predict(inputs, output);
        Assert.Equal(both[0], output[0], 5);

        // The backward half alone, run forwards on the reversed input, gives the same backward state.
        float[] backwardOnly = new float[direction + 4 + 1];
        parameters.AsSpan(direction, direction).CopyTo(backwardOnly);
        backwardOnly[direction] = 1; // dense kernel picks unit 0
        double[] viaReversal = KerasReference.Predict(layers, backwardOnly, null, reversed);
        float[] bidiBackward = (float[])parameters.Clone();
        Array.Clear(bidiBackward, 0, direction); // forward weights zero: forward state is 0 throughout
        Array.Clear(bidiBackward, 2 * direction, 5);
        bidiBackward[2 * direction] = 2; // ave halves the sum: 2 * (0 + b) / 2 = b
        bidiBackward.CopyTo(bidi.Parameters);
        bidi.Predict(inputs, output);
        Assert.Equal(viaReversal[0], output[0], 5);
    }
}
