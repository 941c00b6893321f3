using System.Collections.Generic;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// The names of the members the generated class declares, public and private. A model class of one of these
/// names could not hold its own member (CS0542), so the validator refuses it with RNN020; a test checks that
/// every member the emitted code declares is listed here.
/// </summary>
internal static class Members
{
    public const string ParameterCount = nameof(ParameterCount);
    public const string VocabularySize = nameof(VocabularySize);
    public const string Features = nameof(Features);
    public const string MaxSequenceLength = nameof(MaxSequenceLength);
    public const string OutputWidth = nameof(OutputWidth);
    public const string OutputIsSequence = nameof(OutputIsSequence);

    /// <summary>How a constructor is listed among the members, by its parameter types: <c>constructor(int)</c>.</summary>
    public static string Constructor(IEnumerable<string> parameterTypes) => "constructor(" + string.Join(", ", parameterTypes) + ")";

    /// <summary>Every member name the generated code of <paramref name="model"/> declares, and its constructors.</summary>
    public static IEnumerable<string> Of(ModelSpec model)
    {
        yield return Constructor(new string[0]);
        yield return Constructor(new[] { "int" });
        yield return ParameterCount;
        yield return model.TokenInput ? VocabularySize : Features;
        yield return MaxSequenceLength;
        yield return OutputWidth;
        yield return OutputIsSequence;
        foreach (string name in new[]
        {
            "OutputLength", "DefaultSeed", "Parameters", "Initialize", "Predict", "PredictBatch", "Forward", "Summary", "SummaryText",
            "StepsOf", "MasksPaddingSteps", "LossTermCount", "ComputeOutputMask", "ComputeGradients", "AccumulateGradients", "_parameters",
            "Weights", "WeightList", "Architecture", "ArchitectureDescription", "HasDropout",
        })
        {
            yield return name;
        }

        if (!model.IsAbstract)
        {
            yield return Constructor(new[] { "bool" });
            yield return "Load";
        }

        if (model.HasDropout)
        {
            yield return "Accumulate";
            yield return "Compute";
        }

        if (model.Mask.IsMasked)
        {
            yield return "ComputeMask";
        }

        if (BatchEmitter.Used(model))
        {
            yield return "ForwardBatch";
            yield return BatchEmitter.LanesConstant;
        }

        if (BatchTrainingEmitter.Used(model))
        {
            yield return "AccumulateGradientsBatch";
        }

        foreach (string name in StepEmitter.MemberNames(model))
        {
            yield return name;
        }

        foreach (LayerSpec layer in model.Layers)
        {
            foreach (WeightSpec weight in layer.Weights)
            {
                yield return weight.ConstantName;
            }

            switch (layer.Kind)
            {
                case LayerKind.Embedding:
                case LayerKind.Dense:
                    yield return "Run" + layer.Identifier;
                    yield return "Backward" + layer.Identifier;
                    break;
                case LayerKind.Recurrent:
                    yield return RecurrenceEmitter.UnitsConstant(layer);
                    yield return RecurrenceEmitter.WeightsLengthConstant(layer);
                    yield return layer.Identifier + "Recurrence";
                    yield return layer.Identifier + "RecurrenceBackward";
                    if (BatchEmitter.Batches(layer))
                    {
                        yield return BatchEmitter.RecurrenceMethod(layer);
                    }

                    if (BatchTrainingEmitter.Used(model))
                    {
                        yield return BatchTrainingEmitter.RecurrenceMethod(layer);
                    }

                    if (layer.Bidirectional && layer.OutputIsSequence)
                    {
                        yield return layer.Identifier + "Merge";
                        yield return layer.Identifier + "MergeBackward";
                    }

                    break;
            }
        }
    }
}
