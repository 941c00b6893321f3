using System;
using System.Collections.Generic;
using System.Linq;

namespace RnnDsl.Tests;

/// <summary>
/// A plain, obviously-correct Keras forward pass in double precision, written straight from the Keras
/// equations and its backend's masking rules (keras.src.backend rnn: a masked step keeps the state and
/// outputs the previous output, or zeros when zero_output_for_mask, which Bidirectional sets with
/// return_sequences). It shares no code with the generator; it reads the same flat parameter buffer in
/// Keras get_weights() order.
/// </summary>
public static class KerasReference
{
    public abstract record Layer;

    public sealed record Embedding(int Vocabulary, int Dimension, bool MaskZero = false) : Layer;

    public sealed record Input(int Features) : Layer;

    public sealed record SimpleRnn(
        int Units,
        Activation Activation = Activation.Tanh,
        bool ReturnSequences = false,
        bool GoBackwards = false,
        bool Bidirectional = false,
        MergeMode Merge = MergeMode.Concat) : Layer;

    public sealed record Dense(int Units, Activation Activation = Activation.Linear) : Layer;

    /// <summary>Runs the layers on one sequence; returns the output flattened (per step for sequences).</summary>
    public static double[] Predict(IReadOnlyList<Layer> layers, float[] parameters, int[]? tokens, float[]? inputs)
    {
        int cursor = 0;
        double[] Take(int count)
        {
            double[] values = parameters.Skip(cursor).Take(count).Select(v => (double)v).ToArray();
            cursor += count;
            return values;
        }

        List<double[]>? sequence = null;
        double[]? vector = null;
        bool[]? mask = null;

        foreach (Layer layer in layers)
        {
            switch (layer)
            {
                case Embedding e:
                    double[] table = Take(e.Vocabulary * e.Dimension);
                    sequence = tokens!.Select(token => table.Skip(token * e.Dimension).Take(e.Dimension).ToArray()).ToList();
                    mask = e.MaskZero ? tokens!.Select(token => token != 0).ToArray() : null;
                    break;

                case Input i:
                    sequence = Enumerable.Range(0, inputs!.Length / i.Features)
                        .Select(t => inputs.Skip(t * i.Features).Take(i.Features).Select(v => (double)v).ToArray())
                        .ToList();
                    break;

                case SimpleRnn r:
                    int inputWidth = sequence![0].Length;
                    var forward = new RnnWeights(Take(inputWidth * r.Units), Take(r.Units * r.Units), Take(r.Units), inputWidth, r.Units);
                    if (!r.Bidirectional)
                    {
                        var (outputs, last) = Run(sequence, mask, forward, r.Activation, r.GoBackwards, zeroOutputForMask: false);
                        if (r.ReturnSequences)
                        {
                            sequence = outputs; // in processing order, as Keras returns them; the mask passes on unchanged
                        }
                        else
                        {
                            vector = last;
                            sequence = null;
                        }

                        break;
                    }

                    var backward = new RnnWeights(Take(inputWidth * r.Units), Take(r.Units * r.Units), Take(r.Units), inputWidth, r.Units);
                    var (forwardOutputs, forwardLast) = Run(sequence, mask, forward, r.Activation, goBackwards: false, zeroOutputForMask: r.ReturnSequences);
                    var (backwardOutputs, backwardLast) = Run(sequence, mask, backward, r.Activation, goBackwards: true, zeroOutputForMask: r.ReturnSequences);
                    if (r.ReturnSequences)
                    {
                        backwardOutputs.Reverse(); // Bidirectional re-aligns the backward outputs in time
                        sequence = forwardOutputs.Zip(backwardOutputs, (f, b) => Merge(f, b, r.Merge)).ToList();
                    }
                    else
                    {
                        vector = Merge(forwardLast, backwardLast, r.Merge);
                        sequence = null;
                    }

                    break;

                case Dense d:
                    int width = (sequence?[0] ?? vector!).Length;
                    double[] kernel = Take(width * d.Units);
                    double[] bias = Take(d.Units);
                    double[] Apply(double[] x)
                    {
                        var y = new double[d.Units];
                        for (int j = 0; j < d.Units; j++)
                        {
                            y[j] = bias[j];
                            for (int i = 0; i < width; i++)
                            {
                                y[j] += x[i] * kernel[i * d.Units + j];
                            }
                        }

                        return Activate(y, d.Activation);
                    }

                    if (sequence is not null)
                    {
                        sequence = sequence.Select(Apply).ToList();
                    }
                    else
                    {
                        vector = Apply(vector!);
                    }

                    break;
            }
        }

        if (cursor != parameters.Length)
        {
            throw new InvalidOperationException($"The layers use {cursor} parameters; the model has {parameters.Length}.");
        }

        return sequence is not null ? sequence.SelectMany(v => v).ToArray() : vector!;
    }

    private sealed record RnnWeights(double[] Kernel, double[] Recurrent, double[] Bias, int InputWidth, int Units);

