using System;
using System.Collections.Generic;
using System.Linq;

namespace RnnDsl.Tests;

/// <summary>
/// A plain, obviously-correct Keras forward pass in double precision, written straight from the Keras
/// equations and its backend's masking rules (keras.src.backend rnn: a masked step keeps the state and
/// outputs the previous output, or zeros when zero_output_for_mask, which Bidirectional sets with
/// return_sequences). It shares no code with the generator; it reads the same flat parameter buffer in
/// Keras get_weights() order. SimpleRNN, LSTM and GRU share the loop (and its masking) and differ only in
/// their step, each written from its Keras equations.
/// </summary>
public static class KerasReference
{
    public abstract record Layer;

    public sealed record Embedding(int Vocabulary, int Dimension, bool MaskZero = false) : Layer;

    public sealed record Input(int Features) : Layer;

    /// <summary>What every recurrent layer has: SimpleRNN, LSTM and GRU, alone or inside Bidirectional.</summary>
    public abstract record Recurrent : Layer
    {
        public abstract int Units { get; init; }

        /// <summary>The state activation (SimpleRNN), the cell candidate's and cell output's (LSTM), the candidate's (GRU).</summary>
        public abstract Activation Activation { get; init; }

        public abstract bool ReturnSequences { get; init; }

        public abstract bool GoBackwards { get; init; }

        public abstract bool Bidirectional { get; init; }

        public abstract MergeMode Merge { get; init; }

        /// <summary>The gate blocks side by side in the kernel's columns, one letter each: LSTM "ifco", GRU "zrh", SimpleRNN "h".</summary>
        public abstract string Gates { get; }

        /// <summary>Rows of the bias: 2 for a reset-after GRU (input bias, recurrent bias), else 1.</summary>
        public virtual int BiasRows => 1;

        /// <summary>Columns of the kernel, the recurrent kernel and the bias: one block of <see cref="Units"/> per gate.</summary>
        public int GateColumns => Gates.Length * Units;

        /// <summary>Values per step (or of the vector) this layer outputs.</summary>
        public int OutputWidth => Bidirectional && Merge == MergeMode.Concat ? 2 * Units : Units;
    }

    public sealed record SimpleRnn(
        int Units,
        Activation Activation = Activation.Tanh,
        bool ReturnSequences = false,
        bool GoBackwards = false,
        bool Bidirectional = false,
        MergeMode Merge = MergeMode.Concat) : Recurrent
    {
        public override string Gates => "h";
    }

    /// <summary>Keras LSTM. <paramref name="UnitForgetBias"/> only changes the initial bias, never the forward pass.</summary>
    public sealed record Lstm(
        int Units,
        Activation Activation = Activation.Tanh,
        Activation RecurrentActivation = Activation.Sigmoid,
        bool ReturnSequences = false,
        bool GoBackwards = false,
        bool Bidirectional = false,
        MergeMode Merge = MergeMode.Concat,
        bool UnitForgetBias = true) : Recurrent
    {
        public override string Gates => "ifco";
    }

    /// <summary>Keras GRU; <paramref name="ResetAfter"/> true is the Keras 2+ (and PyTorch) form with a [2, 3u] bias.</summary>
    public sealed record Gru(
        int Units,
        Activation Activation = Activation.Tanh,
        Activation RecurrentActivation = Activation.Sigmoid,
        bool ReturnSequences = false,
        bool GoBackwards = false,
        bool Bidirectional = false,
        MergeMode Merge = MergeMode.Concat,
        bool ResetAfter = true) : Recurrent
    {
        public override string Gates => "zrh";

        public override int BiasRows => ResetAfter ? 2 : 1;
    }

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

