using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RnnDsl.Generators.Diagnostics;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Parsing;

/// <summary>
/// Checks a <see cref="ModelDeclaration"/> against the rules of the DSL. A declaration with no error
/// becomes a <see cref="ModelSpec"/> with every size resolved; every problem becomes a diagnostic at
/// the attribute that causes it.
/// </summary>
internal static class ModelValidator
{
    /// <summary>Members every generated model has; a class of the same name cannot hold them (CS0542).</summary>
    private static readonly HashSet<string> GeneratedMemberNames = new(StringComparer.Ordinal)
    {
        "ParameterCount", "VocabularySize", "Features", "MaxSequenceLength", "OutputWidth", "OutputIsSequence", "OutputLength",
        "DefaultSeed", "Parameters", "Initialize", "Predict", "PredictBatch", "Forward", "Summary", "SummaryText", "StepsOf",
        "MasksPaddingSteps", "LossTermCount", "ComputeGradients", "AccumulateGradients",
    };

    public static ModelResult Validate(ModelDeclaration model)
    {
        string fullName = model.Namespace.Length == 0 ? model.ClassName : model.Namespace + "." + model.ClassName;
        var diagnostics = new List<DiagnosticInfo>();
        void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments) =>
            diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

        string name = model.ClassName;
        if (model.Failure is not null)
        {
            Report(DiagnosticDescriptors.InternalError, model.ClassLocation, name, model.Failure);
            return new ModelResult(fullName, null, diagnostics.ToEquatableArray());
        }

        // The class itself.
        if (!model.IsPartial)
        {
            Report(DiagnosticDescriptors.ClassNotPartial, model.ClassLocation, name);
        }

        if (model.ContainingTypeName is not null)
        {
            Report(DiagnosticDescriptors.NestedClass, model.ClassLocation, name, model.ContainingTypeName);
        }

        if (model.IsGeneric)
        {
            Report(DiagnosticDescriptors.GenericClass, model.ClassLocation, name);
        }

        if (model.IsStatic)
        {
            Report(DiagnosticDescriptors.StaticClass, model.ClassLocation, name);
        }

        if (GeneratedMemberNames.Contains(name))
        {
            Report(DiagnosticDescriptors.ClassNamedLikeGeneratedMember, model.ClassLocation, name);
        }

        if (model.LayersInSeveralParts)
        {
            Report(DiagnosticDescriptors.LayersInSeveralParts, model.ClassLocation, name);
        }

        // Each attribute list: exactly one layer, optionally wrapped by Bidirectional.
        var layers = new List<(AttributeDeclaration Layer, AttributeDeclaration? Bidirectional)>();
        foreach (LayerDeclaration list in model.Layers)
        {
            AttributeDeclaration? bidirectional = null;
            AttributeDeclaration? layer = null;
            foreach (AttributeDeclaration attribute in list.Attributes)
            {
                AttributeDeclaration? previous = attribute.Kind == AttributeKind.Bidirectional ? bidirectional : layer;
                if (previous is not null)
                {
                    Report(DiagnosticDescriptors.SeveralLayersInOneList, attribute.Location, name, Describe(previous), Describe(attribute));
                    continue;
                }

                if (attribute.Kind == AttributeKind.Bidirectional)
                {
                    bidirectional = attribute;
                }
                else
                {
                    layer = attribute;
                }
            }

            if (bidirectional is not null && layer?.Kind != AttributeKind.SimpleRnn)
            {
                Report(DiagnosticDescriptors.BidirectionalWithoutRecurrent, bidirectional.Location, name);
            }

            if (layer is not null)
            {
                layers.Add((layer, layer.Kind == AttributeKind.SimpleRnn ? bidirectional : null));
            }
        }

        // Input layer first, exactly once.
        bool IsInput(AttributeDeclaration a) => a.Kind is AttributeKind.Embedding or AttributeKind.Input;
        if (layers.Count > 0 && !IsInput(layers[0].Layer) && !layers.Any(l => IsInput(l.Layer)))
        {
            Report(DiagnosticDescriptors.MissingInputLayer, layers[0].Layer.Location, name, Describe(layers[0].Layer));
        }

        for (int i = 1; i < layers.Count; i++)
        {
            if (IsInput(layers[i].Layer))
            {
                if (IsInput(layers[0].Layer))
                {
                    Report(DiagnosticDescriptors.RepeatedInputLayer, layers[i].Layer.Location, name, Describe(layers[i].Layer));
                }
                else
                {
                    Report(DiagnosticDescriptors.InputLayerNotFirst, layers[i].Layer.Location, name, Describe(layers[i].Layer), i + 1);
                }
            }
        }

