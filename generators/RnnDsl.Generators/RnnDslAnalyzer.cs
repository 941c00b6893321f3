using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RnnDsl.Generators.Diagnostics;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;
using RnnDsl.Generators.Parsing;

namespace RnnDsl.Generators;

/// <summary>
/// Reports every RnnDsl diagnostic. It runs the generator's own parser and validator on each class that carries a
/// layer attribute, and reports at locations in the user's syntax trees, so that <c>#pragma warning disable</c>,
/// <c>.editorconfig</c> severities and warnings-as-errors settings apply as they do to the compiler's warnings
/// (a generator's diagnostics cannot point into a tree without holding the tree in its pipeline).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RnnDslAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = DiagnosticDescriptors.All.ToImmutableArray();

    public override void Initialize(AnalysisContext context)
    {
        // A model declared in a file that looks generated (an auto-generated header, *.g.cs) is still a model the
        // generator reads, so its diagnostics are reported too.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // What the whole project decides about names is computed once per compilation, not per model.
            var scope = new System.Lazy<GlobalScope>(() => Names.GlobalScopeOf(start.Compilation, start.CancellationToken));
            start.RegisterSymbolAction(symbol => Analyze(symbol, scope), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, System.Lazy<GlobalScope> scope)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!type.GetAttributes().Any(a => AttributeReaders.IsLayerAttribute(a.AttributeClass)))
        {
            return;
        }

        ModelDeclaration declaration = ModelParser.InScope(ModelParser.Parse(type, context.Compilation, context.CancellationToken), scope.Value);
        EquatableArray<DiagnosticInfo> diagnostics;
        try
        {
            ModelResult result = ModelValidator.Validate(declaration);
            diagnostics = result.Diagnostics;

            // The generator emits every valid model; if that fails, this is where the user hears of it.
            if (result.Spec is { } spec && RnnDslGenerator.EmitSafely(spec) is null)
            {
                diagnostics = new EquatableArray<DiagnosticInfo>(diagnostics.Append(
                    DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, declaration.ClassLocation, declaration.ClassName, "emitting the code failed")).ToArray());
            }
        }
        catch (System.Exception exception) when (exception is not System.OperationCanceledException)
        {
            diagnostics = new EquatableArray<DiagnosticInfo>(new[]
            {
                DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, declaration.ClassLocation, declaration.ClassName, exception.GetType().Name + ": " + exception.Message),
            });
        }

        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic(context.Compilation));
        }
    }
}
