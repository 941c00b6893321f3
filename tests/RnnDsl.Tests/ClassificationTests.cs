using System;
using System.Linq;
using Xunit;

namespace RnnDsl.Tests;

public class ClassificationTests
{
    // Ten examples, four positive. Above 0.5: 0.9 (1), 0.8 (1), 0.7 (0), 0.6 (1), 0.55 (0); the 0.5 (1) is not above
    // the threshold (Keras predicts positive for score > threshold), so TP 3, FP 2, FN 1, TN 4.
    private static readonly float[] Scores = [0.9f, 0.8f, 0.7f, 0.6f, 0.55f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f];
    private static readonly float[] Labels = [1, 1, 0, 1, 0, 1, 0, 0, 0, 0];

    [Fact]
    public void Binary_confusion_matrix_precision_recall_and_F1_by_hand()
    {
        ConfusionMatrix matrix = Classification.ConfusionMatrix(Scores, Labels);
        Assert.Equal((3L, 2L, 1L, 4L), (matrix.TruePositives, matrix.FalsePositives, matrix.FalseNegatives, matrix.TrueNegatives));
        Assert.Equal(2, matrix.ClassCount);
        Assert.Equal(10, matrix.Total);
        Assert.Equal(4, matrix[0, 0]);
        Assert.Equal(2, matrix[0, 1]);
        Assert.Equal(0.7, matrix.Accuracy, 12);

        Assert.Equal(3.0 / 5, Classification.Precision(Scores, Labels), 12);
        Assert.Equal(3.0 / 4, Classification.Recall(Scores, Labels), 12);
        Assert.Equal(2 * 0.6 * 0.75 / (0.6 + 0.75), Classification.F1Score(Scores, Labels), 12);

        // Another threshold: above 0.45 the 0.5 example is predicted positive too (TP 4, FP 2, FN 0).
        Assert.Equal(4.0 / 6, Classification.Precision(Scores, Labels, threshold: 0.45f), 12);
        Assert.Equal(1.0, Classification.Recall(Scores, Labels, threshold: 0.45f), 12);

        // Nothing predicted positive: precision and F1 are 0, not NaN.
        Assert.Equal(0, Classification.Precision(Scores, Labels, threshold: 1f));
        Assert.Equal(0, Classification.F1Score(Scores, Labels, threshold: 1f));
        Assert.Equal(0, Classification.Recall(Scores, Labels, threshold: 1f));
    }

    [Fact]
    public void Multi_class_confusion_matrix_and_macro_averages_by_hand()
    {
        int[] actual = [0, 0, 1, 1, 2, 2, 2];
        int[] predicted = [0, 1, 1, 1, 2, 0, 2];
        // Rows actual, columns predicted: [1 1 0; 0 2 0; 1 0 2].
        ConfusionMatrix matrix = Classification.ConfusionMatrix(actual, predicted, 3);
        long[,] expected = { { 1, 1, 0 }, { 0, 2, 0 }, { 1, 0, 2 } };
        for (int a = 0; a < 3; a++)
        {
            for (int p = 0; p < 3; p++)
            {
                Assert.Equal(expected[a, p], matrix[a, p]);
            }
        }

        // Precision per class: 1/2, 2/3, 2/2. Recall: 1/2, 2/2, 2/3. F1 = 2TP / (2TP + FP + FN): 2/4, 4/5, 4/5.
        Assert.Equal((0.5 + (2.0 / 3) + 1) / 3, Classification.MacroPrecision(actual, predicted, 3), 12);
        Assert.Equal((0.5 + 1 + (2.0 / 3)) / 3, Classification.MacroRecall(actual, predicted, 3), 12);
        Assert.Equal((0.5 + 0.8 + 0.8) / 3, Classification.MacroF1Score(actual, predicted, 3), 12);
        Assert.Equal(5.0 / 7, matrix.Accuracy, 12);

        // A declared class that never occurs is left out of the averages (scikit-learn's labels=None); one that
        // occurs only as a prediction counts, with recall 0 (no example of it) and precision 0 (none right).
        Assert.Equal((0.5 + 0.8 + 0.8) / 3, Classification.MacroF1Score(actual, predicted, 4), 12);
        int[] wrongly = [0, 1, 1, 1, 2, 3, 2];
        ConfusionMatrix withThree = Classification.ConfusionMatrix(actual, wrongly, 4);
        Assert.Equal(0, withThree.Recall(3));
        Assert.Equal(0, withThree.Precision(3));
        Assert.Equal((1 + (2.0 / 3) + 1 + 0) / 4, withThree.MacroPrecision, 12);

        var error = Assert.Throws<InvalidOperationException>(() => matrix.TruePositives);
        Assert.Contains("3 classes", error.Message);
    }

