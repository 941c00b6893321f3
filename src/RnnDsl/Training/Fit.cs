using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;

namespace RnnDsl;

/// <summary>Keras-style training and evaluation for any generated model.</summary>
public static class Training
{
    /// <summary>
    /// Trains the model, like Keras <c>model.fit</c>: shuffled mini-batches, the optimizer, validation,
    /// metrics, early stopping and callbacks. Each batch is split across <see cref="FitOptions.Threads"/>
    /// threads with a gradient buffer each; the buffers are summed in a fixed order, so the result depends
    /// on the thread count only through float rounding.
    /// </summary>
    /// <param name="model">The model to train; its parameters change in place.</param>
    /// <param name="inputs">One sequence per example (token ids, or real values step-major).</param>
    /// <param name="targets">One target array per example: a row per output row (see <c>ComputeGradients</c>).</param>
    /// <param name="options">Epochs, batch size, optimizer, loss, metrics, validation, callbacks.</param>
    /// <param name="validationInputs">
    /// Explicit validation examples (Keras <c>validation_data</c>). As in Keras 3, they win over
    /// <see cref="FitOptions.ValidationSplit"/>: when they are given, every example of <paramref name="inputs"/> trains.
    /// </param>
    /// <param name="validationTargets">Their targets.</param>
    /// <exception cref="ArgumentNullException">An argument, an example or a target is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A token id, a label or <see cref="FitOptions.Loss"/> is outside what the model or loss takes.</exception>
    /// <exception cref="ArgumentException">
    /// The data are empty or mismatched, a value is NaN or infinite, or the loss cannot fit the model's output. Every
    /// example is checked before the first epoch, so bad data leaves the model unchanged.
    /// </exception>
    /// <exception cref="TrainingDivergedException">The loss, a gradient or a weight became NaN or infinite.</exception>
    public static History Fit<TInput>(
        this ISequenceModel<TInput> model,
        IReadOnlyList<TInput[]> inputs,
        IReadOnlyList<float[]> targets,
        FitOptions options,
        IReadOnlyList<TInput[]>? validationInputs = null,
        IReadOnlyList<float[]>? validationTargets = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Epochs < 1 || options.BatchSize < 1 || options.Threads < 1)
        {
            throw new ArgumentException("Epochs, BatchSize and Threads must be at least 1.", nameof(options));
        }

        // Everything that can be checked before training is checked here, so bad data never costs an epoch.
        TrainingData.CheckLoss(options.Loss, model.OutputLength(1), nameof(options), "options.Loss");
        // Keras 3 splits only when no validation data is given (fit in keras/src/backend/{tensorflow,jax,torch}/trainer.py:
        // "if validation_split and validation_data is None"): explicit data wins and the split is not taken, so only its
        // range is checked.
        bool explicitValidation = validationInputs is not null || validationTargets is not null;
        (int trainCount, int validationCount) = TrainingData.Split(inputs.Count, explicitValidation ? 0 : options.ValidationSplit, nameof(options));
        TrainingData.CheckSplit(options.ValidationSplit, nameof(options));

        TrainingData.CheckMetrics(model, options.Metrics, nameof(options), "options.Metrics");
        TrainingData.CheckExamples(model, inputs, targets, options.Loss, nameof(inputs), nameof(targets));
        TrainingData.CheckBinaryLabels(targets, options.Metrics, nameof(targets));
        if (validationCount > 0)
        {
            validationInputs = inputs.Skip(trainCount).ToArray();
            validationTargets = targets.Skip(trainCount).ToArray();
        }
        else if (explicitValidation)
        {
            ArgumentNullException.ThrowIfNull(validationInputs);
            ArgumentNullException.ThrowIfNull(validationTargets);
            if (validationInputs.Count == 0)
            {
                throw new ArgumentException(
                    "validationInputs has no examples; pass at least one, or null to train without validation.", nameof(validationInputs));
            }

            TrainingData.CheckExamples(model, validationInputs, validationTargets, options.Loss, nameof(validationInputs), nameof(validationTargets));
            TrainingData.CheckBinaryLabels(validationTargets, options.Metrics, nameof(validationTargets));
        }

