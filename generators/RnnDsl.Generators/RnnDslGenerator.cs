using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnDsl.Generators.Diagnostics;
using RnnDsl.Generators.Emit;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;
using RnnDsl.Generators.Parsing;

namespace RnnDsl.Generators;

/// <summary>
/// The wiring: every class carrying a layer attribute is parsed into a <see cref="ModelDeclaration"/>,
/// validated into a <see cref="ModelResult"/>, and then split into two outputs, diagnostics and source,
/// so fixing one does not re-emit the other.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RnnDslGenerator : IIncrementalGenerator
{
    private static readonly string Version =
        typeof(RnnDslGenerator).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // 1. One provider per layer attribute; each finds the classes that carry it.
        IncrementalValuesProvider<ModelDeclaration>[] perAttribute = ModelParser.AttributeMetadataNames
            .Select(name => context.SyntaxProvider.ForAttributeWithMetadataName(
                    name,
                    predicate: static (node, _) => node is ClassDeclarationSyntax,
                    transform: static (attributeContext, cancellationToken) =>
                        ModelParser.Parse((INamedTypeSymbol)attributeContext.TargetSymbol, cancellationToken))
                .WithTrackingName(TrackingNames.Declarations))
            .ToArray();

        // 2. A class with several layer kinds is found once per kind: keep one declaration per class.
        IncrementalValueProvider<ImmutableArray<ModelDeclaration>> all = perAttribute[0].Collect();
        for (int i = 1; i < perAttribute.Length; i++)
        {
            all = all.Combine(perAttribute[i].Collect()).Select(static (pair, _) => pair.Left.AddRange(pair.Right));
        }

        IncrementalValuesProvider<ModelDeclaration> declarations = all
            .SelectMany(static (found, _) => Deduplicate(found))
            .WithTrackingName(TrackingNames.UniqueDeclarations);

        // 3. Validation turns each declaration into a spec to emit and diagnostics to report.
        IncrementalValuesProvider<ModelResult> results = declarations
            .Select(static (declaration, _) => ValidateSafely(declaration))
            .WithTrackingName(TrackingNames.Results);

        // 4a. Diagnostics.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (output, found) =>
        {
            foreach (DiagnosticInfo diagnostic in found)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        // 4b. Source, for valid models only.
        IncrementalValuesProvider<ModelSpec> specs = results
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.Specs);
        context.RegisterSourceOutput(specs, static (output, spec) =>
        {
            string source;
            try
            {
                source = ModelEmitter.Emit(spec, Version);
            }
            catch (Exception exception)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, spec.ClassName, exception.Message));
                return;
            }

            output.AddSource(ModelEmitter.HintName(spec), source);
        });
    }

    private static IEnumerable<ModelDeclaration> Deduplicate(ImmutableArray<ModelDeclaration> found)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (ModelDeclaration declaration in found.OrderBy(d => d.Namespace, StringComparer.Ordinal).ThenBy(d => d.ClassName, StringComparer.Ordinal))
        {
            if (seen.Add(declaration.Namespace + "." + declaration.ClassName))
            {
                yield return declaration;
            }
        }
    }

    private static ModelResult ValidateSafely(ModelDeclaration declaration)
    {
        try
        {
            return ModelValidator.Validate(declaration);
        }
        catch (Exception exception)
        {
            var failure = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, declaration.ClassLocation, declaration.ClassName, exception.Message);
            return new ModelResult(declaration.ClassName, null, new EquatableArray<DiagnosticInfo>(new[] { failure }));
        }
    }
}
