using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using RnnDsl.Generators.Cells;
using RnnDsl.Generators.Diagnostics;
using RnnDsl.Generators.Emit;
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
    /// <summary>The longest array .NET allocates (<c>Array.MaxLength</c>), and so the most parameters one buffer holds.</summary>
    public const long MaxArrayLength = 2_147_483_591;

    /// <summary>The oldest C# the generated code compiles under (it uses a file-scoped namespace): C# 10, as Roslyn numbers it.</summary>
    public const int MinimumLanguageVersion = 1000;

    public static ModelResult Validate(ModelDeclaration model)
    {
        var diagnostics = new List<DiagnosticInfo>();
        void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments) =>
            diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

        string name = model.ClassName;
        if (model.Failure is not null)
        {
            Report(DiagnosticDescriptors.InternalError, model.ClassLocation, name, model.Failure);
            return new ModelResult(null, diagnostics.ToEquatableArray());
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

        if (model.IsFileLocal)
        {
            Report(DiagnosticDescriptors.FileLocalModel, model.ClassLocation, name);
        }

        if (model.Shape == TypeShape.Record)
        {
            Report(DiagnosticDescriptors.RecordModel, model.ClassLocation, name);
        }

        if (model.LayersInSeveralParts)
        {
            Report(DiagnosticDescriptors.LayersInSeveralParts, model.ClassLocation, name);
        }

        if (model.LanguageVersion < MinimumLanguageVersion)
        {
            Report(DiagnosticDescriptors.LanguageVersionTooOld, model.ClassLocation, name, FormatLanguageVersion(model.LanguageVersion));
        }

        foreach (string hiding in model.HidingTypes)
        {
            int colon = hiding.IndexOf(':');
            Report(DiagnosticDescriptors.TypeHidesRuntimeName, model.ClassLocation, name, hiding.Substring(0, colon), hiding.Substring(colon + 2));
        }

        // Each attribute list: exactly one layer, optionally wrapped by Bidirectional.
        var layers = new List<(AttributeDeclaration Layer, BidirectionalDeclaration? Bidirectional)>();
        foreach (LayerDeclaration list in model.Layers)
        {
            BidirectionalDeclaration? bidirectional = null;
            AttributeDeclaration? layer = null;
            foreach (AttributeDeclaration attribute in list.Attributes)
            {
                AttributeDeclaration? previous = attribute is BidirectionalDeclaration ? bidirectional : layer;
                if (previous is not null)
                {
                    Report(DiagnosticDescriptors.SeveralLayersInOneList, attribute.Location, name, previous.Describe(), attribute.Describe());
                    continue;
                }

                if (attribute is BidirectionalDeclaration wrapper)
                {
                    bidirectional = wrapper;
                }
                else
                {
                    layer = attribute;
                }
            }

            if (bidirectional is not null && layer is not RecurrentDeclaration)
            {
                Report(DiagnosticDescriptors.BidirectionalWithoutRecurrent, bidirectional.Location, name);
            }

            if (layer is not null)
            {
                layers.Add((layer, layer is RecurrentDeclaration ? bidirectional : null));
            }
        }

        // Input layer first, exactly once.
        static bool IsInput(AttributeDeclaration a) => a is EmbeddingDeclaration or InputDeclaration;
        if (layers.Count > 0 && !IsInput(layers[0].Layer) && !layers.Any(l => IsInput(l.Layer)))
        {
            Report(DiagnosticDescriptors.MissingInputLayer, layers[0].Layer.Location, name, layers[0].Layer.Describe());
        }

        for (int i = 1; i < layers.Count; i++)
        {
            if (IsInput(layers[i].Layer))
            {
                if (IsInput(layers[0].Layer))
                {
                    Report(DiagnosticDescriptors.RepeatedInputLayer, layers[i].Layer.Location, name, layers[i].Layer.Describe());
                }
                else
                {
                    Report(DiagnosticDescriptors.InputLayerNotFirst, layers[i].Layer.Location, name, layers[i].Layer.Describe(), i + 1);
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
            if (layer is RecurrentDeclaration recurrent)
            {
                if (!sequence && previousLayer is not null)
                {
                    Report(DiagnosticDescriptors.RecurrentAfterVector, layer.Location, name, layer.Describe(), previousLayer.Describe());
                }

                sequence = recurrent.ReturnSequences;
            }

            previousLayer = layer;
        }

        bool hasErrors = diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
        ModelSpec? spec = hasErrors || layers.Count == 0 ? null : BuildSpec(model, layers);

        // The flat parameter buffer is one float array, so its length must fit the largest array .NET allocates.
        if (spec is not null && spec.ParameterCount > MaxArrayLength)
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
                spec.ParameterCount == long.MaxValue ? "more than 9,223,372,036,854,775,807" : spec.ParameterCount.ToString("N0", CultureInfo.InvariantCulture),
                layers[largest].Layer.Describe());
            spec = null;
        }

        long workingMemory = spec is null ? 0 : WorkingMemoryPerStep(spec);
        if (workingMemory > int.MaxValue)
        {
            Report(DiagnosticDescriptors.TooMuchWorkingMemory, layers[0].Layer.Location, name, workingMemory.ToString("N0", CultureInfo.InvariantCulture));
            spec = null;
        }

        var generated = spec is null ? new HashSet<string>() : new HashSet<string>(Members.Of(spec), StringComparer.Ordinal);
        if (spec is not null && generated.Contains(name))
        {
            Report(DiagnosticDescriptors.ClassNamedLikeGeneratedMember, model.ClassLocation, name);
            spec = null;
        }

        if (spec is not null)
        {
            string[] clashes = model.UserMembers.Where(generated.Contains).ToArray();
            if (clashes.Length > 0)
            {
                Report(DiagnosticDescriptors.MemberNamedLikeGeneratedMember, model.ClassLocation, name,
                    string.Join("', '", clashes.Select(c => c.StartsWith("constructor(", StringComparison.Ordinal) ? name + c.Substring("constructor".Length) : c)));
                spec = null;
            }
        }

        return new ModelResult(spec, diagnostics.ToEquatableArray());
    }

    private static string FormatLanguageVersion(int version) =>
        version < 100 ? Text.Invariant($"{version}")
        : version % 100 == 0 ? Text.Invariant($"{version / 100}")
        : Text.Invariant($"{version / 100}.{version % 100}");

    /// <summary>
    /// A bound on the floats of per-thread scratch a training step uses per step and for transposed weights:
    /// every layer's input, output and states with their gradients, at most eight widths per layer.
    /// The generated code sizes its scratch with int arithmetic, so this must fit an int.
    /// </summary>
    private static long WorkingMemoryPerStep(ModelSpec spec)
    {
        long total = 0;
        foreach (LayerSpec layer in spec.Layers)
        {
            total = Checked.Add(total, Checked.Multiply(8, (long)layer.InputWidth + layer.OutputWidth + layer.Units));
            if (layer.Kind == LayerKind.Recurrent)
            {
                // Per direction: the gates, the cell's step scratch and the extra state vectors, each with its gradient
                // (and the recurrent projection's gradient); then the transposed kernels.
                long gateWidth = Checked.Multiply(layer.Cell!.Gates, (long)layer.Units);
                long perDirection = Checked.Add(
                    Checked.Add(Checked.Multiply(3, gateWidth), Checked.Multiply(gateWidth, System.Math.Max((long)layer.Units, layer.InputWidth))), // and the packed kernels
                    Checked.Multiply(2, Checked.Multiply((long)layer.Cell.StepScratch + layer.Cell.StateVectors.Count, layer.Units)));
                total = Checked.Add(total, Checked.Multiply(layer.Bidirectional ? 2 : 1, perDirection));
                total = Checked.Add(total, Checked.Multiply(gateWidth, (long)layer.Units + layer.InputWidth));
            }
        }

        return total;
    }

    private static void CheckArguments(
        AttributeDeclaration layer,
        BidirectionalDeclaration? bidirectional,
        string model,
        Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        void Positive(string argument, int value)
        {
            if (value < 1)
            {
                report(DiagnosticDescriptors.NonPositiveSize, layer.Location, new object[] { model, layer.Describe(), argument, value });
            }
        }

        void Rate(string argument, float value)
        {
            if (!(value >= 0f && value < 1f))
            {
                report(DiagnosticDescriptors.DropoutRateOutOfRange, layer.Location, new object[] { model, layer.Describe(), argument, Text.Float(value) });
            }
        }

        switch (layer)
        {
            case EmbeddingDeclaration embedding:
                Positive("inputDim", embedding.InputDim);
                Positive("outputDim", embedding.OutputDim);
                if (embedding.InputLength != 0)
                {
                    Positive("InputLength", embedding.InputLength);
                }

                break;
            case InputDeclaration input:
                if (input.HasTimesteps)
                {
                    Positive("timesteps", input.Timesteps);
                }

                Positive("features", input.Features);
                if (input.MaskZero)
                {
                    report(DiagnosticDescriptors.MaskZeroWithoutEmbedding, layer.Location, new object[] { model });
                }

                break;
            case RecurrentDeclaration recurrent:
                Positive("units", recurrent.Units);
                Rate("Dropout", recurrent.InputDropout);
                Rate("RecurrentDropout", recurrent.RecurrentDropout);
                CheckActivation(layer, recurrent.Activation, model, report);
                if (recurrent.Activation == (int)ActivationKind.Softmax)
                {
                    report(DiagnosticDescriptors.UnsupportedRecurrentActivation, layer.Location, new object[] { model, layer.Describe() });
                }

                int? gateActivation = recurrent switch
                {
                    LstmDeclaration lstm => lstm.RecurrentActivation,
                    GruDeclaration gru => gru.RecurrentActivation,
                    _ => null,
                };
                if (gateActivation is int gates)
                {
                    if (!Enum.IsDefined(typeof(ActivationKind), gates))
                    {
                        report(DiagnosticDescriptors.UnknownEnumValue, layer.Location, new object[]
                        {
                            model, layer.Describe(), "recurrentActivation", gates, EnumNames<ActivationKind>("Activation"),
                        });
                    }
                    else if (gates == (int)ActivationKind.Softmax)
                    {
                        report(DiagnosticDescriptors.UnsupportedGateActivation, layer.Location, new object[] { model, layer.Describe() });
                    }
                }

                if (bidirectional is not null)
                {
                    if (recurrent.GoBackwards)
                    {
                        report(DiagnosticDescriptors.GoBackwardsInsideBidirectional, layer.Location, new object[] { model, layer.Describe() });
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
            case DropoutDeclaration dropout:
                Rate("rate", dropout.Rate);
                break;
            case DenseDeclaration dense:
                Positive("units", dense.Units);
                CheckActivation(layer, dense.Activation, model, report);
                if (dense.Activation == (int)ActivationKind.Softmax && dense.Units == 1)
                {
                    report(DiagnosticDescriptors.SoftmaxOnOneUnit, layer.Location, new object[] { model, layer.Describe() });
                }

                break;
        }
    }

    private static void CheckActivation(
        AttributeDeclaration layer,
        int activation,
        string model,
        Action<DiagnosticDescriptor, LocationInfo?, object[]> report)
    {
        if (!Enum.IsDefined(typeof(ActivationKind), activation))
        {
            report(DiagnosticDescriptors.UnknownEnumValue, layer.Location, new object[]
            {
                model, layer.Describe(), "activation", activation, EnumNames<ActivationKind>("Activation"),
            });
        }
    }

    private static string EnumNames<T>(string prefix) =>
        string.Join(", ", Enum.GetNames(typeof(T)).Select(n => prefix + "." + n));

    /// <summary>Resolves sizes, Keras layer names and the weights (and so the parameter offsets) of a valid declaration.</summary>
    private static ModelSpec BuildSpec(ModelDeclaration model, List<(AttributeDeclaration Layer, BidirectionalDeclaration? Bidirectional)> layers)
    {
        var counters = new Dictionary<string, int>();
        string KerasName(string baseName)
        {
            counters.TryGetValue(baseName, out int count);
            counters[baseName] = count + 1;
            return count == 0 ? baseName : Text.Invariant($"{baseName}_{count}");
        }

        AttributeDeclaration input = layers[0].Layer;
        bool tokens = input is EmbeddingDeclaration;
        var mask = input is EmbeddingDeclaration { MaskZero: true } ? new MaskSpec(MaskKind.TokenZero) : MaskSpec.None;
        var specs = new List<LayerSpec>();
        long offset = 0; // saturating; a model whose total passes the largest array is rejected after this
        int width = input switch
        {
            EmbeddingDeclaration embedding => embedding.OutputDim,
            InputDeclaration real => real.Features,
            _ => 0,
        };
        bool sequence = true;
        foreach (var (layer, bidirectional) in layers)
        {
            LayerSpec spec;
            switch (layer)
            {
                case EmbeddingDeclaration embedding:
                {
                    string kerasName = KerasName("embedding");
                    spec = new LayerSpec(LayerKind.Embedding, kerasName, Format.Pascal(kerasName), embedding.InputDim, embedding.OutputDim, ActivationKind.Linear, true, true)
                    {
                        Weights = LayerWeights.Embedding(kerasName, embedding.InputDim, embedding.OutputDim, offset),
                    };
                    break;
                }

                case InputDeclaration real:
                {
                    string kerasName = KerasName("input_layer");
                    spec = new LayerSpec(LayerKind.Input, kerasName, Format.Pascal(kerasName), real.Features, real.Features, ActivationKind.Linear, true, true);
                    break;
                }

                case RecurrentDeclaration recurrent:
                {
                    CellSpec cell = CellRegistry.Describe(recurrent);

                    // Keras names the wrapped layer before the wrapper, so both counters advance.
                    string wrappedName = KerasName(cell.KerasLayerName);
                    string kerasName = bidirectional is null ? wrappedName : KerasName("bidirectional");
                    string identifier = Format.Pascal(kerasName);
                    var weights = new List<WeightSpec>();
                    long position = offset;
                    foreach (string direction in bidirectional is null ? new[] { string.Empty } : new[] { WeightSpec.Forward, WeightSpec.Backward })
                    {
                        var names = new RecurrentNames(kerasName, wrappedName, identifier, direction);
                        foreach (WeightSpec weight in CellRegistry.Weights(cell, names, width, recurrent.Units, position))
                        {
                            weights.Add(weight);
                            position = Checked.Add(position, weight.Length);
                        }
                    }

                    spec = new LayerSpec(LayerKind.Recurrent, kerasName, identifier, width, recurrent.Units, cell.Activation, sequence, recurrent.ReturnSequences)
                    {
                        Cell = cell,
                        Bidirectional = bidirectional is not null,
                        WrappedKerasName = wrappedName,
                        Merge = (MergeKind)(bidirectional?.MergeMode ?? 0),
                        GoBackwards = recurrent.GoBackwards,
                        DropoutRate = recurrent.InputDropout,
                        RecurrentDropout = recurrent.RecurrentDropout,
                        Weights = weights.ToEquatableArray(),
                    };
                    break;
                }

                case DropoutDeclaration dropout:
                {
                    string kerasName = KerasName("dropout");
                    spec = new LayerSpec(LayerKind.Dropout, kerasName, Format.Pascal(kerasName), width, width, ActivationKind.Linear, sequence, sequence)
                    {
                        DropoutRate = dropout.Rate,
                    };
                    break;
                }

                default:
                {
                    var dense = (DenseDeclaration)layer;
                    string kerasName = KerasName("dense");
                    spec = new LayerSpec(LayerKind.Dense, kerasName, Format.Pascal(kerasName), width, dense.Units, (ActivationKind)dense.Activation, sequence, sequence)
                    {
                        Weights = LayerWeights.Dense(kerasName, width, dense.Units, offset),
                    };
                    break;
                }
            }

            // The mask flows through every layer of a masked model; recurrent layers skip padding with it, and a
            // sequence output leaves padding steps out of the loss.
            spec = spec with { Masked = mask.IsMasked };
            specs.Add(spec);
            offset = Checked.Add(offset, spec.ParameterCount);
            width = spec.OutputWidth;
            sequence = spec.OutputIsSequence;
        }

        int maxSteps = input switch
        {
            EmbeddingDeclaration embedding => embedding.InputLength,
            InputDeclaration { HasTimesteps: true } real => real.Timesteps,
            _ => 0,
        };
        return new ModelSpec(
            model.Namespace,
            model.ClassName,
            tokens,
            (input as EmbeddingDeclaration)?.InputDim ?? 0,
            (input as InputDeclaration)?.Features ?? 0,
            maxSteps,
            specs.ToEquatableArray())
        {
            NamespaceSyntax = model.NamespaceSyntax,
            ClassSyntax = Identifiers.Escape(model.ClassName),
            Names = model.Names,
            Mask = mask,
            IsAbstract = model.IsAbstract,
        };
    }
}
