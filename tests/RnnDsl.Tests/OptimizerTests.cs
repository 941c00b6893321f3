using System;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>Each update rule, two steps at a time, against values worked out by hand from the Keras formulas.</summary>
public class OptimizerTests
{
    [Fact]
    public void Sgd_without_momentum_steps_against_the_gradient()
    {
        float[] w = [1f, -2f];
        new Sgd(learningRate: 0.1f).Step(w, [0.5f, -1f]);
        Assert.Equal(new[] { 0.95f, -1.9f }, w);
    }

    [Fact]
    public void Sgd_with_momentum_accumulates_velocity()
    {
        // v1 = -0.1 * 1 = -0.1, w = 0.9; v2 = 0.9 * -0.1 - 0.1 * 1 = -0.19, w = 0.71
        float[] w = [1f];
        var sgd = new Sgd(learningRate: 0.1f, momentum: 0.9f);
        sgd.Step(w, [1f]);
        Assert.Equal(0.9f, w[0], 6);
        sgd.Step(w, [1f]);
        Assert.Equal(0.71f, w[0], 6);
    }

    [Fact]
    public void Sgd_with_Nesterov_looks_ahead()
    {
        // step 1: v = -0.1, w += 0.9 * -0.1 - 0.1 = -0.19 -> 0.81
        // step 2: v = 0.9 * -0.1 - 0.1 = -0.19, w += 0.9 * -0.19 - 0.1 = -0.271 -> 0.539
        float[] w = [1f];
        var sgd = new Sgd(learningRate: 0.1f, momentum: 0.9f, nesterov: true);
        sgd.Step(w, [1f]);
        Assert.Equal(0.81f, w[0], 6);
        sgd.Step(w, [1f]);
        Assert.Equal(0.539f, w[0], 6);
    }

    [Fact]
    public void Adam_matches_the_Keras_update()
    {
        // Keras defaults, lr 0.001. Step 1 with g = 0.5: m = 0.05, v = 0.00025,
        // alpha = 0.001 * sqrt(1 - 0.999) / (1 - 0.9) = 0.000316228; w -= alpha * 0.05 / (sqrt(0.00025) + 1e-7) = 0.000999994
        // Step 2 with g = -1: m = 0.045 - 0.1 = -0.055, v = 0.00024975 + 0.001 = 0.00124975,
        // alpha = 0.001 * sqrt(1 - 0.999²) / (1 - 0.9²) = 0.000235331; w -= alpha * -0.055 / (0.0353518 + 1e-7) = -0.000366102
        float[] w = [1f];
        var adam = new Adam();
        adam.Step(w, [0.5f]);
        Assert.Equal(1 - 0.000999994, w[0], 6);
        adam.Step(w, [-1f]);
        Assert.Equal(1 - 0.000999994 + 0.000366102, w[0], 6);
        Assert.Equal(2, adam.Iterations);
    }

    [Fact]
    public void Adam_over_many_parameters_equals_Adam_on_each_alone()
    {
        // 37 parameters take the vector path for most of them and the scalar path (checked above) for the rest.
        float[] gradients = TestData.Reals(37, seed: 1);
        float[] together = TestData.Reals(37, seed: 2);
        float[] alone = (float[])together.Clone();
        var adam = new Adam();
        adam.Step(together, gradients);
        adam.Step(together, gradients);
        for (int i = 0; i < alone.Length; i++)
        {
            var single = new Adam();
            float[] w = [alone[i]];
            single.Step(w, [gradients[i]]);
            single.Step(w, [gradients[i]]);
            Assert.Equal(w[0], together[i], 6);
        }
    }

    [Fact]
    public void RmsProp_matches_the_Keras_update()
    {
        // s1 = 0.1 * 4 = 0.4, w -= 0.001 * 2 / sqrt(0.4 + 1e-7) = 0.00316228
        // s2 = 0.36 + 0.1 * 1 = 0.46, w -= 0.001 * -1 / sqrt(0.46 + 1e-7) = -0.00147442
        float[] w = [0f];
        var rms = new RmsProp();
        rms.Step(w, [2f]);
        Assert.Equal(-0.00316228, w[0], 6);
        rms.Step(w, [-1f]);
        Assert.Equal(-0.00316228 + 0.00147442, w[0], 6);
    }

    [Fact]
    public void Clipping_by_value_and_by_global_norm()
    {
        float[] w = [0f, 0f];
        new Sgd(learningRate: 1f) { ClipValue = 0.5f }.Step(w, [3f, -0.25f]);
        Assert.Equal(new[] { -0.5f, 0.25f }, w);

        // The gradient (3, 4) has norm 5; clipped to norm 1 it is (0.6, 0.8).
        w = [0f, 0f];
        float[] gradient = [3f, 4f];
        new Sgd(learningRate: 1f) { GlobalClipNorm = 1f }.Step(w, gradient);
        Assert.Equal(-0.6f, w[0], 6);
        Assert.Equal(-0.8f, w[1], 6);
        Assert.Equal(new[] { 3f, 4f }, gradient); // the caller's gradient is left as it was
    }

    [Fact]
    public void Only_one_kind_of_clipping_may_be_set_as_in_Keras()
    {
        float[] w = [1f];
        var sgd = new Sgd { ClipValue = 1f, GlobalClipNorm = 1f };
        var error = Assert.Throws<ArgumentException>(() => sgd.Step(w, [5f]));
        Assert.Contains("not both", error.Message);
        Assert.Equal(1f, w[0]);
    }

    [Fact]
    public void Learning_rate_can_change_between_steps()
    {
        float[] w = [0f];
        var sgd = new Sgd(learningRate: 1f);
        sgd.Step(w, [1f]);
        sgd.LearningRate = 0.5f;
        sgd.Step(w, [1f]);
        Assert.Equal(-1.5f, w[0]);
    }

    [Fact]
    public void Steps_after_the_first_allocate_nothing()
    {
        var w = new float[1000];
        var g = new float[1000];
        g.AsSpan().Fill(0.01f);
        foreach (Optimizer optimizer in new Optimizer[] { new Adam() { GlobalClipNorm = 1f }, new RmsProp(), new Sgd(momentum: 0.9f) })
        {
            optimizer.Step(w, g);
            long before = TestData.AllocatedBytes();
            for (int i = 0; i < 100; i++)
            {
                optimizer.Step(w, g);
            }

            Assert.Equal(0, TestData.AllocatedBytes() - before);
        }
    }
}
