using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace RnnDsl;

/// <summary>
/// The checks <c>Training.Fit</c> and <c>Training.Evaluate</c> make before any work, so
/// bad data never costs an epoch, never changes the model, and is never reported as divergence. Each error names the
/// argument, the example and the position, such as <c>inputs[17][3]</c> or <c>targets[4][0]</c>.
/// </summary>
internal static class TrainingData
{
    /// <summary>
    /// Checks that <paramref name="loss"/> is a defined <see cref="Loss"/> that can fit an output row of
    /// <paramref name="outputWidth"/> values; <paramref name="what"/> is how the caller's
    /// <paramref name="argumentName"/> spells it, such as <c>options.Loss</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="Loss"/>.</exception>
    /// <exception cref="ArgumentException">The loss needs more outputs per row than the model has.</exception>
    public static void CheckLoss(Loss loss, int outputWidth, string argumentName, string what)
    {
        if (!Enum.IsDefined(loss))
        {
            throw new ArgumentOutOfRangeException(
                argumentName, loss, $"{what} is {(int)loss}, which is not a Loss; use one of {string.Join(", ", Enum.GetNames<Loss>())}.");
        }

        if (outputWidth == 1 && loss is Loss.CategoricalCrossentropy or Loss.SparseCategoricalCrossentropy)
        {
            throw new ArgumentException(
                $"{what} is {loss}, but the model outputs one value per row: {Describe(loss)} needs a distribution over at least two "
                + "classes and would learn nothing here. For one output (Dense(1, Sigmoid)) use Loss.BinaryCrossentropy.",
                argumentName);
        }
    }

    /// <summary>Checks that <paramref name="validationSplit"/> is a fraction in [0, 1), whether or not it is used.</summary>
    /// <exception cref="ArgumentException">It is NaN or outside [0, 1).</exception>
    public static void CheckSplit(double validationSplit, string argumentName)
    {
        if (double.IsNaN(validationSplit) || validationSplit is < 0 or >= 1)
        {
            throw new ArgumentException(
                $"options.ValidationSplit is {validationSplit.ToString(CultureInfo.InvariantCulture)}; it must be in [0, 1).", argumentName);
        }
    }

    /// <summary>
    /// How many of <paramref name="count"/> examples train and how many validate under <paramref name="validationSplit"/>,
    /// by Keras 3's rule (<c>train_validation_split</c>): the first <c>floor(count × (1 - split))</c> train, the rest,
    /// taken from the end before any shuffling, validate.
    /// </summary>
    /// <exception cref="ArgumentException">There are no examples, the split is NaN or outside [0, 1), or it leaves no training or no validation example.</exception>
    public static (int Train, int Validation) Split(int count, double validationSplit, string argumentName)
    {
        if (count == 0)
        {
            throw new ArgumentException("inputs has no examples; Fit needs at least one.", "inputs");
        }

        CheckSplit(validationSplit, argumentName);
        if (validationSplit == 0)
        {
            return (count, 0);
        }

        int train = (int)Math.Floor(count * (1.0 - validationSplit));
        if (train == 0 || train == count)
        {
            throw new ArgumentException(
                $"options.ValidationSplit {validationSplit.ToString(CultureInfo.InvariantCulture)} of {count} examples leaves {train} to train on "
                + $"and {count - train} to validate on; it must leave at least one of each (Keras refuses it too). Pass more examples, "
                + "another split, or validation data of their own.", argumentName);
        }

        return (train, count - train);
    }

    /// <summary>
    /// Checks that every metric is a defined <see cref="Metric"/>, and that a binary one (precision, recall, F1, AUC) has
    /// one output value per example to read; <paramref name="what"/> is how the caller's <paramref name="argumentName"/>
    /// spells the list.
    /// </summary>
    /// <exception cref="ArgumentNullException">The list is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is not a defined <see cref="Metric"/>.</exception>
    /// <exception cref="ArgumentException">A binary metric on a model with more than one output value per example.</exception>
    public static void CheckMetrics(IRnnModel model, IReadOnlyList<Metric> metrics, string argumentName, string what)
    {
        ArgumentNullException.ThrowIfNull(metrics, argumentName);
        for (int m = 0; m < metrics.Count; m++)
        {
            Metric metric = metrics[m];
            if (!Enum.IsDefined(metric))
            {
                throw new ArgumentOutOfRangeException(
                    argumentName, metric, $"{what}[{m}] is {(int)metric}, which is not a Metric; use one of {string.Join(", ", Enum.GetNames<Metric>())}.");
            }

            if (Metrics.IsBinary(metric) && !OneValuePerExample(model))
            {
                string outputs = model.OutputLength(2) != model.OutputLength(1)
                    ? $"a sequence ({model.OutputLength(1)} value(s) per step)"
                    : $"{model.OutputLength(1)} values per example";
                throw new ArgumentException(
                    $"{what}[{m}] is Metric.{metric}, a binary metric: it reads one score per example, as from Dense(1, Sigmoid) "
                    + $"after a recurrent layer without ReturnSequences, but this model outputs {outputs}.",
                    argumentName);
            }
        }
    }

