using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using SentimentModel = RnnDsl.Tests.Models.SentimentModel;
using static RnnDsl.Tests.KerasReference;

namespace RnnDsl.Tests;

/// <summary>
/// <c>ComputeGradients</c> steps up to 16 sequences together through the forward pass and BPTT of every recurrent layer.
/// For every model of the forward suites (SimpleRNN, LSTM, GRU; masking, Bidirectional, go_backwards, stacked, sequence
/// outputs, real-valued input) its loss and gradient must be those of the same sequences one at a time through
/// <c>AccumulateGradients</c>, up to float rounding: the batch sums its products in another order.
/// </summary>
public class BatchedTrainingTests
{
    public static IEnumerable<object[]> Models() => ForwardTests.Models().Concat(GatedForwardTests.Models());

    [Theory]
    [MemberData(nameof(Models))]
    public void ComputeGradients_over_a_batch_equals_the_sequences_one_at_a_time(string name, ForwardTests.ModelCase model)
    {
        IRnnModel instance = model.Create();
        TestData.Randomize(instance.Parameters, seed: name.Length + 3, scale: 0.3f);
        const int Steps = 6;
        const int Batch = 37; // two groups of 16, then 5: four rows at a time and one
        bool masked = Array.Exists(model.Layers, l => l is Embedding { MaskZero: true });
        int rows = instance.OutputLength(Steps) / instance.OutputLength(1);
        int targetLength = rows * instance.OutputLength(1);
        float[] targets = TestData.Reals(Batch * targetLength, seed: 5);
        var batched = new float[instance.Parameters.Length];
        var alone = new float[instance.Parameters.Length];
        float batchLoss;
        double aloneLoss = 0;
        if (instance is ITokenModel tokenModel)
        {
            int[] tokens = Enumerable.Range(0, Batch)
                .SelectMany(b => GatedForwardTests.Tokens(Steps, model.InputSize, seed: 11 + b, masked ? (GatedForwardTests.Padding)(b % 6) : GatedForwardTests.Padding.None))
                .ToArray();
            batchLoss = tokenModel.ComputeGradients(tokens, targets, Batch, batched, Loss.MeanSquaredError);
            int terms = Enumerable.Range(0, Batch).Sum(b => tokenModel.LossTermCount(tokens.AsSpan(b * Steps, Steps)));
            if (terms == 0)
            {
                return;
            }

            for (int b = 0; b < Batch; b++)
            {
                aloneLoss += tokenModel.AccumulateGradients(tokens.AsSpan(b * Steps, Steps), targets.AsSpan(b * targetLength, targetLength), Loss.MeanSquaredError, 1f / terms, alone, Span<float>.Empty);
            }

            aloneLoss /= terms;
        }
        else
        {
            var realModel = (IRealValuedModel)instance;
            int length = Steps * model.InputSize;
            float[] inputs = TestData.Reals(Batch * length, seed: 7);
            batchLoss = realModel.ComputeGradients(inputs, targets, Batch, batched, Loss.MeanSquaredError);
            int terms = Enumerable.Range(0, Batch).Sum(b => realModel.LossTermCount(inputs.AsSpan(b * length, length)));
            for (int b = 0; b < Batch; b++)
            {
                aloneLoss += realModel.AccumulateGradients(inputs.AsSpan(b * length, length), targets.AsSpan(b * targetLength, targetLength), Loss.MeanSquaredError, 1f / terms, alone, Span<float>.Empty);
            }

            aloneLoss /= terms;
        }

        Assert.True(Math.Abs(batchLoss - aloneLoss) <= 1e-5 * (1 + Math.Abs(aloneLoss)), $"{name}: loss {batchLoss:R} batched, {aloneLoss:R} one at a time");
        float largest = alone.Max(Math.Abs);
        Assert.True(largest > 0, name + ": no gradient at all");
        for (int i = 0; i < alone.Length; i++)
        {
            Assert.True(Math.Abs(batched[i] - alone[i]) <= 1e-5f * (1 + largest), $"{name}, parameter {i}: {batched[i]:R} batched, {alone[i]:R} one at a time (largest {largest:R})");
        }
    }