        float[]? exampleWeights = TrainingData.ClassWeights(model, targets, trainCount, options.Loss, options.ClassWeight, nameof(options), nameof(targets));
        if (options.LearningRateSchedule is not null && options.ReduceLROnPlateau is not null)
        {
            throw new ArgumentException(
                "options has both a LearningRateSchedule and ReduceLROnPlateau; set one: the schedule sets every step's rate, so there is no rate to reduce "
                + "(Keras cannot set the rate of an optimizer that has a schedule either).", nameof(options));
        }

        var run = new FitRun<TInput>(model, inputs, targets, trainCount, exampleWeights, options, validationInputs, validationTargets);
        return run.Run();
    }

    /// <summary>
    /// <see cref="Fit{TInput}(ISequenceModel{TInput}, IReadOnlyList{TInput[]}, IReadOnlyList{float[]}, FitOptions, IReadOnlyList{TInput[]}?, IReadOnlyList{float[]}?)"/>
    /// with one target value per example (<c>float[] y</c>): for a model with one output row per example and a loss that
    /// takes one value for it, such as a binary label for <c>Dense(1, Sigmoid)</c>, a class index under sparse categorical
    /// cross-entropy, or one value to regress. Errors name a bad value as <c>targets[4]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The model outputs a sequence or takes several target values per example; and as the other overload.</exception>
    public static History Fit<TInput>(
        this ISequenceModel<TInput> model,
        IReadOnlyList<TInput[]> inputs,
        IReadOnlyList<float> targets,
        FitOptions options,
        IReadOnlyList<TInput[]>? validationInputs = null,
        IReadOnlyList<float>? validationTargets = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        TrainingData.CheckLoss(options.Loss, model.OutputLength(1), nameof(options), "options.Loss");
        return model.Fit(
            inputs,
            OneTargetPerExample.From(model, targets, options.Loss, nameof(targets)),
            options,
            validationInputs,
            validationTargets is null ? null : OneTargetPerExample.From(model, validationTargets, options.Loss, nameof(validationTargets)));
    }

    /// <summary>
    /// Like Keras <c>model.evaluate</c>: the mean loss and the metrics over the given examples, by key
    /// (<c>loss</c>, then each metric's name).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument, an example or a target is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A token id, a label or <paramref name="loss"/> is outside what the model or loss takes.</exception>
    /// <exception cref="ArgumentException">There are no examples, they are mismatched, a value is NaN or infinite, or the loss cannot fit the output.</exception>
    public static IReadOnlyDictionary<string, double> Evaluate<TInput>(
        this ISequenceModel<TInput> model,
        IReadOnlyList<TInput[]> inputs,
        IReadOnlyList<float[]> targets,
        Loss loss,
        IReadOnlyList<Metric>? metrics = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        TrainingData.CheckLoss(loss, model.OutputLength(1), nameof(loss), nameof(loss));
        metrics ??= Array.Empty<Metric>();
        TrainingData.CheckMetrics(model, metrics, nameof(metrics), nameof(metrics));
        TrainingData.CheckExamples(model, inputs, targets, loss, nameof(inputs), nameof(targets));
        TrainingData.CheckBinaryLabels(targets, metrics, nameof(targets));
        if (inputs.Count == 0)
        {
            throw new ArgumentException("inputs has no examples; Evaluate needs at least one.", nameof(inputs));
        }

        Metric[] wanted = metrics.ToArray();
        var counts = new MetricCounts(wanted.Length, wanted.Contains(Metric.Auc) ? new ScoreBuffer(inputs.Count) : null);
        return EvaluateChecked(model, inputs, targets, loss, wanted, counts, CancellationToken.None)!;
    }

    /// <summary>
    /// <see cref="Evaluate{TInput}(ISequenceModel{TInput}, IReadOnlyList{TInput[]}, IReadOnlyList{float[]}, Loss, IReadOnlyList{Metric}?)"/>
    /// with one target value per example, for a model with one output row per example and a loss that takes one value
    /// for it (see the <c>IReadOnlyList&lt;float&gt;</c> overload of <c>Fit</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The model outputs a sequence or takes several target values per example; and as the other overload.</exception>
    public static IReadOnlyDictionary<string, double> Evaluate<TInput>(
        this ISequenceModel<TInput> model,
        IReadOnlyList<TInput[]> inputs,
        IReadOnlyList<float> targets,
        Loss loss,
        IReadOnlyList<Metric>? metrics = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(targets);
        TrainingData.CheckLoss(loss, model.OutputLength(1), nameof(loss), nameof(loss));
        return model.Evaluate(inputs, OneTargetPerExample.From(model, targets, loss, nameof(targets)), loss, metrics);
    }

    /// <summary>
    /// For each of the <paramref name="rows"/> output rows of an example, whether it counts in the loss and metrics,
    /// as the model's own output mask says (padding steps of a masked sequence output do not). Written into
    /// <paramref name="buffer"/>, which is replaced only when the row count changes, so a caller that keeps it
    /// allocates once per length rather than once per example.
    /// </summary>
    internal static bool[] CountedRows<TInput>(ISequenceModel<TInput> model, TInput[] input, int rows, ref bool[] buffer)
        where TInput : unmanaged
    {
        if (buffer.Length != rows)
        {
            buffer = new bool[rows];
        }

        model.ComputeOutputMask(input, buffer);
        return buffer;
    }

    /// <summary>
    /// <c>Evaluate</c> on examples already checked (Fit's validation data, every epoch), counting the
    /// metrics in <paramref name="counts"/>, which are cleared first; null when <paramref name="cancellation"/> is
    /// requested (checked before each example).
    /// </summary>
    internal static Dictionary<string, double>? EvaluateChecked<TInput>(
        ISequenceModel<TInput> model, IReadOnlyList<TInput[]> inputs, IReadOnlyList<float[]> targets, Loss loss, Metric[] wanted, MetricCounts counts, CancellationToken cancellation)
        where TInput : unmanaged
    {
        counts.Clear();
        double total = 0;
        long terms = 0;
        float[] output = Array.Empty<float>();
        float[] scratchGradient = Array.Empty<float>();
        bool[] counted = Array.Empty<bool>();
        for (int n = 0; n < inputs.Count; n++)
        {
            if (cancellation.IsCancellationRequested)
            {
                return null;
            }

            int steps = model.StepsOf(inputs[n].Length);
            int length = model.OutputLength(steps);
            if (output.Length != length)
            {
                output = new float[length];
                scratchGradient = new float[length];
            }

            model.Predict(inputs[n], output);
            total += RowLosses(model, inputs[n], targets[n], output, loss, wanted, counts, scratchGradient, ref counted, n, out int rows);
            terms += rows;
        }

        counts.Scored = inputs.Count;

        var logs = new Dictionary<string, double> { ["loss"] = terms == 0 ? 0 : total / terms };
        counts.WriteTo(logs, wanted);
        return logs;
    }

    /// <summary>The summed loss of one example's counted rows, and its metric counts.</summary>
    private static double RowLosses<TInput>(
        ISequenceModel<TInput> model, TInput[] input, float[] target, float[] output, Loss loss, Metric[] metrics, MetricCounts counts, float[] scratch, ref bool[] countedBuffer, int position, out int rows)
        where TInput : unmanaged
    {
        int width = model.OutputLength(1);
        int targetWidth = LossFunctions.TargetWidth(loss, width);
        int outputRows = output.Length / width;
        double total = 0;
        rows = 0;
        bool[] counted = CountedRows(model, input, outputRows, ref countedBuffer);
        for (int row = 0; row < outputRows; row++)
        {
            if (!counted[row])
            {
                continue;
            }

            total += LossFunctions.Evaluate(loss, output.AsSpan(row * width, width), target.AsSpan(row * targetWidth, targetWidth), 1f, scratch.AsSpan(0, width));
            rows++;
        }

        Metrics.Count(model, counted, target, output, loss, metrics, counts, position);
        return total;
    }
}