                case Recurrent r:
                    int inputWidth = sequence![0].Length;
                    Cell forward = ReadCell(r, inputWidth, Take);
                    if (!r.Bidirectional)
                    {
                        var (outputs, last) = Run(sequence, mask, forward, r.GoBackwards, zeroOutputForMask: false);
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

                    Cell backward = ReadCell(r, inputWidth, Take);
                    var (forwardOutputs, forwardLast) = Run(sequence, mask, forward, goBackwards: false, zeroOutputForMask: r.ReturnSequences);
                    var (backwardOutputs, backwardLast) = Run(sequence, mask, backward, goBackwards: true, zeroOutputForMask: r.ReturnSequences);
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

    /// <summary>
    /// One direction of a recurrent layer: its weights read from the buffer (kernel [in, k·u], recurrent kernel
    /// [u, k·u], bias [k·u] or, for a reset-after GRU, [2, 3u]), and its step: (x[t], states) → new states, where
    /// states[0] is h (the step's output) and an LSTM's states[1] is c.
    /// </summary>
    private sealed record Cell(int Units, int StateCount, Func<double[], double[][], double[][]> Step);

    private static Cell ReadCell(Recurrent layer, int inputWidth, Func<int, double[]> take)
    {
        int u = layer.Units;
        int columns = layer.GateColumns;
        double[] kernel = take(inputWidth * columns);
        double[] recurrent = take(u * columns);
        double[] bias = take(layer.BiasRows * columns);

        // x · W[:, from .. from + count) for a [rows, columns] matrix W.
        double[] Product(double[] x, double[] matrix, int from, int count)
        {
            var y = new double[count];
            for (int j = 0; j < count; j++)
            {
                double sum = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    sum += x[i] * matrix[i * columns + from + j];
                }

                y[j] = sum;
            }

            return y;
        }

        double[] Block(double[] values, int gate) => values.Skip(gate * u).Take(u).ToArray();

        switch (layer)
        {
            case SimpleRnn r:
                // h[t] = act(x W + h[t-1] U + b)
                return new Cell(u, 1, (x, s) =>
                {
                    double[] z = Sum(Product(x, kernel, 0, u), Product(s[0], recurrent, 0, u), bias);
                    return [Activate(z, r.Activation)];
                });

            case Lstm l:
                // z = x W + h[t-1] U + b, blocks i, f, c, o; i, f, o = recurrentActivation; c̃ = activation;
                // c[t] = f c[t-1] + i c̃; h[t] = o activation(c[t]).
                return new Cell(u, 2, (x, s) =>
                {
                    double[] z = Sum(Product(x, kernel, 0, columns), Product(s[0], recurrent, 0, columns), bias);
                    double[] i = Activate(Block(z, 0), l.RecurrentActivation);
                    double[] f = Activate(Block(z, 1), l.RecurrentActivation);
                    double[] candidate = Activate(Block(z, 2), l.Activation);
                    double[] o = Activate(Block(z, 3), l.RecurrentActivation);
                    double[] c = new double[u];
                    for (int j = 0; j < u; j++)
                    {
                        c[j] = f[j] * s[1][j] + i[j] * candidate[j];
                    }

                    double[] squashed = Activate(c, l.Activation);
                    double[] h = new double[u];
                    for (int j = 0; j < u; j++)
                    {
                        h[j] = o[j] * squashed[j];
                    }

                    return [h, c];
                });

            case Gru g:
                // Blocks z, r, h. Reset after (Keras 2+, PyTorch): gx = x W + b[0], gh = h[t-1] U + b[1];
                // z = σ(gx_z + gh_z), r = σ(gx_r + gh_r), h̃ = act(gx_h + r gh_h).
                // Reset before (Keras 1): z = σ(x W_z + h U_z + b_z), r = σ(x W_r + h U_r + b_r),
                // h̃ = act(x W_h + (r h) U_h + b_h). Then h[t] = z h[t-1] + (1 - z) h̃.
                return new Cell(u, 1, (x, s) =>
                {
                    double[] h = s[0];
                    double[] gx = Sum(Product(x, kernel, 0, columns), bias.Take(columns).ToArray());
                    double[] z;
                    double[] candidate;
                    if (g.ResetAfter)
                    {
                        double[] gh = Sum(Product(h, recurrent, 0, columns), bias.Skip(columns).ToArray());
                        z = Activate(Sum(Block(gx, 0), Block(gh, 0)), g.RecurrentActivation);
                        double[] r = Activate(Sum(Block(gx, 1), Block(gh, 1)), g.RecurrentActivation);
                        double[] ghh = Block(gh, 2);
                        candidate = Activate(Block(gx, 2).Select((v, j) => v + r[j] * ghh[j]).ToArray(), g.Activation);
                    }
                    else
                    {
                        z = Activate(Sum(Block(gx, 0), Product(h, recurrent, 0, u)), g.RecurrentActivation);
                        double[] r = Activate(Sum(Block(gx, 1), Product(h, recurrent, u, u)), g.RecurrentActivation);
                        double[] resetState = h.Select((v, j) => r[j] * v).ToArray();
                        candidate = Activate(Sum(Block(gx, 2), Product(resetState, recurrent, 2 * u, u)), g.Activation);
                    }

                    return [h.Select((v, j) => z[j] * v + (1 - z[j]) * candidate[j]).ToArray()];
                });

            default:
                throw new NotSupportedException(layer.ToString());
        }
    }

    private static double[] Sum(params double[][] terms)
    {
        var total = new double[terms[0].Length];
        foreach (double[] term in terms)
        {
            for (int j = 0; j < total.Length; j++)
            {
                total[j] += term[j];
            }
        }

        return total;
    }

    /// <summary>
    /// Keras's rnn loop: outputs in processing order and the last output. A masked step keeps every state
    /// (h, and an LSTM's c) and outputs the previous output, or zeros when zero_output_for_mask.
    /// </summary>
    private static (List<double[]> Outputs, double[] Last) Run(
        List<double[]> xs, bool[]? mask, Cell cell, bool goBackwards, bool zeroOutputForMask)
    {
        double[][] states = Enumerable.Range(0, cell.StateCount).Select(_ => new double[cell.Units]).ToArray();
        var previousOutput = new double[cell.Units];
        var outputs = new List<double[]>();
        IEnumerable<int> order = goBackwards ? Enumerable.Range(0, xs.Count).Reverse() : Enumerable.Range(0, xs.Count);
        foreach (int t in order)
        {
            double[][] next = cell.Step(xs[t], states);
            double[] output;
            if (mask is null || mask[t])
            {
                states = next;
                output = next[0];
            }
            else
            {
                output = zeroOutputForMask ? new double[cell.Units] : previousOutput;
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
        bool sequenceOutput = layers.OfType<Recurrent>().All(r => r.ReturnSequences);
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
