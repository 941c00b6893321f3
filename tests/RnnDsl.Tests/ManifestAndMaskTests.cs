using System;
using System.Linq;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>The generated weight manifest and output mask, which weight readers and Fit go by.</summary>
public class ManifestAndMaskTests
{
    [Fact]
    public void The_manifest_lists_every_array_back_to_back_in_get_weights_order()
    {
        IRnnModel model = new Tagger();
        WeightManifest weights = model.Weights;
        Assert.Equal(Tagger.ParameterCount, weights.ParameterCount);
        Assert.Equal(
            new[]
            {
                "embedding/embeddings",
                "bidirectional/forward_simple_rnn/simple_rnn_cell/kernel",
                "bidirectional/forward_simple_rnn/simple_rnn_cell/recurrent_kernel",
                "bidirectional/forward_simple_rnn/simple_rnn_cell/bias",
                "bidirectional/backward_simple_rnn/simple_rnn_cell/kernel",
                "bidirectional/backward_simple_rnn/simple_rnn_cell/recurrent_kernel",
                "bidirectional/backward_simple_rnn/simple_rnn_cell/bias",
                "dense/kernel",
                "dense/bias",
            },
            weights.Select(w => w.KerasPath));
        Assert.Equal(new[] { 40, 6 }, weights[0].Shape);
        Assert.Equal(new[] { 6, 5 }, weights[1].Shape);
        Assert.Equal(new[] { 10, 4 }, weights[7].Shape);
        Assert.Equal("bidirectional.weight_hh_l0_reverse", weights[5].TorchName);
        Assert.Equal(WeightRole.RecurrentKernel, weights[5].Role);
        Assert.Same(weights[8], weights.FindByTorchName("dense.bias"));
        int next = 0;
        foreach (WeightInfo weight in weights)
        {
            Assert.Equal(next, weight.Offset);
            next += weight.Length;
        }

        // Every layer the summary lists owns arrays under its name.
        foreach (string layer in new[] { "embedding", "bidirectional", "dense" })
        {
            Assert.Contains("│ " + layer + " (", model.Summary());
            Assert.Contains(weights, w => w.Layer == layer);
        }
    }

    [Fact]
    public void Stacked_layers_are_numbered_as_Keras_numbers_them()
    {
        WeightManifest weights = new StackedMasked().Weights;
        Assert.Equal("simple_rnn_1/simple_rnn_cell/kernel", weights[4].KerasPath);
        Assert.Equal("simple_rnn_1.weight_ih_l0", weights[4].TorchName);
        Assert.Equal(new[] { 6, 3 }, weights[4].Shape);
    }

    [Fact]
    public void A_manifest_with_a_gap_is_refused()
    {
        var first = new WeightInfo("dense", "", "kernel", "dense/kernel", "dense.weight", WeightRole.Kernel, [2, 3], 0);
        var gap = new WeightInfo("dense", "", "bias", "dense/bias", "dense.bias", WeightRole.Bias, [3], 7);
        Assert.Throws<ArgumentException>(() => new WeightManifest(first, gap));
    }

    [Fact]
    public void The_output_mask_leaves_out_padding_steps_of_a_masked_sequence_output()
    {
        var tagger = new Tagger();
        int[] tokens = [0, 0, 5, 9, 0, 3];
        var counted = new bool[tokens.Length];
        tagger.ComputeOutputMask(tokens, counted);
        Assert.Equal(new[] { false, false, true, true, false, true }, counted);
        Assert.Equal(3, tagger.LossTermCount(tokens));

        // A vector output has one row, which always counts; so does every step of an unmasked sequence output.
        var one = new bool[1];
        new TinyMasked().ComputeOutputMask([0, 0, 1], one);
        Assert.True(one[0]);
        var rows = new bool[4];
        new SequenceTagger().ComputeOutputMask(new float[8], rows);
        Assert.All(rows, Assert.True);
        Assert.Throws<ArgumentException>(() => tagger.ComputeOutputMask(tokens, new bool[5]));
    }
}
