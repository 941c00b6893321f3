using System;
using System.Linq;
using ScottPlot;

namespace Forecasting;

/// <summary>The held-out year: what happened, the LSTM's streamed forecast, and the same-day-last-week baseline, as a PNG.</summary>
internal static class ForecastPlot
{
    public static void Write(string path, DateOnly[] dates, float[] actual, float[] forecast, float[] lastWeek)
    {
        double[] xs = dates.Select(d => d.ToDateTime(TimeOnly.MinValue).ToOADate()).ToArray();
        var plot = new Plot();
        Line(plot, xs, actual, "actual", Colors.Black, 1.5f);
        Line(plot, xs, forecast, "BirthsLstm, one Step per day", Colors.DodgerBlue, 1.5f);
        Line(plot, xs, lastWeek, "same day last week", Colors.Orange.WithAlpha(0.8), 1f);
        var ticks = new ScottPlot.TickGenerators.DateTimeAutomatic { LabelFormatter = date => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) };
        plot.Axes.DateTimeTicksBottom().TickGenerator = ticks;
        plot.Title("US births per day in 2014: forecast the evening before");
        plot.YLabel("births");
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, 1600, 600);
    }

    private static void Line(Plot plot, double[] xs, float[] ys, string label, Color color, float width)
    {
        var line = plot.Add.ScatterLine(xs, ys.Select(y => (double)y).ToArray());
        line.LegendText = label;
        line.Color = color;
        line.LineWidth = width;
    }
}