        if (layers.Count == 1 && IsInput(layers[0].Layer))
        {
            Report(DiagnosticDescriptors.NoLayers, layers[0].Layer.Location, name);
        }

        // Each layer's own arguments.
        foreach (var (layer, bidirectional) in layers)
        {
            CheckArguments(layer, bidirectional, name, Report);
        }

        // A recurrent layer reads a sequence: the layer before it must produce one per step.
        bool sequence = true;
        AttributeDeclaration? previousLayer = null;
        foreach (var (layer, _) in layers.Where(l => !IsInput(l.Layer)))
        {
            if (layer.Kind == AttributeKind.SimpleRnn)
            {
                if (!sequence && previousLayer is not null)
                {
                    Report(DiagnosticDescriptors.RecurrentAfterVector, layer.Location, name, Describe(layer), Describe(previousLayer));
                }

                sequence = layer.ReturnSequences;
            }

            previousLayer = layer;
        }

        bool hasErrors = diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        ModelSpec? spec = hasErrors || layers.Count == 0 ? null : BuildSpec(model, layers);

        // The flat parameter buffer is one float array, so its length must fit an int (and so does every size below it).
        if (spec is not null && spec.ParameterCount > int.MaxValue)
        {
            int largest = 0;
            for (int i = 1; i < spec.Layers.Count; i++)
            {
                if (spec.Layers[i].ParameterCount > spec.Layers[largest].ParameterCount)
                {
                    largest = i;
                }
            }

            Report(DiagnosticDescriptors.TooManyParameters, layers[0].Layer.Location, name,
                spec.ParameterCount.ToString("N0", CultureInfo.InvariantCulture), Describe(layers[largest].Layer));
            spec = null;
        }

