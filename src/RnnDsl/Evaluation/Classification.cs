using System;
using System.Globalization;

namespace RnnDsl;

/// <summary>
/// How well a classifier does on labelled examples: confusion matrices, precision, recall and F1 (binary, for the
/// positive class 1; and macro-averaged over classes), and the ROC curve with its exact area.
/// </summary>
/// <remarks>
/// <para>
/// Binary functions take one score per example (such as the output of <c>Dense(1, Sigmoid)</c>) and one label, 0 or 1.
/// An example is predicted positive when its score is greater than the threshold (0.5 by default), as Keras's
/// <c>BinaryAccuracy</c>, <c>Precision</c> and <c>Recall</c> decide, so these functions agree with the
/// <see cref="Metric"/> values that <c>Fit</c> and <c>Evaluate</c> report; a score equal to the threshold predicts 0.
/// <see cref="RocCurve"/> alone uses the other rule, scikit-learn's: each <see cref="RocPoint"/> counts the scores at
/// or above its threshold (one of the scores), so its rates are those of a confusion matrix at a threshold just below
/// the point's. Multi-class functions take class indices: the actual class and the predicted one (for a softmax output,
/// the index of its largest value).
/// </para>
/// <para>
/// A ratio whose denominator is zero (precision with nothing predicted positive, recall with no positive example)
/// is 0, as Keras's <c>divide_no_nan</c> and scikit-learn's default <c>zero_division</c> give.
/// Bad input is refused before any work with an <see cref="ArgumentException"/> that names the argument and the
/// position: lengths that differ, no examples, a NaN score, a label other than 0 or 1, a class index out of range.
/// </para>
/// </remarks>
public static class Classification
{
    /// <summary>The 2 × 2 confusion matrix of binary predictions: rows are the labels, columns the predictions (score &gt; threshold).</summary>
    /// <param name="scores">One score per example; an example is predicted positive when its score is greater than <paramref name="threshold"/>.</param>
    /// <param name="labels">One label per example: 0 or 1.</param>
    /// <param name="threshold">The decision threshold; 0.5 by default, as in Keras.</param>
    /// <exception cref="ArgumentException">The lengths differ, there are no examples, or a score or the threshold is NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is not 0 or 1.</exception>
    public static ConfusionMatrix ConfusionMatrix(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, float threshold = 0.5f)
    {
        CheckBinary(scores, labels);
        if (float.IsNaN(threshold))
        {
            throw new ArgumentException("threshold is NaN; it must be a number.", nameof(threshold));
        }

        var counts = new long[4];
        for (int i = 0; i < scores.Length; i++)
        {
            int actual = labels[i] == 1f ? 1 : 0;
            int predicted = scores[i] > threshold ? 1 : 0;
            counts[(actual * 2) + predicted]++;
        }

        return new ConfusionMatrix(2, counts);
    }

    /// <summary>The confusion matrix of class indices: <c>matrix[a, p]</c> counts the examples of class a predicted as p.</summary>
    /// <param name="actual">Each example's class, in <c>[0, classCount)</c>.</param>
    /// <param name="predicted">Each example's predicted class, in <c>[0, classCount)</c>.</param>
    /// <param name="classCount">The number of classes, at least 2.</param>
    /// <exception cref="ArgumentException">The lengths differ or there are no examples.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 2, or a class index is out of range.</exception>
    public static ConfusionMatrix ConfusionMatrix(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount)
    {
        if (classCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"classCount is {classCount}; a classification has at least 2 classes.");
        }

        CheckLengths(actual.Length, predicted.Length, nameof(actual), nameof(predicted));
        var counts = new long[(long)classCount * classCount];
        for (int i = 0; i < actual.Length; i++)
        {
            CheckClass(actual[i], classCount, i, nameof(actual));
            CheckClass(predicted[i], classCount, i, nameof(predicted));
            counts[((long)actual[i] * classCount) + predicted[i]]++;
        }

