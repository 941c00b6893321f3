using System;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnDsl.Generators.Emit;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;
using RnnDsl.Generators.Parsing;

namespace RnnDsl.Generators;

/// <summary>
/// The wiring. Each layer attribute has a <c>ForAttributeWithMetadataName</c> pipeline; a class carrying several
/// kinds is owned by exactly one of them (the first kind in <see cref="AttributeReaders.MetadataNames"/> it carries,
/// on its first declaration that carries it), so every model class flows through one pipeline of its own:
/// declaration → spec → source, and an edit to one model re-runs that model only. The only thing the models
/// share is the list of their names, so that two whose file names differ only in case still get distinct files.
/// Diagnostics come from <see cref="RnnDslAnalyzer"/>, which runs the same parser and validator, so that
/// <c>#pragma warning</c> and <c>.editorconfig</c> severities apply to them.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RnnDslGenerator : IIncrementalGenerator
{
    internal static readonly string Version =
        typeof(RnnDslGenerator).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // 0. What the whole project decides about names (global usings, types that hide runtime names), once per compilation.
        IncrementalValueProvider<GlobalScope> scope = context.CompilationProvider
            .Select(static (compilation, cancellationToken) => Names.GlobalScopeOf(compilation, cancellationToken))
            .WithTrackingName(TrackingNames.Scope);

        // 1. Per attribute kind: the classes that kind owns, parsed and validated. Invalid models stop here.
        IncrementalValuesProvider<ModelSpec>[] specs = AttributeReaders.MetadataNames
            .Select(name => context.SyntaxProvider.ForAttributeWithMetadataName(
                    name,
                    predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    transform: (attributeContext, cancellationToken) => Owns(attributeContext, name, cancellationToken)
                        ? ModelParser.Parse((INamedTypeSymbol)attributeContext.TargetSymbol, attributeContext.SemanticModel.Compilation, cancellationToken)
                        : null)
                .Where(static declaration => declaration is not null)
                .WithTrackingName(TrackingNames.Declarations)
                .Combine(scope)
                .Select(static (pair, _) => ValidateSafely(ModelParser.InScope(pair.Left!, pair.Right)))
                .Where(static spec => spec is not null)
                .Select(static (spec, _) => spec!)
                .WithTrackingName(TrackingNames.Specs))
            .ToArray();

        // 2. The full names of all valid models, for file names that are unique ignoring case.
        IncrementalValueProvider<EquatableArray<string>> names = specs
            .Select(provider => provider.Select(static (spec, _) => spec.FullName).Collect())
            .Aggregate((left, right) => left.Combine(right).Select(static (pair, _) => pair.Left.AddRange(pair.Right)))
            .Select(static (all, _) => all.OrderBy(n => n, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.ModelNames);

        // 3. Source, one file per model.
        foreach (IncrementalValuesProvider<ModelSpec> provider in specs)
        {
            IncrementalValuesProvider<ModelSpec> named = provider
                .Combine(names)
                .Select(static (pair, _) => pair.Left with { HintName = HintNames.For(pair.Left.FullName, pair.Right) })
                .WithTrackingName(TrackingNames.Outputs);
            context.RegisterSourceOutput(named, static (output, spec) =>
            {
                if (EmitSafely(spec) is { } source)
                {
                    output.AddSource(spec.HintName, source);
                }
            });
        }
    }

    /// <summary>
    /// Whether the pipeline of attribute <paramref name="metadataName"/> owns this class: the target is the class's first
    /// declaration that carries layer attributes (<see cref="ModelParser.LayerDeclarations"/>), and this is the first kind,
    /// in <see cref="AttributeReaders.MetadataNames"/> order, among the attributes on it. Exactly one pipeline sees that pair.
    /// </summary>
    private static bool Owns(GeneratorAttributeSyntaxContext context, string metadataName, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        if (ModelParser.LayerDeclarations(type, cancellationToken).FirstOrDefault() != context.TargetNode)
        {
            return false;
        }

        string? owner = AttributeReaders.MetadataNames.FirstOrDefault(name => type.GetAttributes().Any(a =>
            AttributeReaders.IsLayerAttribute(a.AttributeClass)
            && a.AttributeClass!.ToDisplayString() == name
            && a.ApplicationSyntaxReference?.GetSyntax(cancellationToken).Parent?.Parent == context.TargetNode));
        return owner == metadataName;
    }

    /// <summary>The spec of a valid model, or null; the analyzer reports why a model is not valid.</summary>
    internal static ModelSpec? ValidateSafely(ModelDeclaration declaration)
    {
        try
        {
            return ModelValidator.Validate(declaration).Spec;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return null; // the analyzer reports RNN019 for it
        }
    }

    /// <summary>The generated source, or null when emission fails (the analyzer reports RNN019 at the model).</summary>
    internal static string? EmitSafely(ModelSpec spec)
    {
        try
        {
            return ModelEmitter.Emit(spec, Version);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return null;
        }
    }
}
