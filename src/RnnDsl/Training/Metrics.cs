using System;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace RnnDsl;

/// <summary>Metrics reported by <c>Training.Fit</c> and <c>Training.Evaluate</c>, as in Keras.</summary>
/// <remarks>
/// <see cref="Precision"/>, <see cref="Recall"/>, <see cref="F1Score"/> and <see cref="Auc"/> are binary: they need a
/// model with one output value per example (such as <c>Dense(1, Sigmoid)</c> after a recurrent layer without
/// <c>ReturnSequences</c>) and labels 0 or 1; <c>Fit</c> and <c>Evaluate</c> refuse anything else before any work.
/// They give what <see cref="Classification"/> gives for the same scores and labels.
/// </remarks>
public enum Metric
{
    /// <summary>Keras <c>'accuracy'</c>: binary, sparse categorical or categorical accuracy, chosen by the loss.</summary>
    Accuracy,

    /// <summary>The fraction of outputs on the right side of 0.5: an output above 0.5 predicts 1, one at 0.5 or below predicts 0 (Keras's rule).</summary>
    BinaryAccuracy,

    /// <summary>The fraction of rows whose largest output is the target class index.</summary>
    SparseCategoricalAccuracy,

    /// <summary>The fraction of rows whose largest output is where the one-hot target is largest.</summary>
    CategoricalAccuracy,

    /// <summary>
    /// Keras <c>Precision()</c>, logged as <c>precision</c>: TP / (TP + FP), an example predicted positive when its
    /// score is above 0.5 (a score of exactly 0.5 is negative); 0 when none is.
    /// </summary>
    Precision,

    /// <summary>Keras <c>Recall()</c>, logged as <c>recall</c>: TP / (TP + FN), predicted positive when the score is above 0.5; 0 when no example is labelled 1.</summary>
    Recall,

    /// <summary>
    /// Keras <c>F1Score(threshold=0.5)</c> on the one output, logged as <c>f1_score</c>: 2 TP / (2 TP + FP + FN), 0 when
    /// TP is 0 (Keras adds 1e-7 to its denominators instead).
    /// </summary>
    F1Score,