        return new ConfusionMatrix(classCount, counts);
    }

    /// <summary>Binary precision, TP / (TP + FP): of the examples predicted positive (score &gt; threshold), the fraction labelled 1; 0 when none is predicted positive.</summary>
    /// <inheritdoc cref="ConfusionMatrix(ReadOnlySpan{float}, ReadOnlySpan{float}, float)"/>
    public static double Precision(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, float threshold = 0.5f) =>
        ConfusionMatrix(scores, labels, threshold).Precision(1);

    /// <summary>Binary recall, TP / (TP + FN): of the examples labelled 1, the fraction predicted positive (score &gt; threshold); 0 when none is labelled 1.</summary>
    /// <inheritdoc cref="ConfusionMatrix(ReadOnlySpan{float}, ReadOnlySpan{float}, float)"/>
    public static double Recall(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, float threshold = 0.5f) =>
        ConfusionMatrix(scores, labels, threshold).Recall(1);

    /// <summary>Binary F1, the harmonic mean of precision and recall: 2 TP / (2 TP + FP + FN); 0 when TP is 0.</summary>
    /// <inheritdoc cref="ConfusionMatrix(ReadOnlySpan{float}, ReadOnlySpan{float}, float)"/>
    public static double F1Score(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, float threshold = 0.5f) =>
        ConfusionMatrix(scores, labels, threshold).F1Score(1);

    /// <summary>Precision averaged over the classes with equal weight (<see cref="ConfusionMatrix.MacroPrecision"/>).</summary>
    /// <inheritdoc cref="ConfusionMatrix(ReadOnlySpan{int}, ReadOnlySpan{int}, int)"/>
    public static double MacroPrecision(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount) =>
        ConfusionMatrix(actual, predicted, classCount).MacroPrecision;

    /// <summary>Recall averaged over the classes with equal weight (<see cref="ConfusionMatrix.MacroRecall"/>).</summary>
    /// <inheritdoc cref="ConfusionMatrix(ReadOnlySpan{int}, ReadOnlySpan{int}, int)"/>
    public static double MacroRecall(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount) =>
        ConfusionMatrix(actual, predicted, classCount).MacroRecall;

    /// <summary>Each class's F1 averaged with equal weight (<see cref="ConfusionMatrix.MacroF1Score"/>).</summary>
    /// <inheritdoc cref="ConfusionMatrix(ReadOnlySpan{int}, ReadOnlySpan{int}, int)"/>
    public static double MacroF1Score(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount) =>
        ConfusionMatrix(actual, predicted, classCount).MacroF1Score;

    /// <summary>
    /// The exact area under the ROC curve: the probability that a random positive example scores higher than a random
    /// negative one, a tie counting one half. This is the Mann–Whitney U statistic over (positives × negatives), ties
    /// given their average rank; it equals scikit-learn's <c>roc_auc_score</c>. Keras's <c>AUC</c> metric approximates
    /// the same area with 200 thresholds.
    /// </summary>
    /// <param name="scores">One score per example; higher means more likely positive. Infinities are allowed, NaN is not.</param>
    /// <param name="labels">One label per example: 0 or 1, both present.</param>
    /// <exception cref="ArgumentException">The lengths differ, there are no examples, a score is NaN, or only one class is present.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is not 0 or 1.</exception>
    public static double RocAuc(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        (float[] sorted, int[] order) = SortBothClasses(scores, labels);
        return BinaryRanking.Auc(sorted, order, labels);
    }

    /// <summary>
    /// The points of the ROC curve, for plotting: one per distinct score, from the highest score down, each the
    /// false and true positive rates when every example scoring at least <see cref="RocPoint.Threshold"/> is
    /// predicted positive, after a first point (0, 0) at threshold +∞. The last point is (1, 1). Every distinct score
    /// is kept (scikit-learn's <c>roc_curve</c> with <c>drop_intermediate=False</c>); the trapezoids under the points
    /// add up to <see cref="RocAuc"/>.
    /// </summary>
    /// <inheritdoc cref="RocAuc(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
    public static RocPoint[] RocCurve(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        (float[] sorted, int[] order) = SortBothClasses(scores, labels);
        int distinct = 1;
        for (int k = 1; k < sorted.Length; k++)
        {
            if (sorted[k] != sorted[k - 1])
            {
                distinct++;
            }
        }

        long positives = 0;
        foreach (float label in labels)
        {
            positives += label == 1f ? 1 : 0;
        }

        long negatives = labels.Length - positives;
        var points = new RocPoint[distinct + 1];
        points[0] = new RocPoint(0, 0, float.PositiveInfinity);
        long truePositives = 0;
        long falsePositives = 0;
        int point = 1;
        // Down from the highest score: each group of equal scores turns positive together.
        for (int end = sorted.Length; end > 0;)
        {
            float threshold = sorted[end - 1];
            int start = end;
            while (start > 0 && sorted[start - 1] == threshold)
            {
                start--;
                if (labels[order[start]] == 1f)
                {
                    truePositives++;
                }
                else
                {
                    falsePositives++;
                }
            }

            points[point++] = new RocPoint((double)falsePositives / negatives, (double)truePositives / positives, threshold);
            end = start;
        }

        return points;
    }

    /// <summary>Checks binary input, then sorts a copy of the scores ascending along with their indices; both classes must be present.</summary>
    private static (float[] Sorted, int[] Order) SortBothClasses(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        CheckBinary(scores, labels);
        bool positive = labels.Contains(1f);
        bool negative = labels.Contains(0f);
        if (!positive || !negative)
        {
            throw new ArgumentException(
                $"labels are all {(positive ? 1 : 0)}; the ROC curve and its area need examples of both classes, 0 and 1.", nameof(labels));
        }

        float[] sorted = scores.ToArray();
        var order = new int[sorted.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        sorted.AsSpan().Sort(order.AsSpan());
        return (sorted, order);
    }

    private static void CheckBinary(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        CheckLengths(scores.Length, labels.Length, nameof(scores), nameof(labels));
        for (int i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i]))
            {
                throw new ArgumentException($"scores[{i}] is NaN; scores must be numbers.", nameof(scores));
            }

            if (labels[i] != 0f && labels[i] != 1f)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(labels), labels[i], $"labels[{i}] is {labels[i].ToString(CultureInfo.InvariantCulture)}; binary labels must be 0 or 1.");
            }
        }
    }

    private static void CheckLengths(int first, int second, string firstName, string secondName)
    {
        if (first != second)
        {
            throw new ArgumentException($"{firstName} has {first} values but {secondName} has {second}; they must pair up.", secondName);
        }

        if (first == 0)
        {
            throw new ArgumentException($"{firstName} is empty; there must be at least one example.", firstName);
        }
    }

    private static void CheckClass(int value, int classCount, int i, string name)
    {
        if ((uint)value >= (uint)classCount)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name}[{i}] is {value}; class indices must be in [0, {classCount}).");
        }
    }
}

