using System;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace RnnDsl;

/// <summary>Metrics reported by <see cref="Training.Fit{TInput}"/> and <see cref="Training.Evaluate{TInput}"/>, as in Keras.</summary>
public enum Metric
{
    /// <summary>Keras <c>'accuracy'</c>: binary, sparse categorical or categorical accuracy, chosen by the loss.</summary>
    Accuracy,

    /// <summary>The fraction of outputs on the right side of 0.5.</summary>
    BinaryAccuracy,

    /// <summary>The fraction of rows whose largest output is the target class index.</summary>
    SparseCategoricalAccuracy,

    /// <summary>The fraction of rows whose largest output is where the one-hot target is largest.</summary>
    CategoricalAccuracy,
}

/// <summary>How each <see cref="Metric"/> counts an example's rows, and the names it logs under.</summary>
internal static class Metrics
{
    /// <summary>The history key of a metric, as Keras names it.</summary>
    public static string Name(Metric metric) => metric switch
    {
        Metric.Accuracy => "accuracy",
        Metric.BinaryAccuracy => "binary_accuracy",
        Metric.SparseCategoricalAccuracy => "sparse_categorical_accuracy",
        _ => "categorical_accuracy",
    };

    /// <summary>Adds the right and total counts of one example's counted rows (<paramref name="counted"/>, the model's output mask), for each metric.</summary>
    public static void Count<TInput>(
        ISequenceModel<TInput> model, bool[] counted, float[] target, float[] output, Loss loss, Metric[] metrics, MetricCounts counts)
        where TInput : unmanaged
    {
        int width = model.OutputLength(1);
        int rows = output.Length / width;
        int targetWidth = LossFunctions.TargetWidth(loss, width);
        for (int m = 0; m < metrics.Length; m++)
        {
            Metric metric = Resolve(metrics[m], loss);
            for (int row = 0; row < rows; row++)
            {
                if (!counted[row])
                {
                    continue;
                }

                ReadOnlySpan<float> predicted = output.AsSpan(row * width, width);
                ReadOnlySpan<float> expected = target.AsSpan(row * targetWidth, targetWidth);
                switch (metric)
                {
                    case Metric.BinaryAccuracy:
                        for (int j = 0; j < width; j++)
                        {
                            counts.Add(m, (predicted[j] > 0.5f) == (expected[j] > 0.5f));
                        }

                        break;
                    case Metric.SparseCategoricalAccuracy:
                        counts.Add(m, TensorPrimitives.IndexOfMax(predicted) == (int)expected[0]);
                        break;
                    default:
                        counts.Add(m, TensorPrimitives.IndexOfMax(predicted) == TensorPrimitives.IndexOfMax(expected));
                        break;
                }
            }
        }
    }

    /// <summary>Keras <c>'accuracy'</c> is the accuracy that fits the loss.</summary>
    private static Metric Resolve(Metric metric, Loss loss) => metric != Metric.Accuracy ? metric : loss switch
    {
        Loss.SparseCategoricalCrossentropy => Metric.SparseCategoricalAccuracy,
        Loss.CategoricalCrossentropy => Metric.CategoricalAccuracy,
        _ => Metric.BinaryAccuracy,
    };
}

/// <summary>Right and total counts per metric.</summary>
internal sealed class MetricCounts
{
    private readonly long[] _right;
    private readonly long[] _total;

    public MetricCounts(int metrics)
    {
        _right = new long[metrics];
        _total = new long[metrics];
    }

    public void Add(int metric, bool right)
    {
        _total[metric]++;
        if (right)
        {
            _right[metric]++;
        }
    }

    public void Add(MetricCounts other)
    {
        for (int m = 0; m < _right.Length; m++)
        {
            _right[m] += other._right[m];
            _total[m] += other._total[m];
        }
    }

    public void Clear()
    {
        Array.Clear(_right);
        Array.Clear(_total);
    }

    /// <summary>Writes each metric's fraction right (0 when nothing was counted) under its name.</summary>
    public void WriteTo(Dictionary<string, double> logs, Metric[] metrics)
    {
        for (int m = 0; m < metrics.Length; m++)
        {
            logs[Metrics.Name(metrics[m])] = _total[m] == 0 ? 0 : (double)_right[m] / _total[m];
        }
    }
}