    [Fact]
    public void Roc_auc_is_the_Mann_Whitney_statistic()
    {
        // Positives score 0.9, 0.8, 0.6, 0.5; negatives 0.7, 0.55, 0.4, 0.3, 0.2, 0.1. Negatives below each
        // positive: 6 + 6 + 5 + 4 = 21 of 4 × 6 = 24 pairs.
        Assert.Equal(21.0 / 24, Classification.RocAuc(Scores, Labels), 12);

        // Ties count one half. Positives 0.5, 0.5; negatives 0.5, 0.2: each positive beats 0.2 and ties the 0.5,
        // (1 + 0.5) × 2 of 4 pairs = 0.75. Average ranks give the same: ranks 1 (0.2) and 3 (the three 0.5s),
        // U = (3 + 3) - 2 × 3 / 2 = 3, AUC = 3 / 4.
        Assert.Equal(0.75, Classification.RocAuc([0.5f, 0.5f, 0.5f, 0.2f], [1, 0, 1, 0]), 12);

        // Perfect, inverted, and every score equal.
        Assert.Equal(1.0, Classification.RocAuc([0.1f, 0.9f], [0, 1]));
        Assert.Equal(0.0, Classification.RocAuc([0.9f, 0.1f], [0, 1]));
        Assert.Equal(0.5, Classification.RocAuc([0.3f, 0.3f, 0.3f], [0, 1, 1]));
        Assert.Equal(1.0, Classification.RocAuc([float.NegativeInfinity, float.PositiveInfinity], [0, 1]));
    }

