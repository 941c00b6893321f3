using System;
using System.Globalization;
using System.Text;

namespace RnnDsl;

/// <summary>
/// Counts of examples by actual class (rows) and predicted class (columns), as scikit-learn's <c>confusion_matrix</c>
/// lays them out, with the measures read from it. Made by <see cref="Classification.ConfusionMatrix(ReadOnlySpan{float}, ReadOnlySpan{float}, float)"/>
/// (binary: class 1 is the positive class) or <see cref="Classification.ConfusionMatrix(ReadOnlySpan{int}, ReadOnlySpan{int}, int)"/>.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    internal ConfusionMatrix(int classCount, long[] counts)
    {
        ClassCount = classCount;
        _counts = counts;
        foreach (long count in counts)
        {
            Total += count;
        }
    }

    /// <summary>The number of classes: rows and columns.</summary>
    public int ClassCount { get; }

    /// <summary>The number of examples counted.</summary>
    public long Total { get; }

    /// <summary>The examples of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside <c>[0, ClassCount)</c>.</exception>
    public long this[int actual, int predicted]
    {
        get
        {
            CheckClass(actual, nameof(actual));
            CheckClass(predicted, nameof(predicted));
            return _counts[((long)actual * ClassCount) + predicted];
        }
    }

    /// <summary>Binary: examples labelled 1 and predicted 1.</summary>
    /// <exception cref="InvalidOperationException">The matrix has more than two classes.</exception>
    public long TruePositives => Binary(1, 1);

    /// <summary>Binary: examples labelled 0 and predicted 1.</summary>
    /// <exception cref="InvalidOperationException">The matrix has more than two classes.</exception>
    public long FalsePositives => Binary(0, 1);

    /// <summary>Binary: examples labelled 0 and predicted 0.</summary>
    /// <exception cref="InvalidOperationException">The matrix has more than two classes.</exception>
    public long TrueNegatives => Binary(0, 0);

    /// <summary>Binary: examples labelled 1 and predicted 0.</summary>
    /// <exception cref="InvalidOperationException">The matrix has more than two classes.</exception>
    public long FalseNegatives => Binary(1, 0);

    /// <summary>The fraction of examples predicted as their own class.</summary>
    public double Accuracy
    {
        get
        {
            long right = 0;
            for (int c = 0; c < ClassCount; c++)
            {
                right += _counts[((long)c * ClassCount) + c];
            }

            return (double)right / Total;
        }
    }

    /// <summary>
    /// The mean of <see cref="Precision"/> over the classes that occur (as an actual or a predicted class), each with
    /// equal weight: scikit-learn's <c>precision_score(average="macro")</c>.
    /// </summary>
    public double MacroPrecision => Macro(Precision);

    /// <summary>The mean of <see cref="Recall"/> over the classes that occur, each with equal weight (scikit-learn <c>average="macro"</c>).</summary>
    public double MacroRecall => Macro(Recall);

    /// <summary>
    /// The mean of each occurring class's <see cref="F1Score"/>, each with equal weight (scikit-learn's and Keras's
    /// <c>average="macro"</c>; not the F1 of the macro precision and recall).
    /// </summary>
    public double MacroF1Score => Macro(F1Score);

    /// <summary>Of the examples predicted as <paramref name="positiveClass"/>, the fraction that are; 0 when none is predicted so.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The class is outside <c>[0, ClassCount)</c>.</exception>
    public double Precision(int positiveClass)
    {
        CheckClass(positiveClass, nameof(positiveClass));
        long predicted = Column(positiveClass);
        return predicted == 0 ? 0 : (double)Diagonal(positiveClass) / predicted;
    }

    /// <summary>Of the examples of <paramref name="positiveClass"/>, the fraction predicted so; 0 when there are none.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The class is outside <c>[0, ClassCount)</c>.</exception>
    public double Recall(int positiveClass)
    {
        CheckClass(positiveClass, nameof(positiveClass));
        long actual = Row(positiveClass);
        return actual == 0 ? 0 : (double)Diagonal(positiveClass) / actual;
    }

    /// <summary>The harmonic mean of precision and recall for <paramref name="positiveClass"/>: 2 TP / (2 TP + FP + FN); 0 when TP is 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The class is outside <c>[0, ClassCount)</c>.</exception>
    public double F1Score(int positiveClass)
    {
        CheckClass(positiveClass, nameof(positiveClass));
        long truePositives = Diagonal(positiveClass);
        long wrong = Row(positiveClass) + Column(positiveClass) - (2 * truePositives);
        return truePositives == 0 ? 0 : 2.0 * truePositives / ((2.0 * truePositives) + wrong);
    }

    /// <summary>The matrix as a table: a row per actual class, a column per predicted class.</summary>
    public override string ToString()
    {
        string[] headers = new string[ClassCount];
        int width = 0;
        for (int c = 0; c < ClassCount; c++)
        {
            headers[c] = "predicted " + c.ToString(CultureInfo.InvariantCulture);
            width = Math.Max(width, headers[c].Length);
        }

        foreach (long count in _counts)
        {
            width = Math.Max(width, count.ToString(CultureInfo.InvariantCulture).Length);
        }

        string rowLabel = "actual " + (ClassCount - 1).ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append(' ', rowLabel.Length);
        foreach (string header in headers)
        {
            text.Append("  ").Append(header.PadLeft(width));
        }

        for (int a = 0; a < ClassCount; a++)
        {
            text.AppendLine().Append(("actual " + a.ToString(CultureInfo.InvariantCulture)).PadRight(rowLabel.Length));
            for (int p = 0; p < ClassCount; p++)
            {
                text.Append("  ").Append(_counts[((long)a * ClassCount) + p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            }
        }

        return text.ToString();
    }

    private double Macro(Func<int, double> measure)
    {
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < ClassCount; c++)
        {
            if (Row(c) + Column(c) > 0)
            {
                sum += measure(c);
                classes++;
            }
        }

        return sum / classes;
    }

    private long Diagonal(int c) => _counts[((long)c * ClassCount) + c];

    private long Row(int c)
    {
        long sum = 0;
        for (int p = 0; p < ClassCount; p++)
        {
            sum += _counts[((long)c * ClassCount) + p];
        }

        return sum;
    }

    private long Column(int c)
    {
        long sum = 0;
        for (int a = 0; a < ClassCount; a++)
        {
            sum += _counts[((long)a * ClassCount) + c];
        }

        return sum;
    }

    private long Binary(int actual, int predicted) => ClassCount == 2
        ? _counts[(actual * 2) + predicted]
        : throw new InvalidOperationException(
            $"This confusion matrix has {ClassCount} classes; true and false positives and negatives are for a binary one. Use this[actual, predicted], or Precision(class) and Recall(class).");

    private void CheckClass(int value, string name)
    {
        if ((uint)value >= (uint)ClassCount)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; classes are in [0, {ClassCount}).");
        }
    }
}
