using System;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

public class InputCheckTests
{
    [Fact]
    public void Token_out_of_range_names_argument_position_and_range()
    {
        var model = new SentimentModel();
        var output = new float[1];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict([5, 17, 10000, 3], output));
        Assert.Equal("tokens", error.ParamName);
        Assert.Contains("tokens[2] is 10000", error.Message);
        Assert.Contains("[0, 10000)", error.Message);

        error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict([-1], output));
        Assert.Contains("tokens[0] is -1", error.Message);
    }

    [Fact]
    public void Batched_token_out_of_range_names_its_position()
    {
        var model = new SimpleClassifier();
        var outputs = new float[2];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.PredictBatch([1, 2, 3, 4, 5, 12000], 2, outputs));
        Assert.Equal("tokens", error.ParamName);
        Assert.Contains("tokens[5] is 12000", error.Message);
    }

    [Fact]
    public void Wrong_output_length_names_the_expected_length()
    {
        var model = new SentimentModel();
        var error = Assert.Throws<ArgumentException>(() => model.Predict([1, 2, 3], new float[2]));
        Assert.Equal("output", error.ParamName);
        Assert.Contains("length 2", error.Message);
        Assert.Contains("exactly 1", error.Message);

        // A sequence output needs a row per step.
        var tagger = new Tagger();
        error = Assert.Throws<ArgumentException>(() => tagger.Predict([1, 2, 3], new float[4]));
        Assert.Contains("exactly 12", error.Message);
    }

    [Fact]
    public void Empty_sequence_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new SimpleClassifier().Predict([], new float[1]));
        Assert.Equal("tokens", error.ParamName);
        Assert.Contains("at least one step", error.Message);
    }

    [Fact]
    public void Sequence_longer_than_InputLength_is_rejected_and_shorter_ones_run()
    {
        var model = new FixedLength();
        var output = new float[1];
        var error = Assert.Throws<ArgumentException>(() => model.Predict(new int[13], output));
        Assert.Equal("tokens", error.ParamName);
        Assert.Contains("13 steps", error.Message);
        Assert.Contains("at most 12", error.Message);
        model.Predict(new int[12], output);
        model.Predict(new int[3], output);
        Assert.Equal(12, FixedLength.MaxSequenceLength);
    }

    [Fact]
    public void Real_inputs_must_be_whole_steps_and_at_most_the_declared_timesteps()
    {
        var model = new Forecaster();
        var output = new float[1];
        var error = Assert.Throws<ArgumentException>(() => model.Predict(new float[11], output));
        Assert.Equal("inputs", error.ParamName);
        Assert.Contains("at most 10", error.Message);

        var wide = new BidiAve(); // 3 features per step
        error = Assert.Throws<ArgumentException>(() => wide.Predict(new float[7], output));
        Assert.Contains("not a whole number of steps of 3 features", error.Message);

        // Training checks its input the same way, naming the same argument.
        error = Assert.Throws<ArgumentException>(() => wide.AccumulateGradients(new float[7], [0f], Loss.MeanSquaredError, 1f, new float[BidiAve.ParameterCount], Span<float>.Empty));
        Assert.Equal("inputs", error.ParamName);
        Assert.Contains("not a whole number of steps of 3 features", error.Message);
    }

    [Fact]
    public void Batch_that_does_not_divide_is_rejected()
    {
        var model = new SimpleClassifier();
        var error = Assert.Throws<ArgumentException>(() => model.PredictBatch([1, 2, 3, 4, 5], 2, new float[2]));
        Assert.Equal("tokens", error.ParamName);
        Assert.Contains("2 sequences", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.PredictBatch([1, 2], 0, new float[0]));
    }

    [Fact]
    public void Degree_of_parallelism_below_one_is_rejected_before_anything_runs()
    {
        var model = new SimpleClassifier();
        var outputs = new float[] { 7f, 7f };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.PredictBatch([1, 2, 3, 4], 2, outputs, degreeOfParallelism: 0));
        Assert.Equal("degreeOfParallelism", error.ParamName);
        Assert.Contains("at least 1", error.Message);
        Assert.Equal(new[] { 7f, 7f }, outputs); // nothing written
    }
}