        return new ModelResult(fullName, spec, diagnostics.ToEquatableArray());
    }

    private static void CheckArguments(
        AttributeDeclaration layer,
        AttributeDeclaration? bidirectional,
        string model,
        Action<Microsoft.CodeAnalysis.DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        void Positive(string argument, int value)
        {
            if (value < 1)
            {
                report(DiagnosticDescriptors.NonPositiveSize, layer.Location, new object[] { model, Describe(layer), argument, value });
            }
        }

        switch (layer.Kind)
        {
            case AttributeKind.Embedding:
                Positive("inputDim", layer.First);
                Positive("outputDim", layer.Second);
                if (layer.InputLength != 0)
                {
                    Positive("InputLength", layer.InputLength);
                }

                break;
            case AttributeKind.Input:
                if (layer.HasTimesteps)
                {
                    Positive("timesteps", layer.First);
                }

                Positive("features", layer.Second);
                if (layer.MaskZero)
                {
                    report(DiagnosticDescriptors.MaskZeroWithoutEmbedding, layer.Location, new object[] { model });
                }

                break;
            case AttributeKind.SimpleRnn:
                Positive("units", layer.First);
                CheckActivation(layer, model, report);
                if (layer.Activation == (int)ActivationKind.Softmax)
                {
                    report(DiagnosticDescriptors.UnsupportedRecurrentActivation, layer.Location, new object[] { model, Describe(layer) });
                }

                if (bidirectional is not null)
                {
                    if (layer.GoBackwards)
                    {
                        report(DiagnosticDescriptors.GoBackwardsInsideBidirectional, layer.Location, new object[] { model, Describe(layer) });
                    }

                    if (!Enum.IsDefined(typeof(MergeKind), bidirectional.MergeMode))
                    {
                        report(DiagnosticDescriptors.UnknownEnumValue, bidirectional.Location, new object[]
                        {
                            model, "Bidirectional", "mergeMode", bidirectional.MergeMode, EnumNames<MergeKind>("MergeMode"),
                        });
                    }
                }

                break;
            case AttributeKind.Dense:
                Positive("units", layer.First);
                CheckActivation(layer, model, report);
                if (layer.Activation == (int)ActivationKind.Softmax && layer.First == 1)
                {
                    report(DiagnosticDescriptors.SoftmaxOnOneUnit, layer.Location, new object[] { model, Describe(layer) });
                }

                break;
        }
    }

    private static void CheckActivation(
        AttributeDeclaration layer,
        string model,
        Action<Microsoft.CodeAnalysis.DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        if (!Enum.IsDefined(typeof(ActivationKind), layer.Activation))
        {
            report(DiagnosticDescriptors.UnknownEnumValue, layer.Location, new object[]
            {
                model, Describe(layer), "activation", layer.Activation, EnumNames<ActivationKind>("Activation"),
            });
        }
    }

    private static string EnumNames<T>(string prefix) =>
        string.Join(", ", Enum.GetNames(typeof(T)).Select(n => prefix + "." + n));

    /// <summary>How the user wrote a layer, for messages: <c>SimpleRnn(64)</c>, <c>Embedding(10000, 32)</c>.</summary>
    internal static string Describe(AttributeDeclaration attribute) => attribute.Kind switch
    {
        AttributeKind.Embedding => Invariant($"Embedding({attribute.First}, {attribute.Second})"),
        AttributeKind.Input => attribute.HasTimesteps ? Invariant($"Input({attribute.First}, {attribute.Second})") : Invariant($"Input({attribute.Second})"),
        AttributeKind.SimpleRnn => Invariant($"SimpleRnn({attribute.First})"),
        AttributeKind.Dense => Invariant($"Dense({attribute.First})"),
        _ => "Bidirectional",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Resolves sizes, Keras layer names and parameter offsets of a valid declaration.</summary>
    private static ModelSpec BuildSpec(ModelDeclaration model, List<(AttributeDeclaration Layer, AttributeDeclaration? Bidirectional)> layers)
    {
        var counters = new Dictionary<string, int>();
        string KerasName(string baseName)
        {
            counters.TryGetValue(baseName, out int count);
            counters[baseName] = count + 1;
            return count == 0 ? baseName : Invariant($"{baseName}_{count}");
        }

        AttributeDeclaration input = layers[0].Layer;
        bool tokens = input.Kind == AttributeKind.Embedding;
        bool maskZero = tokens && input.MaskZero;
        var specs = new List<LayerSpec>();
        long offset = 0; // long like the counts; a model whose total passes int.MaxValue is rejected after this
        int width = input.Second;
        bool sequence = true;
        foreach (var (layer, bidirectional) in layers)
        {
            LayerSpec spec;
            switch (layer.Kind)
            {
                case AttributeKind.Embedding:
                    spec = new LayerSpec(LayerKind.Embedding, KerasName("embedding"), string.Empty, layer.First, layer.Second, ActivationKind.Linear, true, true, (int)offset);
                    break;
                case AttributeKind.Input:
                    spec = new LayerSpec(LayerKind.Input, KerasName("input_layer"), string.Empty, layer.Second, layer.Second, ActivationKind.Linear, true, true, (int)offset);
                    break;
                case AttributeKind.SimpleRnn:
                    // Keras names the wrapped layer before the wrapper, so both counters advance.
                    string rnnName = KerasName("simple_rnn");
                    spec = new LayerSpec(LayerKind.SimpleRnn, bidirectional is null ? rnnName : KerasName("bidirectional"), string.Empty,
                        width, layer.First, (ActivationKind)layer.Activation, sequence, layer.ReturnSequences, (int)offset)
                    {
                        Bidirectional = bidirectional is not null,
                        Merge = (MergeKind)(bidirectional?.MergeMode ?? 0),
                        GoBackwards = layer.GoBackwards,
                    };
                    break;
                default:
                    spec = new LayerSpec(LayerKind.Dense, KerasName("dense"), string.Empty, width, layer.First, (ActivationKind)layer.Activation, sequence, sequence, (int)offset);
                    break;
            }

            // The mask flows through every layer of a masked model; recurrent layers skip padding with it, and a
            // sequence output leaves padding steps out of the loss.
            spec = spec with { Identifier = PascalCase(spec.KerasName), Masked = maskZero };
            specs.Add(spec);
            offset += spec.ParameterCount;
            width = spec.OutputWidth;
            sequence = spec.OutputIsSequence;
        }

        int maxSteps = tokens ? input.InputLength : (input.HasTimesteps ? input.First : 0);
        return new ModelSpec(
            model.Namespace,
            model.ClassName,
            tokens,
            tokens ? input.First : 0,
            tokens ? 0 : input.Second,
            maxSteps,
            specs.ToEquatableArray())
        {
            ShadowedNames = model.ShadowedNames,
        };
    }

    /// <summary><c>simple_rnn_1</c> becomes <c>SimpleRnn1</c>.</summary>
    private static string PascalCase(string kerasName) =>
        string.Concat(kerasName.Split('_').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part.Substring(1)));
}
