using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using RnnDsl.Generators.Diagnostics;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Parsing;

/// <summary>
/// One reader per RnnDsl attribute, reading its arguments by their real names (constructor parameters and
/// properties alike) and types. Arguments the user left out keep the attribute's defaults.
/// </summary>
internal static class AttributeReaders
{
    public const string AttributeNamespace = "RnnDsl";

    private static readonly Dictionary<string, Func<Arguments, LocationInfo?, AttributeDeclaration>> Readers = new(StringComparer.Ordinal)
    {
        ["EmbeddingAttribute"] = (a, at) => new EmbeddingDeclaration(at, a.Int("inputDim"), a.Int("outputDim"), a.Bool("MaskZero"), a.Int("InputLength")),
        ["InputAttribute"] = (a, at) => new InputDeclaration(at, a.Has("timesteps"), a.Int("timesteps"), a.Int("features"), a.Bool("MaskZero")),
        ["SimpleRnnAttribute"] = (a, at) => new SimpleRnnDeclaration(at, a.Int("units"), a.Int("activation", (int)ActivationKind.Tanh), a.Bool("ReturnSequences"), a.Bool("GoBackwards"))
        {
            InputDropout = a.Float("Dropout"),
            RecurrentDropout = a.Float("RecurrentDropout"),
        },
        ["LstmAttribute"] = (a, at) => new LstmDeclaration(at, a.Int("units"), a.Int("activation", (int)ActivationKind.Tanh), a.Int("recurrentActivation", (int)ActivationKind.Sigmoid),
            a.Bool("ReturnSequences"), a.Bool("GoBackwards"), a.Bool("UnitForgetBias", true))
        {
            InputDropout = a.Float("Dropout"),
            RecurrentDropout = a.Float("RecurrentDropout"),
        },
        ["GruAttribute"] = (a, at) => new GruDeclaration(at, a.Int("units"), a.Int("activation", (int)ActivationKind.Tanh), a.Int("recurrentActivation", (int)ActivationKind.Sigmoid),
            a.Bool("ReturnSequences"), a.Bool("GoBackwards"), a.Bool("ResetAfter", true))
        {
            InputDropout = a.Float("Dropout"),
            RecurrentDropout = a.Float("RecurrentDropout"),
        },
        ["BidirectionalAttribute"] = (a, at) => new BidirectionalDeclaration(at, a.Int("mergeMode", (int)MergeKind.Concat)),
        ["DropoutAttribute"] = (a, at) => new DropoutDeclaration(at, a.Float("rate")),
        ["DenseAttribute"] = (a, at) => new DenseDeclaration(at, a.Int("units"), a.Int("activation", (int)ActivationKind.Linear)),
    };

    /// <summary>
    /// The full metadata names of the layer attributes, in the order that decides which attribute's pipeline
    /// owns a class that carries several (see <see cref="RnnDslGenerator"/>).
    /// </summary>
    public static readonly string[] MetadataNames =
    {
        "RnnDsl.EmbeddingAttribute",
        "RnnDsl.InputAttribute",
        "RnnDsl.SimpleRnnAttribute",
        "RnnDsl.LstmAttribute",
        "RnnDsl.GruAttribute",
        "RnnDsl.BidirectionalAttribute",
        "RnnDsl.DenseAttribute",
        "RnnDsl.DropoutAttribute",
    };

    /// <summary>Whether <paramref name="attribute"/> is one of RnnDsl's layer attributes.</summary>
    public static bool IsLayerAttribute(INamedTypeSymbol? attribute) =>
        attribute is not null
        && Readers.ContainsKey(attribute.Name)
        && attribute.ContainingNamespace is { Name: AttributeNamespace, ContainingNamespace.IsGlobalNamespace: true };

    /// <summary>The declaration an attribute makes, or null when it is not a layer attribute or the compiler already rejects it.</summary>
    public static AttributeDeclaration? Read(AttributeData attribute, LocationInfo? location)
    {
        if (!IsLayerAttribute(attribute.AttributeClass) || attribute.AttributeConstructor is null)
        {
            return null;
        }

        return Readers[attribute.AttributeClass!.Name](Arguments.Of(attribute), location);
    }

    /// <summary>An attribute's arguments by name: constructor arguments under their parameter names, then named ones.</summary>
    internal sealed class Arguments
    {
        private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

        public static Arguments Of(AttributeData attribute)
        {
            var arguments = new Arguments();
            var parameters = attribute.AttributeConstructor!.Parameters;
            for (int i = 0; i < parameters.Length && i < attribute.ConstructorArguments.Length; i++)
            {
                arguments.Add(parameters[i].Name, attribute.ConstructorArguments[i]);
            }

            foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            {
                arguments.Add(named.Key, named.Value);
            }

            return arguments;
        }

        private void Add(string name, TypedConstant value)
        {
            if (value.Kind != TypedConstantKind.Error && value.Kind != TypedConstantKind.Array && value.Value is not null)
            {
                _values[name] = value.Value;
            }
        }

        public bool Has(string name) => _values.ContainsKey(name);

        public int Int(string name, int fallback = 0) => _values.TryGetValue(name, out object? value) && value is int number ? number : fallback;

        public bool Bool(string name, bool fallback = false) => _values.TryGetValue(name, out object? value) && value is bool flag ? flag : fallback;

        /// <summary>A float argument; the compiler has already converted int and float literals to the parameter's type.</summary>
        public float Float(string name, float fallback = 0f) => _values.TryGetValue(name, out object? value) switch
        {
            true when value is float single => single,
            true when value is double number => (float)number,
            _ => fallback,
        };
    }
}