    [Fact]
    public void Roc_auc_equals_the_pairwise_count_on_random_scores_with_ties()
    {
        var random = new SeededRandom(7);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = 2 + random.NextInt(200);
            var scores = new float[n];
            var labels = new float[n];
            for (int i = 0; i < n; i++)
            {
                scores[i] = random.NextInt(12) / 10f; // few distinct values, so many ties
                labels[i] = random.NextInt(2);
            }

            labels[0] = 0;
            labels[1] = 1;
            double wins = 0;
            long pairs = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    if (labels[i] == 1 && labels[j] == 0)
                    {
                        pairs++;
                        wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                    }
                }
            }

            Assert.Equal(wins / pairs, Classification.RocAuc(scores, labels), 12);
        }
    }

    [Fact]
    public void Roc_points_count_a_score_at_their_threshold_where_the_confusion_matrix_needs_one_above_it()
    {
        // The documented pair of rules: ConfusionMatrix predicts 1 for score > threshold (Keras), a RocPoint counts
        // score >= threshold (scikit-learn), so a point's rates are the matrix's just below its threshold, not at it.
        static (double Fpr, double Tpr) Rates(ConfusionMatrix m) =>
            ((double)m.FalsePositives / (m.FalsePositives + m.TrueNegatives), (double)m.TruePositives / (m.TruePositives + m.FalseNegatives));

        foreach (RocPoint point in Classification.RocCurve(Scores, Labels).Skip(1))
        {
            var below = Rates(Classification.ConfusionMatrix(Scores, Labels, MathF.BitDecrement(point.Threshold)));
            var at = Rates(Classification.ConfusionMatrix(Scores, Labels, point.Threshold));
            Assert.Equal((point.FalsePositiveRate, point.TruePositiveRate), below);
            Assert.NotEqual((point.FalsePositiveRate, point.TruePositiveRate), at); // the point's own score is left out
        }
    }

    [Fact]
    public void Roc_curve_points_by_hand_and_their_area()
    {
        RocPoint[] points = Classification.RocCurve([0.5f, 0.5f, 0.5f, 0.2f], [1, 0, 1, 0]);
        Assert.Equal(
            new[] { new RocPoint(0, 0, float.PositiveInfinity), new RocPoint(0.5, 1, 0.5f), new RocPoint(1, 1, 0.2f) },
            points);

        // Ten distinct scores: eleven points, thresholds descending; the trapezoids add up to the AUC.
        points = Classification.RocCurve(Scores, Labels);
        Assert.Equal(11, points.Length);
        Assert.Equal(Scores, points.Skip(1).Select(p => p.Threshold));
        Assert.Equal(new RocPoint(1.0 / 6, 0.5, 0.7f), points[3]); // above 0.7 or at it: two positives, one negative
        Assert.Equal(new RocPoint(1, 1, 0.1f), points[^1]);
        double area = 0;
        for (int k = 1; k < points.Length; k++)
        {
            area += (points[k].FalsePositiveRate - points[k - 1].FalsePositiveRate) * (points[k].TruePositiveRate + points[k - 1].TruePositiveRate) / 2;
        }

        Assert.Equal(Classification.RocAuc(Scores, Labels), area, 12);
    }

    [Fact]
    public void Bad_input_is_refused_naming_the_argument_and_position()
    {
        var error = Assert.Throws<ArgumentException>(() => Classification.Precision([0.1f, 0.2f], [1f]));
        Assert.Equal("labels", error.ParamName);
        Assert.StartsWith("scores has 2 values but labels has 1", error.Message);

        var label = Assert.Throws<ArgumentOutOfRangeException>(() => Classification.RocAuc([0.1f, 0.2f, 0.3f], [0f, 1f, 0.5f]));
        Assert.Equal("labels", label.ParamName);
        Assert.StartsWith("labels[2] is 0.5; binary labels must be 0 or 1.", label.Message);

        error = Assert.Throws<ArgumentException>(() => Classification.ConfusionMatrix([0.1f, float.NaN], [0f, 1f]));
        Assert.Equal("scores", error.ParamName);
        Assert.StartsWith("scores[1] is NaN", error.Message);

        error = Assert.Throws<ArgumentException>(() => Classification.RocAuc([0.1f, 0.7f], [1f, 1f]));
        Assert.Equal("labels", error.ParamName);
        Assert.StartsWith("labels are all 1;", error.Message);
        Assert.Throws<ArgumentException>(() => Classification.RocCurve([0.1f, 0.7f], [0f, 0f]));

        error = Assert.Throws<ArgumentException>(() => Classification.Recall([], []));
        Assert.Equal("scores", error.ParamName);
        Assert.Throws<ArgumentException>(() => Classification.ConfusionMatrix([0.1f], [1f], float.NaN));

        var index = Assert.Throws<ArgumentOutOfRangeException>(() => Classification.MacroF1Score([0, 1, 2], [0, 3, 1], 3));
        Assert.Equal("predicted", index.ParamName);
        Assert.StartsWith("predicted[1] is 3; class indices must be in [0, 3).", index.Message);
        index = Assert.Throws<ArgumentOutOfRangeException>(() => Classification.ConfusionMatrix([0, -1], [0, 1], 2));
        Assert.StartsWith("actual[1] is -1", index.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Classification.ConfusionMatrix([0], [0], 1));
    }

    [Fact]
    public void Confusion_matrix_prints_as_a_table()
    {
        string table = Classification.ConfusionMatrix(Scores, Labels).ToString();
        Assert.Equal(
            "          predicted 0  predicted 1" + Environment.NewLine
            + "actual 0            4            2" + Environment.NewLine
            + "actual 1            1            3",
            table);
    }
}