    /// <summary>Whether the model writes exactly one value for an example, whatever its length.</summary>
    public static bool OneValuePerExample(IRnnModel model) => model.OutputLength(1) == 1 && model.OutputLength(2) == 1;

    /// <summary>Checks that every label is 0 or 1 when a binary metric is wanted (targets already checked for length: one value each).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is another value.</exception>
    public static void CheckBinaryLabels(IReadOnlyList<float[]> targets, IReadOnlyList<Metric> metrics, string targetsName)
    {
        Metric? binary = null;
        foreach (Metric metric in metrics)
        {
            binary ??= Metrics.IsBinary(metric) ? metric : null;
        }

        if (binary is null)
        {
            return;
        }

        for (int n = 0; n < targets.Count; n++)
        {
            float y = targets[n][0];
            if (y != 0f && y != 1f)
            {
                throw new ArgumentOutOfRangeException(
                    targetsName, y, $"{Place(targets, targetsName, n, 0)} is {Format(y)}; Metric.{binary} counts labels 0 and 1 only.");
            }
        }
    }

    /// <summary>
    /// Each of the first <paramref name="count"/> examples' weight under <paramref name="classWeight"/> (Keras
    /// <c>class_weight</c>), or null without one. The examples are already checked.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The model outputs a sequence, the loss is not a classification loss, a weight is not a finite number of at least 0,
    /// or every training example weighs 0.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A class is not one of the model's, or a binary label is not 0 or 1.</exception>
    public static float[]? ClassWeights(
        IRnnModel model, IReadOnlyList<float[]> targets, int count, Loss loss, IReadOnlyDictionary<int, float>? classWeight, string argumentName, string targetsName)
    {
        if (classWeight is null)
        {
            return null;
        }

        const string what = "options.ClassWeight";
        int width = model.OutputLength(1);
        if (model.OutputLength(2) != width)
        {
            throw new ArgumentException(
                $"{what} weighs each example by its class, but this model outputs a sequence, a class per step; class weights need "
                + "one output row per example (Keras refuses class_weight for sequence targets too).", argumentName);
        }

        int classes = loss switch
        {
            Loss.BinaryCrossentropy when width == 1 => 2,
            Loss.SparseCategoricalCrossentropy or Loss.CategoricalCrossentropy => width,
            _ => throw new ArgumentException(
                $"{what} needs a classification loss: BinaryCrossentropy on one output, SparseCategoricalCrossentropy or "
                + $"CategoricalCrossentropy; the loss is {loss} on {width} output(s).", argumentName),
        };

        var byClass = new float[classes];
        Array.Fill(byClass, 1f);
        foreach (var (key, weight) in classWeight)
        {
            if ((uint)key >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(argumentName, key, $"{what} has class {key}; this model's classes are 0 to {classes - 1}.");
            }

            if (!float.IsFinite(weight) || weight < 0)
            {
                throw new ArgumentException($"{what}[{key}] is {Format(weight)}; a class weight must be a finite number of at least 0.", argumentName);
            }

            byClass[key] = weight;
        }

        var weights = new float[count];
        var seen = new bool[classes];
        for (int n = 0; n < count; n++)
        {
            float[] target = targets[n];
            int label;
            if (loss == Loss.CategoricalCrossentropy)
            {
                label = TensorPrimitives.IndexOfMax(target);
            }
            else if (target[0] == 0f || target[0] == 1f || loss == Loss.SparseCategoricalCrossentropy)
            {
                label = (int)target[0];
            }
            else
            {
                throw new ArgumentOutOfRangeException(
                    targetsName, target[0], $"{Place(targets, targetsName, n, 0)} is {Format(target[0])}; with {what} the label is the class, so it must be 0 or 1.");
            }

            weights[n] = byClass[label];
            seen[label] = true;
        }

        if (Array.TrueForAll(weights, w => w == 0f))
        {
            IEnumerable<int> present = Enumerable.Range(0, classes).Where(c => seen[c]);
            throw new ArgumentException(
                $"{what} gives every training example weight 0 (the classes in the training data, {string.Join(", ", present)}, all weigh 0), "
                + "so the loss and its gradient would be 0 and nothing would be learned; give one of those classes a weight above 0.",
                argumentName);
        }

        return weights;
    }

