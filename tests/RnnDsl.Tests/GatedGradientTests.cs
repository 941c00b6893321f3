using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using static RnnDsl.Tests.KerasReference;

namespace RnnDsl.Tests;

/// <summary>
/// The generated backpropagation through LSTM and GRU against central finite differences of the double-precision
/// Keras reference: every model of <see cref="GatedForwardTests"/>, every loss its output goes with, every parameter
/// block and every gate of it; masked batches have padding at the start, the end and in between.
/// </summary>
public class GatedGradientTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (object[] model in GatedForwardTests.Models())
        {
            var modelCase = (ForwardTests.ModelCase)model[1];
            Layer last = modelCase.Layers[^1];
            Activation activation = last is Dense d ? d.Activation : ((Recurrent)last).Activation;
            IEnumerable<Loss> losses = activation switch
            {
                Activation.Softmax => new[] { Loss.SparseCategoricalCrossentropy, Loss.CategoricalCrossentropy },
                Activation.Sigmoid => new[] { Loss.BinaryCrossentropy, Loss.MeanSquaredError },
                _ => new[] { Loss.MeanSquaredError },
            };
            foreach (Loss loss in losses)
            {
                yield return new object[] { (string)model[0], loss };
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradients_match_central_differences_of_the_Keras_reference(string name, Loss loss)
    {
        ForwardTests.ModelCase model = GatedForwardTests.Find(name);
        IRnnModel instance = model.Create();
        TestData.Randomize(instance.Parameters, seed: name.Length + (int)loss);
        bool masked = Array.Exists(model.Layers, l => l is Embedding { MaskZero: true });
        int outputWidth = instance.OutputLength(1);
        const int Batch = 4;
        const int Steps = 5;
        var random = new SeededRandom(name.Length);

        int[][]? tokens = null;
        float[][]? inputs = null;
        if (instance is ITokenModel)
        {
            // Masked: padding at random, at the start, at the end, and in between (steps 1 and 3).
            GatedForwardTests.Padding[] paddings =
            [
                GatedForwardTests.Padding.Random, GatedForwardTests.Padding.Start, GatedForwardTests.Padding.End, GatedForwardTests.Padding.Between,
            ];
            tokens = Enumerable.Range(0, Batch)
                .Select(b => GatedForwardTests.Tokens(Steps, model.InputSize, seed: 31 * b + 7, masked ? paddings[b] : GatedForwardTests.Padding.None))
                .ToArray();
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
        Assert.True(Math.Abs(referenceLoss - lossValue) <= 1e-5 + 1e-4 * Math.Abs(referenceLoss),
            $"{name}, {loss}: loss {lossValue:R}, Keras reference {referenceLoss:R}");

        // Numeric: central differences of the reference with h = 1e-3 (exact on the doubles the reference reads; truncation
        // error O(h²) ~ 1e-6 relative). The analytic gradient is accumulated in float over at most a few hundred terms:
        // 1e-5 absolute + 1e-3 relative is far below what a wrong gate, step, index or mask produces with ±0.5 weights.
        const float H = 1e-3f;
        var failures = new List<string>();
        int checkedCount = 0;
        int kinks = 0;
        foreach (int index in ParametersToCheck(model.Layers, parameters.Length, tokens, random))
        {
            checkedCount++;
            var (left, right) = OneSidedSlopes(model.Layers, parameters, index, H, referenceLoss, loss, tokens, inputs, targets, outputWidth);
            double numeric = (left + right) / 2;
            double tolerance = 1e-5 + 1e-3 * Math.Abs(numeric);
            if (Math.Abs(gradients[index] - numeric) <= tolerance)
            {
                continue;
            }

            // A ReLU (cell activation) that crosses 0 within ±h makes the loss non-differentiable there: its left and right
            // slopes then stay apart as h shrinks (for a smooth loss they close in proportion to h). At such a kink the
            // analytic gradient is one of the two one-sided derivatives, so it must lie between them.
            var (leftSmall, rightSmall) = OneSidedSlopes(model.Layers, parameters, index, H / 10, referenceLoss, loss, tokens, inputs, targets, outputWidth);
            bool kink = Math.Abs(rightSmall - leftSmall) > 0.25 * Math.Abs(right - left);
            double low = Math.Min(leftSmall, rightSmall) - tolerance;
            double high = Math.Max(leftSmall, rightSmall) + tolerance;
            if (kink && gradients[index] >= low && gradients[index] <= high)
            {
                kinks++;
                continue;
            }

            failures.Add($"parameter {index} ({GradientTests.Describe(model.Layers, index)}): analytic {gradients[index]:R}, numeric {numeric:R}"
                + (kink ? $" (a kink: one-sided slopes {leftSmall:R} and {rightSmall:R})" : string.Empty));
        }

        Assert.True(failures.Count == 0, $"{name}, {loss}: {failures.Count} of {checkedCount} gradients differ; the first: {string.Join("; ", failures.Take(8))}");
        Assert.True(kinks <= checkedCount / 20, $"{name}, {loss}: {kinks} of {checkedCount} parameters sit at a ReLU kink; too few were checked exactly");
    }

    /// <summary>The reference loss's slopes (f(p) - f(p - h)) / h and (f(p + h) - f(p)) / h along one parameter.</summary>
    private static (double Left, double Right) OneSidedSlopes(
        IReadOnlyList<Layer> layers, float[] parameters, int index, float h, double center, Loss loss, int[][]? tokens, float[][]? inputs, float[][] targets, int outputWidth)
    {
        float original = parameters[index];
        parameters[index] = original + h;
        double plus = BatchLoss(layers, parameters, loss, tokens, inputs, targets, outputWidth);
        double up = (double)parameters[index] - original;
        parameters[index] = original - h;
        double minus = BatchLoss(layers, parameters, loss, tokens, inputs, targets, outputWidth);
        double down = original - (double)parameters[index];
        parameters[index] = original;
        return ((center - minus) / down, (plus - center) / up);
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
    /// Every parameter of a model of at most 3000; otherwise, from every block, 6 entries in each gate's columns of each
    /// row band (a reset-after GRU's two bias rows apart), embedding rows taken from the batch's tokens (the only rows
    /// with a gradient) plus a few others, whose gradient must be 0.
    /// </summary>
    private static IEnumerable<int> ParametersToCheck(IReadOnlyList<Layer> layers, int count, int[][]? tokens, SeededRandom random)
    {
        if (count <= 3000)
        {
            return Enumerable.Range(0, count);
        }

        var chosen = new List<int>();
        foreach (var block in GradientTests.Blocks(layers))
        {
            int rows = block.Length / block.Columns;
            if (block.Name == "embeddings")
            {
                for (int k = 0; k < 25; k++)
                {
                    int row = tokens is not null && k < 20 ? tokens[k % tokens.Length][k % tokens[0].Length] : random.NextInt(rows);
                    chosen.Add(block.Offset + row * block.Columns + random.NextInt(block.Columns));
                }

                continue;
            }

            int gates = Math.Max(1, block.Gates.Length);
            int gateWidth = block.Columns / gates;
            bool biasRows = block.Name.EndsWith("bias", StringComparison.Ordinal);
            for (int band = 0; band < (biasRows ? rows : 1); band++)
            {
                for (int gate = 0; gate < gates; gate++)
                {
                    for (int k = 0; k < 6; k++)
                    {
                        int row = biasRows ? band : random.NextInt(rows);
                        chosen.Add(block.Offset + row * block.Columns + gate * gateWidth + random.NextInt(gateWidth));
                    }
                }
            }
        }

        return chosen.Distinct();
    }
}