/// <summary>One point of a ROC curve: the rates when every example scoring at least <see cref="Threshold"/> is predicted positive.</summary>
/// <param name="FalsePositiveRate">FP / (FP + TN): the fraction of negative examples predicted positive.</param>
/// <param name="TruePositiveRate">TP / (TP + FN), the recall: the fraction of positive examples predicted positive.</param>
/// <param name="Threshold">The lowest score predicted positive; +∞ for the first point, where nothing is.</param>
public readonly record struct RocPoint(double FalsePositiveRate, double TruePositiveRate, float Threshold);

/// <summary>The area under a ROC curve from scores sorted ascending, for <see cref="Classification"/> and <see cref="Metric.Auc"/>.</summary>
internal static class BinaryRanking
{
    /// <summary>
    /// The exact area: the number of (positive, negative) pairs in which the positive scores higher, a tie counting one
    /// half, over (positives × negatives): the Mann–Whitney U statistic. 0 when either class is absent, as Keras's
    /// <c>AUC</c> gives.
    /// </summary>
    /// <param name="sortedScores">The scores, ascending.</param>
    /// <param name="order">For each sorted score, the index of its example in <paramref name="labels"/>.</param>
    /// <param name="labels">Each example's label, 1 for positive; anything else is negative.</param>
    public static double Auc(ReadOnlySpan<float> sortedScores, ReadOnlySpan<int> order, ReadOnlySpan<float> labels)
    {
        double area = 0;
        double positives = 0;
        double negatives = 0;
        for (int start = 0; start < sortedScores.Length;)
        {
            // A group of equal scores: each of its positives outranks every negative below the group and ties with the group's own.
            float score = sortedScores[start];
            double groupPositives = 0;
            double groupNegatives = 0;
            int end = start;
            for (; end < sortedScores.Length && sortedScores[end] == score; end++)
            {
                if (labels[order[end]] == 1f)
                {
                    groupPositives++;
                }
                else
                {
                    groupNegatives++;
                }
            }

            area += groupPositives * (negatives + (0.5 * groupNegatives));
            positives += groupPositives;
            negatives += groupNegatives;
            start = end;
        }

        return positives > 0 && negatives > 0 ? area / (positives * negatives) : 0;
    }
}