    /// <summary>
    /// Checks every example: no nulls, a target per input, at least one step and no more than the model accepts,
    /// token ids in the model's range, finite real inputs, and targets of the right length that the loss accepts.
    /// </summary>
    /// <exception cref="ArgumentNullException">An example or its target is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A token id or a label is outside the range the model or loss takes.</exception>
    /// <exception cref="ArgumentException">Counts or lengths do not match, or a value is NaN or infinite.</exception>
    public static void CheckExamples<TInput>(
        ISequenceModel<TInput> model, IReadOnlyList<TInput[]> inputs, IReadOnlyList<float[]> targets, Loss loss, string inputsName, string targetsName)
        where TInput : unmanaged
    {
        if (inputs.Count != targets.Count)
        {
            throw new ArgumentException($"{inputsName} has {inputs.Count} examples but {targetsName} has {targets.Count}.", targetsName);
        }

        int width = model.OutputLength(1);
        int targetWidth = LossFunctions.TargetWidth(loss, width);
        bool[] counted = Array.Empty<bool>();
        for (int n = 0; n < inputs.Count; n++)
        {
            TInput[] input = inputs[n] ?? throw new ArgumentNullException(inputsName, $"{inputsName}[{n}] is null.");
            float[] target = targets[n] ?? throw new ArgumentNullException(targetsName, $"{targetsName}[{n}] is null.");
            int steps = StepsOf(model, inputs, n, inputsName);
            if (steps < 1)
            {
                throw new ArgumentException($"{inputsName}[{n}] is empty; a sequence needs at least one step.", inputsName);
            }

            if (typeof(TInput) == typeof(float))
            {
                CheckFinite(MemoryMarshal.Cast<TInput, float>(input.AsSpan()), input.Length / steps, n, inputsName);
            }

            int rows = model.OutputLength(steps) / width;
            if (target.Length != rows * targetWidth)
            {
                throw new ArgumentException(
                    $"{targetsName}[{n}] has {target.Length} values; with {steps} steps and loss {loss} this example needs {rows * targetWidth}.", targetsName);
            }

            CheckTargets(Training.CountedRows(model, input, rows, ref counted), target, rows, width, loss, n, targets is OneTargetPerExample, targetsName);
        }

        CheckSequenceLengths(model, inputs, inputsName);
        if (model is ITokenModel tokenModel && inputs is IReadOnlyList<int[]> tokens)
        {
            CheckTokens(tokenModel, tokens, inputsName);
        }
    }

    /// <summary>The steps of example <paramref name="n"/>; a length that is not a whole number of steps is reported for that example.</summary>
    private static int StepsOf<TInput>(ISequenceModel<TInput> model, IReadOnlyList<TInput[]> inputs, int n, string inputsName)
        where TInput : unmanaged
    {
        try
        {
            return model.StepsOf(inputs[n].Length);
        }
        catch (ArgumentException error)
        {
            string features = model is IRealValuedModel real ? $" of {real.Features} features" : string.Empty;
            throw new ArgumentException(
                $"{inputsName}[{n}] has {inputs[n].Length} values, which is not a whole number of steps{features}.", inputsName, error);
        }
    }