    /// <summary>
    /// The area under the ROC curve, logged as <c>auc</c>, computed exactly from every score of the epoch or evaluation
    /// (<see cref="Classification.RocAuc"/>; ties count one half). Keras's <c>AUC()</c> approximates the same area
    /// with 200 thresholds, so the two differ slightly. 0 when only one class is present, as in Keras.
    /// </summary>
    Auc,
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
        Metric.CategoricalAccuracy => "categorical_accuracy",
        Metric.Precision => "precision",
        Metric.Recall => "recall",
        Metric.F1Score => "f1_score",
        Metric.Auc => "auc",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, $"metric is {(int)metric}, which is not a Metric; use one of {string.Join(", ", Enum.GetNames<Metric>())}."),
    };

    /// <summary>Whether a metric is binary: it needs one output value per example and labels 0 or 1.</summary>
    public static bool IsBinary(Metric metric) => metric is Metric.Precision or Metric.Recall or Metric.F1Score or Metric.Auc;

    /// <summary>
    /// Keras's mode "auto" for a history key: lower is better for <c>loss</c> and <c>val_loss</c>, higher for every
    /// metric here (Keras 3 reads each metric's direction; all of these go up).
    /// </summary>
    public static bool HigherIsBetter(string key)
    {
        string name = key.StartsWith("val_", StringComparison.Ordinal) ? key[4..] : key;
        foreach (Metric metric in Enum.GetValues<Metric>())
        {
            if (Name(metric) == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Adds one example's counted rows (<paramref name="counted"/>, the model's output mask) to each metric, unweighted
    /// (class weights weigh the loss only, as Keras's compile metrics take no sample weights); a binary metric's score
    /// goes to place <paramref name="position"/> of the counts' score buffer.
    /// </summary>
    public static void Count<TInput>(
        ISequenceModel<TInput> model, bool[] counted, float[] target, float[] output, Loss loss, Metric[] metrics, MetricCounts counts, int position)
        where TInput : unmanaged
    {
        int width = model.OutputLength(1);
        int rows = output.Length / width;
        int targetWidth = LossFunctions.TargetWidth(loss, width);
        for (int m = 0; m < metrics.Length; m++)
        {
            Metric metric = Resolve(metrics[m], loss);
            if (IsBinary(metric))
            {
                // Checked before any work: one output value per example, labels 0 or 1.
                bool actual = target[0] == 1f;
                if (metric == Metric.Auc)
                {
                    counts.Scores!.Set(position, output[0], target[0]);
                }
                else
                {
                    counts.AddBinary(m, actual, output[0] > 0.5f);
                }

                continue;
            }

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

/// <summary>
/// What each metric has counted so far, each counted row or example once (unweighted, as Keras's compile metrics):
/// right and total for accuracies, true and false positives and false negatives for precision, recall and F1, and for
/// AUC the scores in a <see cref="ScoreBuffer"/> that the counts of every worker share.
/// </summary>
internal sealed class MetricCounts
{
    private readonly double[] _right;
    private readonly double[] _total;
    private readonly double[] _truePositives;
    private readonly double[] _falsePositives;
    private readonly double[] _falseNegatives;

    public MetricCounts(int metrics, ScoreBuffer? scores)
    {
        _right = new double[metrics];
        _total = new double[metrics];
        _truePositives = new double[metrics];
        _falsePositives = new double[metrics];
        _falseNegatives = new double[metrics];
        Scores = scores;
    }

    /// <summary>Each example's score, label and weight, by place, for AUC; null when no metric needs them.</summary>
    public ScoreBuffer? Scores { get; }

    /// <summary>How many places of <see cref="Scores"/>, from the first, hold this pass's examples.</summary>
    public int Scored { get; set; }

    public void Add(int metric, bool right)
    {
        _total[metric]++;
        if (right)
        {
            _right[metric]++;
        }
    }

    public void AddBinary(int metric, bool actual, bool predicted)
    {
        if (actual && predicted)
        {
            _truePositives[metric]++;
        }
        else if (predicted)
        {
            _falsePositives[metric]++;
        }
        else if (actual)
        {
            _falseNegatives[metric]++;
        }
    }

    public void Add(MetricCounts other)
    {
        for (int m = 0; m < _right.Length; m++)
        {
            _right[m] += other._right[m];
            _total[m] += other._total[m];
            _truePositives[m] += other._truePositives[m];
            _falsePositives[m] += other._falsePositives[m];
            _falseNegatives[m] += other._falseNegatives[m];
        }
    }

    public void Clear()
    {
        Array.Clear(_right);
        Array.Clear(_total);
        Array.Clear(_truePositives);
        Array.Clear(_falsePositives);
        Array.Clear(_falseNegatives);
        Scored = 0;
    }

    /// <summary>Writes each metric's value under its name; a ratio with nothing counted below it is 0, as Keras's <c>divide_no_nan</c> gives.</summary>
    public void WriteTo(Dictionary<string, double> logs, Metric[] metrics)
    {
        for (int m = 0; m < metrics.Length; m++)
        {
            double tp = _truePositives[m];
            double fp = _falsePositives[m];
            double fn = _falseNegatives[m];
            logs[Metrics.Name(metrics[m])] = metrics[m] switch
            {
                Metric.Precision => Ratio(tp, tp + fp),
                Metric.Recall => Ratio(tp, tp + fn),
                Metric.F1Score => Ratio(2 * tp, (2 * tp) + fp + fn),
                Metric.Auc => Scores!.Auc(Scored),
                _ => Ratio(_right[m], _total[m]),
            };
        }
    }

    private static double Ratio(double part, double whole) => whole == 0 ? 0 : part / whole;
}

/// <summary>
/// Every score of an epoch or an evaluation, with its label, at the example's place in the pass: workers
/// write their own places, so nothing is shared but the arrays, which are sized once, before the first pass.
/// </summary>
internal sealed class ScoreBuffer
{
    private readonly float[] _scores;
    private readonly float[] _labels;
    private readonly float[] _sorted;
    private readonly int[] _order;

    public ScoreBuffer(int capacity)
    {
        _scores = new float[capacity];
        _labels = new float[capacity];
        _sorted = new float[capacity];
        _order = new int[capacity];
    }

    public void Set(int position, float score, float label)
    {
        _scores[position] = score;
        _labels[position] = label;
    }

    /// <summary>The exact ROC AUC of the first <paramref name="count"/> places (sorted in the buffer's own scratch).</summary>
    public double Auc(int count)
    {
        Span<float> sorted = _sorted.AsSpan(0, count);
        Span<int> order = _order.AsSpan(0, count);
        _scores.AsSpan(0, count).CopyTo(sorted);
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        sorted.Sort(order);
        return BinaryRanking.Auc(sorted, order, _labels);
    }
}