    [Fact]
    public void Fit_takes_equal_length_examples_together_with_their_class_weights_and_gets_the_one_at_a_time_result()
    {
        // Fit hands a thread's run of equal-length examples to the model at once (each with its own scale); the result
        // must be the plain loop of one example at a time with the same optimizer: same weights, same logged loss.
        const int Examples = 24;
        const int BatchSize = 8;
        int[][] inputs = Enumerable.Range(0, Examples).Select(i => TestData.Tokens(7, 10000, seed: 40 + i, padding: false)).ToArray();
        float[][] targets = Enumerable.Range(0, Examples).Select(i => new[] { (float)(i % 3 == 0 ? 1 : 0) }).ToArray();
        var weights = new Dictionary<int, float> { [0] = 1f, [1] = 2.5f };
        var fitted = new SentimentModel(seed: 4);
        var manual = new SentimentModel(seed: 4);
        History history = fitted.Fit(inputs, targets, new FitOptions
        {
            Epochs = 1,
            BatchSize = BatchSize,
            Shuffle = false,
            Optimizer = new Adam(0.01f),
            Loss = Loss.BinaryCrossentropy,
            ClassWeight = weights,
            Threads = 1,
        });

        var adam = new Adam(0.01f);
        var gradient = new float[manual.Parameters.Length];
        double lossSum = 0;
        for (int start = 0; start < Examples; start += BatchSize)
        {
            Array.Clear(gradient);
            double batchLoss = 0;
            for (int i = start; i < start + BatchSize; i++)
            {
                float weight = weights[(int)targets[i][0]];
                batchLoss += weight * manual.AccumulateGradients(inputs[i], targets[i], Loss.BinaryCrossentropy, weight / BatchSize, gradient, Span<float>.Empty);
            }

            lossSum += batchLoss / BatchSize;
            adam.Step(manual.Parameters, gradient);
        }

        float[] a = fitted.Parameters.ToArray();
        float[] b = manual.Parameters.ToArray();
        Assert.False(a.SequenceEqual(new SentimentModel(seed: 4).Parameters.ToArray())); // training moved the weights
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5f, $"parameter {i}: {a[i]:R} from Fit, {b[i]:R} one example at a time");
        }

        Assert.Equal(lossSum / (Examples / BatchSize), history["loss"][0], 5);
    }

    [Fact]
    public void Every_way_weights_change_shows_in_the_next_prediction()
    {
        // Predict, PredictBatch and ComputeGradients pack and project from the parameters on every call and keep nothing
        // between calls, so no route of writing weights can leave a stale result. Each route is followed by a batch
        // prediction, compared with a fresh model given the same parameters.
        var model = new SentimentModel(seed: 1);
        int[] tokens = Enumerable.Range(0, 20).SelectMany(i => TestData.Tokens(9, 10000, seed: 60 + i, padding: false)).ToArray();
        void AssertMatchesAFreshCopy(string after)
        {
            var fresh = new SentimentModel(seed: 99);
            model.Parameters.CopyTo(fresh.Parameters);
            var expected = new float[20];
            var actual = new float[20];
            fresh.PredictBatch(tokens, 20, expected);
            model.PredictBatch(tokens, 20, actual);
            Assert.True(expected.SequenceEqual(actual), "after " + after);
        }

        var before = new float[20];
        model.PredictBatch(tokens, 20, before);
        AssertMatchesAFreshCopy("the first prediction");

        model.Parameters[SentimentModel.VocabularySize * 32 + 5] += 0.25f; // a kernel weight, written directly
        AssertMatchesAFreshCopy("a write through Parameters");

        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnndsl-stale-" + Guid.NewGuid().ToString("N") + ".rnnw");
        try
        {
            new SentimentModel(seed: 2).SaveWeights(path);
            model.LoadWeights(path);
            AssertMatchesAFreshCopy("LoadWeights");
        }
        finally
        {
            System.IO.File.Delete(path);
        }

        model.Fit(Enumerable.Range(0, 20).Select(i => tokens.AsSpan(i * 9, 9).ToArray()).ToArray(), Enumerable.Range(0, 20).Select(i => new[] { (float)(i % 2) }).ToArray(),
            new FitOptions { Epochs = 1, BatchSize = 8, Threads = 2 });
        AssertMatchesAFreshCopy("Fit");

        model.Initialize(seed: 5);
        AssertMatchesAFreshCopy("Initialize");
        var after = new float[20];
        model.PredictBatch(tokens, 20, after);
        Assert.False(before.SequenceEqual(after)); // the routes did change the model
    }

    [Fact]
    public void Long_sequences_go_fewer_at_a_time_and_give_the_same_results()
    {
        // 3,000 steps of the design card model take 480,128 floats of forward scratch each: ThreadScratch's 4M-float
        // budget fits 8 of them, so 20 sequences go through ForwardBatch as 8, 8 and 4.
        Assert.Equal(8, ThreadScratch.Lanes(3000L * 160 + 128, 4096, 16));
        Assert.Equal(16, ThreadScratch.Lanes(100L * 160 + 128, 4096, 16));
        Assert.Equal(1, ThreadScratch.Lanes(50_000_000L, 4096, 16)); // one at a time, however long

        var model = new SentimentModel(seed: 6);
        const int Steps = 3000;
        int[] tokens = Enumerable.Range(0, 20).SelectMany(i => TestData.Tokens(Steps, 10000, seed: 80 + i, padding: false)).ToArray();
        var batched = new float[20];
        model.PredictBatch(tokens, 20, batched);
        var single = new float[1];
        for (int b = 0; b < 20; b++)
        {
            model.Predict(tokens.AsSpan(b * Steps, Steps), single);
            TestData.AssertSameUpToRounding(single, batched.AsSpan(b, 1), "sequence " + b);
        }
    }

    [Fact]
    public void The_many_sequence_overload_checks_its_arguments_by_name()
    {
        var model = new SentimentModel(seed: 1);
        var gradients = new float[SentimentModel.ParameterCount];
        var count = Assert.Throws<ArgumentOutOfRangeException>(() => model.AccumulateGradients(new int[6], 0, new float[2], Loss.BinaryCrossentropy, new float[2], gradients, Span<float>.Empty, new float[2]));
        Assert.Equal("count", count.ParamName);
        var scales = Assert.Throws<ArgumentException>(() => model.AccumulateGradients(new int[6], 2, new float[2], Loss.BinaryCrossentropy, new float[1], gradients, Span<float>.Empty, new float[2]));
        Assert.Equal("scales", scales.ParamName);
        var lanes = Assert.Throws<ArgumentOutOfRangeException>(() => BatchParallel.Run(model, new int[6], 2, new float[2], 0, 2, static (m, part, n, output) => m.PredictBatch(part, n, output)));
        Assert.Equal("lanes", lanes.ParamName);
    }
}