    /// <summary>Keras's rnn loop: outputs in processing order and the last output.</summary>
    private static (List<double[]> Outputs, double[] Last) Run(
        List<double[]> xs, bool[]? mask, RnnWeights w, Activation activation, bool goBackwards, bool zeroOutputForMask)
    {
        var h = new double[w.Units];
        var previousOutput = new double[w.Units];
        var outputs = new List<double[]>();
        IEnumerable<int> order = goBackwards ? Enumerable.Range(0, xs.Count).Reverse() : Enumerable.Range(0, xs.Count);
        foreach (int t in order)
        {
            var candidate = new double[w.Units];
            for (int j = 0; j < w.Units; j++)
            {
                double z = w.Bias[j];
                for (int i = 0; i < w.InputWidth; i++)
                {
                    z += xs[t][i] * w.Kernel[i * w.Units + j];
                }

                for (int k = 0; k < w.Units; k++)
                {
                    z += h[k] * w.Recurrent[k * w.Units + j];
                }

                candidate[j] = z;
            }

            candidate = Activate(candidate, activation);
            double[] output;
            if (mask is null || mask[t])
            {
                h = candidate;
                output = candidate;
            }
            else
            {
                output = zeroOutputForMask ? new double[w.Units] : previousOutput;
            }

            outputs.Add(output);
            previousOutput = output;
        }

        return (outputs, previousOutput);
    }

    private static double[] Merge(double[] f, double[] b, MergeMode mode) => mode switch
    {
        MergeMode.Concat => f.Concat(b).ToArray(),
        MergeMode.Sum => f.Zip(b, (x, y) => x + y).ToArray(),
        MergeMode.Mul => f.Zip(b, (x, y) => x * y).ToArray(),
        _ => f.Zip(b, (x, y) => (x + y) / 2).ToArray(),
    };

    public static double[] Activate(double[] z, Activation activation)
    {
        switch (activation)
        {
            case Activation.Tanh:
                return z.Select(Math.Tanh).ToArray();
            case Activation.Sigmoid:
                return z.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();
            case Activation.Relu:
                return z.Select(v => Math.Max(v, 0)).ToArray();
            case Activation.Softmax:
                double max = z.Max();
                double[] e = z.Select(v => Math.Exp(v - max)).ToArray();
                double sum = e.Sum();
                return e.Select(v => v / sum).ToArray();
            default:
                return (double[])z.Clone();
        }
    }

    /// <summary>
    /// The Keras loss of one output row, in double precision, written from the Keras definitions:
    /// probabilities clipped to [1e-7, 1 - 1e-7]; categorical rows normalised to sum 1 first.
    /// </summary>
    public static double RowLoss(Loss loss, double[] output, double[] target)
    {
        const double Epsilon = 1e-7;
        double Clip(double p) => Math.Min(Math.Max(p, Epsilon), 1 - Epsilon);
        switch (loss)
        {
            case Loss.BinaryCrossentropy:
                return output.Select((p, j) => -(target[j] * Math.Log(Clip(p)) + (1 - target[j]) * Math.Log(1 - Clip(p)))).Average();
            case Loss.MeanSquaredError:
                return output.Select((p, j) => (p - target[j]) * (p - target[j])).Average();
            case Loss.SparseCategoricalCrossentropy:
                return -Math.Log(Clip(output[(int)target[0]] / output.Sum()));
            default:
                double sum = output.Sum();
                return -output.Select((p, j) => target[j] * Math.Log(Clip(p / sum))).Sum();
        }
    }

    /// <summary>
    /// The mean loss over a batch as Keras computes it: per output row, padding steps of a masked
    /// sequence output left out, divided by the number of rows that count.
    /// </summary>
    public static double BatchLoss(IReadOnlyList<Layer> layers, float[] parameters, Loss loss, int[][]? tokens, float[][]? inputs, float[][] targets, int outputWidth)
    {
        // The output is a sequence when no recurrent layer reduces it to one vector; then Keras's mask
        // reaches the loss and padding steps do not count.
        bool sequenceOutput = layers.OfType<SimpleRnn>().All(r => r.ReturnSequences);
        bool maskedRows = sequenceOutput && layers[0] is Embedding { MaskZero: true };
        double total = 0;
        int terms = 0;
        int count = tokens?.Length ?? inputs!.Length;
        int targetWidth = loss == Loss.SparseCategoricalCrossentropy ? 1 : outputWidth;
        for (int n = 0; n < count; n++)
        {
            double[] output = Predict(layers, parameters, tokens?[n], inputs?[n]);
            int rows = output.Length / outputWidth;
            for (int row = 0; row < rows; row++)
            {
                if (maskedRows && tokens![n][row] == 0)
                {
                    continue;
                }

                double[] target = targets[n].Skip(row * targetWidth).Take(targetWidth).Select(v => (double)v).ToArray();
                total += RowLoss(loss, output.Skip(row * outputWidth).Take(outputWidth).ToArray(), target);
                terms++;
            }
        }

        return terms == 0 ? 0 : total / terms;
    }
}
