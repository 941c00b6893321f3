using System;
using System.Collections.Generic;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

// Inside namespace RnnDsl.Samples a bare Text would be the namespace RnnDsl.Text.
using PlainText = Spectre.Console.Text;

namespace RnnDsl.Samples;

/// <summary>
/// Shows the progress of <c>Fit</c> as Keras does: a bar for the running epoch, redrawn after every batch,
/// and one summary line per epoch with its logs (<c>loss</c>, metrics, <c>val_</c> values) and its time.
/// </summary>
/// <remarks>
/// <para>
/// The bar is a Spectre.Console live display, drawn only when the console is interactive and understands
/// ANSI codes. When standard output is redirected (a pipe, a log, CI) there is no bar, and the epoch lines
/// are plain lines, so a captured log reads the same as before.
/// </para>
/// <para>
/// Samples share this file: a sample compiles it with
/// <c>&lt;Compile Include="..\Sentiment\TrainingProgress.cs" Link="TrainingProgress.cs" /&gt;</c> and adds
/// <c>&lt;PackageReference Include="Spectre.Console" /&gt;</c> (the version is set in Directory.Packages.props).
/// </para>
/// </remarks>
/// <example>
/// <code>
/// History history = TrainingProgress.Run(progress => model.Fit(inputs, targets, new FitOptions
/// {
///     Epochs = 8,
///     OnBatchEnd = progress.OnBatch,
///     OnEpochEnd = progress.OnEpoch,
/// }));
/// </code>
/// </example>
internal sealed class TrainingProgress
{
    private const string LossKey = "loss";

    // The live display, or null when the console cannot show one and only the epoch lines are printed.
    private readonly ProgressContext? _display;

    // The bar of the running epoch: one task, reset at the first batch of each epoch.
    private ProgressTask? _bar;
    private int _barEpoch;

    private TrainingProgress(ProgressContext? display)
    {
        _display = display;
    }

    /// <summary>
    /// Runs <paramref name="train"/> with a progress display whose <see cref="OnBatch"/> and
    /// <see cref="OnEpoch"/> it passes to <c>Fit</c>, and returns what <paramref name="train"/> returns.
    /// The bar is cleared when training ends; the epoch lines stay.
    /// </summary>
    public static T Run<T>(Func<TrainingProgress, T> train)
    {
        ArgumentNullException.ThrowIfNull(train);

        // Spectre calls a console interactive only when none of stdin, stdout and stderr is redirected.
        IReadOnlyCapabilities capabilities = AnsiConsole.Profile.Capabilities;
        if (!capabilities.Interactive || !capabilities.Ansi)
        {
            return train(new TrainingProgress(display: null));
        }

        return AnsiConsole.Progress()
            .AutoClear(true)
            .ExcludeVerticalPadding()
            .Columns(
                new TextColumn(task => "  " + task.Description), // indented like the epoch lines
                new ProgressBarColumn { Width = 30 },
                new TextColumn(task => $"{task.Value,3:0}/{task.MaxValue:0}  loss {task.State.Get<double>(LossKey):F4}"))
            .Start(display => train(new TrainingProgress(display)));
    }

    /// <summary>For <c>FitOptions.OnBatchEnd</c>: moves the bar and shows the epoch's mean loss so far.</summary>
    public void OnBatch(BatchProgress progress)
    {
        if (_display is null)
        {
            return;
        }

        string description = $"epoch {progress.Epoch,2}/{progress.Epochs}";
        if (_bar is null)
        {
            _bar = _display.AddTask(description, maxValue: progress.Batches);
        }
        else if (_barEpoch != progress.Epoch)
        {
            _bar.Description = description;
            _bar.MaxValue = progress.Batches;
        }

        _barEpoch = progress.Epoch;
        _bar.State.Update<double>(LossKey, _ => progress.Loss);
        _bar.Value = progress.Batch;
    }

    /// <summary>For <c>FitOptions.OnEpochEnd</c>: prints the epoch's summary line (above the bar, when there is one).</summary>
    public void OnEpoch(EpochProgress progress)
    {
        string line = EpochLine(progress);
        if (_display is null)
        {
            Console.WriteLine(line);
        }
        else
        {
            // Through Spectre, not Console, so that the live display draws its bar again below the line.
            AnsiConsole.Write(new LineOverBar(line));
        }
    }

    /// <summary>
    /// <c>  epoch  3/8  loss 0.0160  accuracy 99.7 %  val_loss 0.0020  val_accuracy 100.0 %  (0.3 s)</c>: the logs in
    /// the order <c>Fit</c> wrote them, accuracies as percentages and everything else (losses) to four decimals.
    /// </summary>
    private static string EpochLine(EpochProgress progress)
    {
        var line = new StringBuilder($"  epoch {progress.Epoch,2}/{progress.Epochs}");
        foreach (KeyValuePair<string, double> log in progress.Logs)
        {
            string value = log.Key.EndsWith("accuracy", StringComparison.Ordinal) ? $"{log.Value:P1}" : $"{log.Value:F4}";
            line.Append($"  {log.Key} {value}");
        }

        return line.Append($"  ({progress.Elapsed.TotalSeconds:F1} s)").ToString();
    }

    /// <summary>
    /// A line written while the bar is shown. Spectre puts the cursor at the start of the bar and writes the line
    /// over it without clearing it, so a line shorter than the bar (or a first row of a wrapped line) would keep the
    /// bar's tail; this erases from the cursor to the end of the screen first (ANSI <c>ESC [ J</c>).
    /// </summary>
    private sealed class LineOverBar(string line) : IRenderable
    {
        private readonly IRenderable _text = new PlainText(line);

        public Measurement Measure(RenderOptions options, int maxWidth) => _text.Measure(options, maxWidth);

        public IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
        {
            yield return Segment.Control("\u001b[J");
            foreach (Segment segment in _text.Render(options, maxWidth))
            {
                yield return segment;
            }

            yield return Segment.LineBreak;
        }
    }

    /// <summary>A column of plain text (no markup) made from the task: <c>  epoch  3/8</c>, <c> 57/113  loss 0.0123</c>.</summary>
    private sealed class TextColumn(Func<ProgressTask, string> text) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new PlainText(text(task));
    }
}