    private static void CheckFinite(ReadOnlySpan<float> values, int features, int n, string inputsName)
    {
        if (TensorPrimitives.IsFiniteAll(values))
        {
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                string where = features > 1 ? $" (step {i / features}, feature {i % features})" : string.Empty;
                throw new ArgumentException($"{inputsName}[{n}][{i}]{where} is {Format(values[i])}; inputs must be finite numbers.", inputsName);
            }
        }
    }

    /// <summary>Checks the counted rows of one target (the model's output mask, <paramref name="counted"/>): finite values, and labels the loss accepts.</summary>
    private static void CheckTargets(bool[] counted, float[] target, int rows, int width, Loss loss, int n, bool flat, string targetsName)
    {
        string Place(int at) => flat ? $"{targetsName}[{n}]" : $"{targetsName}[{n}][{at}]";
        int targetWidth = target.Length / rows;
        for (int row = 0; row < rows; row++)
        {
            if (!counted[row])
            {
                continue;
            }

            for (int j = 0; j < targetWidth; j++)
            {
                int at = row * targetWidth + j;
                float y = target[at];
                if (!float.IsFinite(y))
                {
                    throw new ArgumentException($"{Place(at)} is {Format(y)}; targets must be finite numbers.", targetsName);
                }

                if (loss == Loss.BinaryCrossentropy && y is < 0 or > 1)
                {
                    throw new ArgumentOutOfRangeException(
                        targetsName, y, $"{Place(at)} is {Format(y)}; binary cross-entropy takes labels in [0, 1].");
                }

                if (loss == Loss.SparseCategoricalCrossentropy && (y != MathF.Floor(y) || y < 0 || y >= width))
                {
                    throw new ArgumentOutOfRangeException(
                        targetsName, y, $"{Place(at)} is {Format(y)}; sparse categorical cross-entropy takes an integer class index in [0, {width}).");
                }
            }
        }
    }

    /// <summary>Checks that no example is longer than the model accepts (<see cref="IRnnModel.MaxSequenceLength"/>).</summary>
    private static void CheckSequenceLengths<TInput>(ISequenceModel<TInput> model, IReadOnlyList<TInput[]> inputs, string inputsName)
        where TInput : unmanaged
    {
        int limit = model.MaxSequenceLength;
        if (limit <= 0)
        {
            return;
        }

        for (int n = 0; n < inputs.Count; n++)
        {
            int steps = model.StepsOf(inputs[n].Length);
            if (steps > limit)
            {
                throw new ArgumentException(
                    $"{inputsName}[{n}] has {steps} steps; this model is declared for sequences of at most {limit} steps.", inputsName);
            }
        }
    }

    /// <summary>Checks that every token id is in <c>[0, VocabularySize)</c>, naming the first offending example and position.</summary>
    private static void CheckTokens(ITokenModel model, IReadOnlyList<int[]> inputs, string inputsName)
    {
        int vocabularySize = model.VocabularySize;
        for (int n = 0; n < inputs.Count; n++)
        {
            int[] input = inputs[n];
            if (input.Length == 0 || (TensorPrimitives.Min<int>(input) >= 0 && TensorPrimitives.Max<int>(input) < vocabularySize))
            {
                continue;
            }

            for (int i = 0; i < input.Length; i++)
            {
                if ((uint)input[i] >= (uint)vocabularySize)
                {
                    throw new ArgumentOutOfRangeException(
                        inputsName, input[i], $"{inputsName}[{n}][{i}] is {input[i]}; token ids must be in [0, {vocabularySize}).");
                }
            }
        }
    }

    /// <summary>Where value <paramref name="at"/> of example <paramref name="n"/> is, as the caller wrote the targets: <c>targets[4][0]</c>, or <c>targets[4]</c> for one value per example.</summary>
    private static string Place(IReadOnlyList<float[]> targets, string name, int n, int at) =>
        targets is OneTargetPerExample ? $"{name}[{n}]" : $"{name}[{n}][{at}]";

    private static string Describe(Loss loss) => loss switch
    {
        Loss.BinaryCrossentropy => "binary cross-entropy",
        Loss.SparseCategoricalCrossentropy => "sparse categorical cross-entropy",
        Loss.CategoricalCrossentropy => "categorical cross-entropy",
        _ => "mean squared error",
    };

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Targets given as one value per example (the <c>IReadOnlyList&lt;float&gt;</c> overloads of <c>Fit</c> and
/// <c>Evaluate</c>), as the one-value rows the training code reads; errors name their places as the caller wrote them
/// (<c>targets[4]</c>).
/// </summary>
internal sealed class OneTargetPerExample : IReadOnlyList<float[]>
{
    private readonly float[][] _rows;

    private OneTargetPerExample(float[][] rows)
    {
        _rows = rows;
    }

    public int Count => _rows.Length;

    public float[] this[int index] => _rows[index];

    /// <summary>
    /// Checks that the model takes one target value per example under <paramref name="loss"/> (one output row, and one
    /// value for that row), then wraps <paramref name="targets"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The model outputs a sequence, or the loss takes a row of several values.</exception>
    public static OneTargetPerExample From(IRnnModel model, IReadOnlyList<float> targets, Loss loss, string targetsName)
    {
        int width = model.OutputLength(1);
        if (model.OutputLength(2) != width)
        {
            throw new ArgumentException(
                $"{targetsName} holds one value per example, but this model outputs a sequence, a row per step; pass one float[] of targets per example.", targetsName);
        }

        int targetWidth = LossFunctions.TargetWidth(loss, width);
        if (targetWidth != 1)
        {
            throw new ArgumentException(
                $"{targetsName} holds one value per example, but with loss {loss} this model takes {targetWidth} per example; pass one float[] of targets per example.", targetsName);
        }

        var rows = new float[targets.Count][];
        for (int n = 0; n < rows.Length; n++)
        {
            rows[n] = [targets[n]];
        }

        return new OneTargetPerExample(rows);
    }

    public IEnumerator<float[]> GetEnumerator() => ((IEnumerable<float[]>)_rows).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _rows.GetEnumerator();
}
