using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using RnnDsl.Tests.Models;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// Outputs, losses and gradients against values PyTorch computed with autograd in float64
/// (<c>Reference/pytorch_reference.json</c>, written by <c>Reference/make_pytorch_reference.py</c>),
/// including a masked bidirectional layer, where PyTorch's packed sequences and Keras's mask agree.
/// </summary>
public class PyTorchReferenceTests
{
    private static JsonElement Case(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Reference", "pytorch_reference.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).Clone();
    }

    private static float[] Floats(JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            // PyTorch ran in float64 on the same float32 weights; the float32 forward and backward here differ
            // by rounding only, ~1e-6 relative.
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 + 1e-4 * Math.Abs(expected[i]), $"{what}[{i}]: PyTorch {expected[i]:R}, RnnDsl {actual[i]:R}");
        }
    }

    [Fact]
    public void Masked_bidirectional_classifier_matches_PyTorch()
    {
        JsonElement reference = Case("sentiment");
        var model = new TorchSentiment();
        Floats(reference, "parameters").CopyTo(model.Parameters);
        int[] tokens = reference.GetProperty("tokens").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        int batch = reference.GetProperty("batch").GetInt32();

        var outputs = new float[batch];
        model.PredictBatch(tokens, batch, outputs);
        AssertClose(Floats(reference, "outputs"), outputs, "output");

        var gradients = new float[TorchSentiment.ParameterCount];
        float loss = model.ComputeGradients(tokens, Floats(reference, "targets"), batch, gradients, Loss.BinaryCrossentropy);
        Assert.Equal(reference.GetProperty("loss").GetDouble(), loss, 5);
        AssertClose(Floats(reference, "gradients"), gradients, "gradient");
    }

    [Fact]
    public void Stacked_relu_tagger_matches_PyTorch()
    {
        JsonElement reference = Case("tagger");
        var model = new TorchTagger();
        Floats(reference, "parameters").CopyTo(model.Parameters);
        float[] inputs = Floats(reference, "inputs");
        int batch = reference.GetProperty("batch").GetInt32();

        var outputs = new float[batch * model.OutputLength(5)];
        model.PredictBatch(inputs, batch, outputs);
        AssertClose(Floats(reference, "outputs"), outputs, "output");

        var gradients = new float[TorchTagger.ParameterCount];
        float loss = model.ComputeGradients(inputs, Floats(reference, "targets"), batch, gradients, Loss.SparseCategoricalCrossentropy);
        Assert.Equal(reference.GetProperty("loss").GetDouble(), loss, 5);
        AssertClose(Floats(reference, "gradients"), gradients, "gradient");
    }

    /// <summary>Runs one reference case on a model: outputs, the batch loss and every gradient against PyTorch's autograd.</summary>
    private static void AssertMatches<TInput>(ISequenceModel<TInput> model, JsonElement reference, TInput[] inputs)
        where TInput : unmanaged
    {
        float[] parameters = Floats(reference, "parameters");
        Assert.Equal(parameters.Length, model.Parameters.Length);
        parameters.CopyTo(model.Parameters);
        int batch = reference.GetProperty("batch").GetInt32();
        int steps = reference.GetProperty("steps").GetInt32();
        var loss = Enum.Parse<Loss>(reference.GetProperty("loss_kind").GetString()!);

        var outputs = new float[batch * model.OutputLength(steps)];
        model.PredictBatch(inputs, batch, outputs);
        AssertClose(Floats(reference, "outputs"), outputs, "output");

        var gradients = new float[model.Parameters.Length];
        float value = model.ComputeGradients(inputs, Floats(reference, "targets"), batch, gradients, loss);
        Assert.Equal(reference.GetProperty("loss").GetDouble(), value, 5);
        AssertClose(Floats(reference, "gradients"), gradients, "gradient");
    }

    [Fact]
    public void Masked_LSTM_classifier_matches_PyTorch()
    {
        JsonElement reference = Case("lstm_classifier");
        AssertMatches(new TorchLstmClassifier(), reference, reference.GetProperty("tokens").EnumerateArray().Select(v => v.GetInt32()).ToArray());
    }

    [Fact]
    public void Bidirectional_GRU_tagger_matches_PyTorch()
    {
        JsonElement reference = Case("gru_tagger");
        AssertMatches(new TorchGruTagger(), reference, Floats(reference, "inputs"));
    }

    [Fact]
    public void Stacked_LSTM_and_GRU_match_PyTorch()
    {
        JsonElement reference = Case("stacked_lstm_gru");
        AssertMatches(new TorchStackedLstmGru(), reference, Floats(reference, "inputs"));
    }
}
