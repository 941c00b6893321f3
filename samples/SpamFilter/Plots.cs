using System.Collections.Generic;
using System.Linq;
using RnnDsl;
using ScottPlot;

namespace SpamFilter;

/// <summary>The sample's two figures, as PNG files: training curves per epoch and ROC curves on the test set.</summary>
internal static class Plots
{
    private static readonly Color[] Palette = [Colors.DodgerBlue, Colors.OrangeRed, Colors.SeaGreen, Colors.MediumPurple];

    /// <summary>
    /// Two panels per epoch, one colour per model (the same as in the ROC figure; models without a history, the baseline,
    /// are skipped): the loss (training with markers, validation dashed) and the validation ROC AUC.
    /// </summary>
    public static void TrainingCurves(string path, IReadOnlyList<(string Name, History? History)> models)
    {
        var figure = new Multiplot();
        figure.AddPlots(2);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Plot loss = figure.GetPlot(0);
        Plot auc = figure.GetPlot(1);
        for (int m = 0; m < models.Count; m++)
        {
            (string name, History? history) = models[m];
            if (history is null)
            {
                continue;
            }

            Color color = Palette[m % Palette.Length];
            double[] epochs = Enumerable.Range(1, history.Epochs).Select(e => (double)e).ToArray();
            var train = loss.Add.Scatter(epochs, history["loss"].ToArray());
            train.LegendText = name + ", training";
            train.Color = color;
            var validation = loss.Add.Scatter(epochs, history["val_loss"].ToArray());
            validation.LegendText = name + ", validation";
            validation.Color = color;
            validation.LinePattern = LinePattern.Dashed;
            validation.MarkerSize = 0;
            var area = auc.Add.Scatter(epochs, history["val_auc"].ToArray());
            area.LegendText = name;
            area.Color = color;
        }

        loss.Title("Loss per epoch (binary cross-entropy, class-weighted in training)");
        loss.XLabel("epoch");
        loss.YLabel("loss");
        loss.ShowLegend(Alignment.UpperRight);
        foreach (Plot plot in new[] { loss, auc })
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1); // whole epochs
        }

        auc.Title("Validation ROC AUC per epoch");
        auc.XLabel("epoch");
        auc.YLabel("ROC AUC");
        auc.ShowLegend(Alignment.LowerRight);
        figure.SavePng(path, 1600, 600);
    }

    /// <summary>
    /// True positive rate against false positive rate on the test set, one curve per model: the whole curve with the chance
    /// diagonal, and beside it the corner where a spam filter works (few ham messages called spam).
    /// </summary>
    public static void Roc(string path, IReadOnlyList<(string Name, RocPoint[] Curve)> models)
    {
        var figure = new Multiplot();
        figure.AddPlots(2);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Plot whole = figure.GetPlot(0);
        Plot corner = figure.GetPlot(1);
        var chance = whole.Add.Line(0, 0, 1, 1);
        chance.Color = Colors.Gray;
        chance.LinePattern = LinePattern.Dotted;
        for (int m = 0; m < models.Count; m++)
        {
            (string name, RocPoint[] curve) = models[m];
            double[] falsePositives = curve.Select(p => p.FalsePositiveRate).ToArray();
            double[] truePositives = curve.Select(p => p.TruePositiveRate).ToArray();
            foreach (Plot plot in new[] { whole, corner })
            {
                var line = plot.Add.ScatterLine(falsePositives, truePositives);
                line.LegendText = name;
                line.Color = Palette[m % Palette.Length];
                line.LineWidth = 2;
            }
        }

        whole.Title("ROC curves on the test set (spam is positive)");
        whole.Axes.SetLimits(-0.01, 1.01, -0.01, 1.01);
        corner.Title("The corner: at most 10 % of ham called spam");
        corner.Axes.SetLimits(0, 0.1, 0.8, 1.0);
        foreach (Plot plot in new[] { whole, corner })
        {
            plot.XLabel("false positive rate (ham called spam)");
            plot.YLabel("true positive rate (spam caught)");
            plot.ShowLegend(Alignment.LowerRight);
        }

        figure.SavePng(path, 1600, 700);
    }
}
