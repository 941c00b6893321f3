using System;
using System.Collections.Generic;
using System.Linq;
using RnnDsl.Tests.Models;
using Xunit;
using static RnnDsl.Tests.KerasReference;

namespace RnnDsl.Tests;

/// <summary>
/// The generated backpropagation against central finite differences of the independent double-precision
/// Keras reference (forward pass and losses), for every layer, option and loss, on every parameter block.
/// </summary>
public class GradientTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (object[] model in ForwardTests.Models())
        {
            var modelCase = (ForwardTests.ModelCase)model[1];
            IRnnModel instance = modelCase.Create();
            string name = (string)model[0];
            if (name is "SentimentModel" or "SimpleClassifier" or "WideBidirectional")
            {
                // Large models: checked on a sample of each block (see Sample below).
            }

            Layer last = modelCase.Layers[^1];
            Activation activation = last is Dense d ? d.Activation : ((Recurrent)last).Activation;
            int width = instance.OutputLength(1);
            IEnumerable<Loss> losses = activation switch
            {
                Activation.Softmax => new[] { Loss.SparseCategoricalCrossentropy, Loss.CategoricalCrossentropy },
                Activation.Sigmoid => new[] { Loss.BinaryCrossentropy, Loss.MeanSquaredError },
                _ => new[] { Loss.MeanSquaredError },
            };
            foreach (Loss loss in losses)
            {
                yield return new object[] { name, modelCase, loss };
            }
        }

        // Every loss on an output it does not usually go with: the gradient must still be exact.
        yield return new object[] { "Stacked/BCE", (ForwardTests.ModelCase)ForwardTests.Models().First(m => (string)m[0] == "Stacked")[1], Loss.BinaryCrossentropy };
        yield return new object[] { "BidiSum/MSE", (ForwardTests.ModelCase)ForwardTests.Models().First(m => (string)m[0] == "BidiSum")[1], Loss.MeanSquaredError };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradients_match_central_differences_of_the_Keras_reference(string name, ForwardTests.ModelCase model, Loss loss)
    {
        IRnnModel instance = model.Create();
        TestData.Randomize(instance.Parameters, seed: name.Length + (int)loss);
        bool masked = Array.Exists(model.Layers, l => l is Embedding { MaskZero: true });
        int outputWidth = instance.OutputLength(1);
        const int Batch = 3;
        const int Steps = 5;
        var random = new SeededRandom(name.Length);

        int[][]? tokens = null;
        float[][]? inputs = null;
        if (instance is ITokenModel)
        {
            tokens = Enumerable.Range(0, Batch).Select(b => TestData.Tokens(Steps, model.InputSize, seed: 31 * b + 7, padding: masked)).ToArray();
            if (masked)
            {
                tokens[1][0] = 0; // leading and trailing padding in every masked case
                tokens[2][Steps - 1] = 0;
            }
        }
        else
        {
            inputs = Enumerable.Range(0, Batch).Select(b => TestData.Reals(Steps * model.InputSize, seed: 31 * b + 7)).ToArray();
        }

        int rows = instance.OutputLength(Steps) / outputWidth;
        float[][] targets = Enumerable.Range(0, Batch).Select(_ => Target(loss, rows, outputWidth, random)).ToArray();

        // Analytic: the generated backward pass.
        var gradients = new float[instance.Parameters.Length];
        float lossValue = instance is ITokenModel tokenModel
            ? tokenModel.ComputeGradients(tokens!.SelectMany(t => t).ToArray(), targets.SelectMany(t => t).ToArray(), Batch, gradients, loss)
            : ((IRealValuedModel)instance).ComputeGradients(inputs!.SelectMany(t => t).ToArray(), targets.SelectMany(t => t).ToArray(), Batch, gradients, loss);

        float[] parameters = instance.Parameters.ToArray();
        double referenceLoss = BatchLoss(model.Layers, parameters, loss, tokens, inputs, targets, outputWidth);
        Assert.Equal(referenceLoss, lossValue, 4);

        // Numeric: central differences of the reference, h = 1e-3 on float parameters (the reference reads them as
        // doubles, so the perturbation is exact); its truncation error is O(h²) ~ 1e-6 relative.
        const float H = 1e-3f;
        foreach (int index in ParametersToCheck(model.Layers, parameters.Length, tokens, random))
        {
            float original = parameters[index];
            parameters[index] = original + H;
            double plus = BatchLoss(model.Layers, parameters, loss, tokens, inputs, targets, outputWidth);
            parameters[index] = original - H;
            double minus = BatchLoss(model.Layers, parameters, loss, tokens, inputs, targets, outputWidth);
            parameters[index] = original;
            double numeric = (plus - minus) / (2.0 * ((double)(original + H) - original));

            // The analytic gradient is accumulated in float: ~1e-6 relative error per term over at most a few hundred
            // terms. 1e-5 absolute + 1e-3 relative is far below what any wrong term (a missed step, a wrong
            // index, a mask error) produces with these ±0.5 weights.
            double tolerance = 1e-5 + 1e-3 * Math.Abs(numeric);
            Assert.True(Math.Abs(gradients[index] - numeric) <= tolerance,
                $"{name}, {loss}: parameter {index} ({Describe(model.Layers, index)}): analytic {gradients[index]:R}, numeric {numeric:R}");
        }
    }

    private static float[] Target(Loss loss, int rows, int width, SeededRandom random)
    {
        return loss switch
        {
            Loss.SparseCategoricalCrossentropy => Enumerable.Range(0, rows).Select(_ => (float)random.NextInt(width)).ToArray(),
            Loss.CategoricalCrossentropy => Enumerable.Range(0, rows).SelectMany(_ =>
            {
                var row = new float[width];
                row[random.NextInt(width)] = 1f;
                return row;
            }).ToArray(),
            Loss.BinaryCrossentropy => Enumerable.Range(0, rows * width).Select(_ => random.NextDouble() < 0.5 ? 0f : 1f).ToArray(),
            _ => Enumerable.Range(0, rows * width).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(),
        };
    }

    /// <summary>
    /// The weight arrays of the layers, in Keras get_weights() order. <c>Gates</c> names the column blocks of a recurrent
    /// layer's arrays (LSTM "ifco", GRU "zrh", SimpleRNN "h"), each <c>Columns / Gates.Length</c> wide; empty otherwise.
    /// </summary>
    internal static List<(string Name, int Offset, int Length, int Columns, string Gates)> Blocks(IReadOnlyList<Layer> layers)
    {
        var blocks = new List<(string, int, int, int, string)>();
        int offset = 0;
        int width = 0;
        void Add(string name, int rows, int columns, string gates = "")
        {
            blocks.Add((name, offset, rows * columns, columns, gates));
            offset += rows * columns;
        }

        int index = 0;
        foreach (Layer layer in layers)
        {
            string prefix = $"layer {index++} ";
            switch (layer)
            {
                case Embedding e:
                    Add("embeddings", e.Vocabulary, e.Dimension);
                    width = e.Dimension;
                    break;
                case Input i:
                    width = i.Features;
                    break;
                case Recurrent r:
                    foreach (string direction in r.Bidirectional ? new[] { "forward ", "backward " } : new[] { string.Empty })
                    {
                        Add(prefix + direction + "kernel", width, r.GateColumns, r.Gates);
                        Add(prefix + direction + "recurrent_kernel", r.Units, r.GateColumns, r.Gates);
                        Add(prefix + direction + "bias", r.BiasRows, r.GateColumns, r.Gates);
                    }

                    width = r.OutputWidth;
                    break;
                case Dense d:
                    Add(prefix + "dense kernel", width, d.Units);
                    Add(prefix + "dense bias", 1, d.Units);
                    width = d.Units;
                    break;
            }
        }

        return blocks;
    }

    internal static string Describe(IReadOnlyList<Layer> layers, int index)
    {
        var block = Blocks(layers).Last(b => b.Offset <= index);
        int row = (index - block.Offset) / block.Columns;
        int column = (index - block.Offset) % block.Columns;
        string gate = block.Gates.Length > 1 ? $", gate {block.Gates[column / (block.Columns / block.Gates.Length)]}" : string.Empty;
        return $"{block.Name}[{row}, {column}]{gate}";
    }

    /// <summary>
    /// Every parameter of a small model; for a large one, 25 per block, embedding rows taken from the tokens
    /// in the batch (the only rows with a gradient) plus a few others, whose gradient must be 0.
    /// </summary>
    private static IEnumerable<int> ParametersToCheck(IReadOnlyList<Layer> layers, int count, int[][]? tokens, SeededRandom random)
    {
        if (count <= 2000)
        {
            return Enumerable.Range(0, count);
        }

        var chosen = new List<int>();
        foreach (var block in Blocks(layers))
        {
            for (int k = 0; k < 25 && k < block.Length; k++)
            {
                if (block.Name == "embeddings" && tokens is not null && k < 20)
                {
                    int token = tokens[k % tokens.Length][k % tokens[0].Length];
                    chosen.Add(block.Offset + token * block.Columns + random.NextInt(block.Columns));
                }
                else
                {
                    chosen.Add(block.Offset + random.NextInt(block.Length));
                }
            }
        }

        return chosen;
    }
}
