using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace RnnDsl.Generators.Tests.Fuzzing;

/// <summary>What one fuzz case did: the promises it broke (empty when none), and counts for the run's statistics.</summary>
internal sealed record FuzzOutcome(FuzzCase Case, ImmutableArray<FuzzProblem> Problems, int Models, int ModelsWithCode, bool FuzzerBug)
{
    /// <summary>Model classes with at least one RNN error (the invalid declarations).</summary>
    public int ModelsWithErrors { get; init; }
}

/// <summary>One broken promise: a short kind (for grouping), and the details a repro needs.</summary>
internal sealed record FuzzProblem(string Kind, string Details);

/// <summary>
/// Runs the generator over a <see cref="FuzzCase"/> the way the compiler does and checks the README's promises:
/// <list type="bullet">
/// <item>(a) the generator never throws into the compiler (no <c>GeneratorRunResult.Exception</c>, no CS8784/CS8785);</item>
/// <item>(b) the generated code adds no warning or error to the compilation (warnings are errors here, as in this repository);</item>
/// <item>(c) every RNN diagnostic points into an attribute list, or at the identifier, of a type declaration carrying a layer attribute;</item>
/// <item>(d) no RNN019 (internal failure);</item>
/// <item>(e) every class with layer attributes gets either generated code or an RNN error, never both and never neither;</item>
/// <item>(f) an RNN diagnostic inside <c>#pragma warning disable</c> of its ID is suppressed (as the driver does for a source location);</item>
/// <item>(g) a generated <c>ParameterCount</c> fits one .NET array (Array.MaxLength), so the model can be constructed.</item>
/// </list>
/// The input alone must compile without any warning; if it does not, the fuzzer is at fault and the case says so.
/// </summary>
internal static class FuzzOracle
{
    /// <summary>The largest length of a .NET array of floats (<see cref="Array.MaxLength"/>).</summary>
    private static readonly long MaxArrayLength = Array.MaxLength;

    private static readonly string[] LayerAttributeNames =
    {
        "RnnDsl.EmbeddingAttribute", "RnnDsl.InputAttribute", "RnnDsl.SimpleRnnAttribute", "RnnDsl.LstmAttribute", "RnnDsl.GruAttribute",
        "RnnDsl.BidirectionalAttribute", "RnnDsl.DenseAttribute", "RnnDsl.DropoutAttribute",
    };

    /// <summary>Every analyzer the generator assembly ships: RnnDslAnalyzer reports the RNN diagnostics.</summary>
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = typeof(RnnDslGenerator).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes<DiagnosticAnalyzerAttribute>().Any())
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    /// <summary>
    /// The case's language version, with documentation comments checked as <c>GenerateDocumentationFile</c> checks them
    /// (a generated method that documents some parameters but not others is a warning there).
    /// </summary>
    public static CSharpParseOptions ParseOptions(FuzzCase fuzzCase) => new(fuzzCase.LanguageVersion, DocumentationMode.Diagnose);

    public static CSharpCompilation Compile(FuzzCase fuzzCase)
    {
        CSharpParseOptions parseOptions = ParseOptions(fuzzCase);
        bool nullable = fuzzCase.LanguageVersion == LanguageVersion.Latest || fuzzCase.LanguageVersion >= LanguageVersion.CSharp8;
        return CSharpCompilation.Create(
            "UserAssembly",
            fuzzCase.Files.Select(f => CSharpSyntaxTree.ParseText(f.Text, parseOptions, path: f.Path)),
            GeneratorHarness.References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                // C# 7.3 has no nullable reference types: enabling them is itself an error (CS8630).
                nullableContextOptions: nullable ? NullableContextOptions.Enable : NullableContextOptions.Disable,
                generalDiagnosticOption: ReportDiagnostic.Error,
                // The user's own classes carry no documentation; every other documentation warning stays on.
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic> { ["CS1591"] = ReportDiagnostic.Suppress }));
    }

    /// <summary>The input's own warnings and errors: empty for every case the fuzzer draws.</summary>
    public static ImmutableArray<Diagnostic> InputDiagnostics(CSharpCompilation input) =>
        input.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    public static FuzzOutcome Check(FuzzCase fuzzCase)
    {
        CSharpCompilation input = Compile(fuzzCase);
        var problems = new List<FuzzProblem>();
        ImmutableArray<Diagnostic> inputDiagnostics = InputDiagnostics(input);
        if (!inputDiagnostics.IsEmpty)
        {
            problems.Add(new FuzzProblem("FUZZER BUG: the input does not compile on its own", Format(inputDiagnostics)));
            return new FuzzOutcome(fuzzCase, problems.ToImmutableArray(), 0, 0, FuzzerBug: true);
        }

        // Analyzers shipped by the generator assembly, run on the input as the compiler runs them.
        var rnnDiagnostics = new List<Diagnostic>();
        if (!Analyzers.IsEmpty)
        {
            ImmutableArray<Diagnostic> analyzerDiagnostics = input.WithAnalyzers(Analyzers)
                .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
            rnnDiagnostics.AddRange(analyzerDiagnostics.Where(IsRnn));
            foreach (Diagnostic failure in analyzerDiagnostics.Where(d => d.Id is "AD0001" or "AD0002"))
            {
                problems.Add(new FuzzProblem("(a) an analyzer threw", Format(new[] { failure })));
            }
        }

        // The generator, as the compiler runs it.
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new RnnDslGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions(fuzzCase));
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorRunResult run = driver.GetRunResult().Results.Single();

        // (a) No exception into the compiler.
        if (run.Exception is not null)
        {
            problems.Add(new FuzzProblem("(a) the generator threw " + run.Exception.GetType().Name, run.Exception.ToString()));
        }

        foreach (Diagnostic crash in generatorDiagnostics.Where(d => d.Id is "CS8784" or "CS8785"))
        {
            if (run.Exception is null)
            {
                problems.Add(new FuzzProblem("(a) " + crash.Id + " without an exception", Format(new[] { crash })));
            }
        }

        rnnDiagnostics.AddRange(generatorDiagnostics.Where(IsRnn));
        foreach (Diagnostic other in generatorDiagnostics.Where(d => !IsRnn(d) && d.Id is not ("CS8784" or "CS8785")))
        {
            problems.Add(new FuzzProblem("(a) the generator reported a non-RNN diagnostic " + other.Id, Format(new[] { other })));
        }

        // The analyzer sees the generated code beside the user's in a real build: it must report the same there.
        if (!Analyzers.IsEmpty)
        {
            string Describe(Diagnostic d) => d.Id + " " + d.Location.GetLineSpan();
            var onInput = rnnDiagnostics.Where(d => d.Location.IsInSource).Select(Describe).OrderBy(x => x, StringComparer.Ordinal).ToList();
            var onOutput = output.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult()
                .Where(IsRnn).Select(Describe).OrderBy(x => x, StringComparer.Ordinal).ToList();
            if (!onInput.SequenceEqual(onOutput, StringComparer.Ordinal))
            {
                problems.Add(new FuzzProblem("(e) the analyzer reports differently once the generated code is in the compilation",
                    "before: " + string.Join("; ", onInput) + "\nafter: " + string.Join("; ", onOutput)));
            }
        }

        // (b) The generated code adds no warning or error.
        var before = new HashSet<string>(inputDiagnostics.Select(Key), StringComparer.Ordinal);
        ImmutableArray<SyntaxTree> inputTrees = input.SyntaxTrees.ToImmutableArray();
        var generatedTrees = output.SyntaxTrees.Where(t => !inputTrees.Contains(t)).ToList();
        var added = output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && !IsRnn(d) && !before.Contains(Key(d)))
            .ToList();
        foreach (IGrouping<string, Diagnostic> byFile in added.GroupBy(d => d.Location.GetLineSpan().Path))
        {
            // Errors cascade (one bad identifier breaks a whole file): the first one in each file names the cause.
            var ordered = byFile.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal).ToList();
            string more = ordered.Count > 3 ? "\n… and " + (ordered.Count - 3).ToString(CultureInfo.InvariantCulture) + " more in this file" : string.Empty;
            problems.Add(new FuzzProblem("(b) the generated code does not compile: " + ordered[0].Id, FormatWithLines(ordered.Take(3)) + more));
        }

        // (c) Every RNN diagnostic points into the attribute or class it is about; (d) never RNN019.
        List<ModelType> models = FindModels(input);
        var errorsByModel = new Dictionary<ModelType, List<Diagnostic>>();
        foreach (Diagnostic diagnostic in rnnDiagnostics)
        {
            if (diagnostic.Id == "RNN019")
            {
                problems.Add(new FuzzProblem("(d) RNN019, the generator failed", Format(new[] { diagnostic })));
            }

            ModelType? owner = Locate(diagnostic, inputTrees, models, out string? where);
            if (owner is null)
            {
                problems.Add(new FuzzProblem("(c) " + diagnostic.Id + " points " + where, Format(new[] { diagnostic })));
                continue;
            }

            // (f) #pragma warning disable applies to RNN diagnostics as to any other.
            SyntaxTree tree = TreeOf(diagnostic, inputTrees)!;
            // The driver marks such a diagnostic IsSuppressed when it has a source location; the compiler then drops it.
            if (!diagnostic.IsSuppressed && IsDisabledByPragma(tree, diagnostic.Location.SourceSpan.Start, diagnostic.Id))
            {
                problems.Add(new FuzzProblem("(f) " + diagnostic.Id + " reported inside #pragma warning disable " + diagnostic.Id, Format(new[] { diagnostic })));
            }

            if (diagnostic.DefaultSeverity == DiagnosticSeverity.Error)
            {
                if (!errorsByModel.TryGetValue(owner, out List<Diagnostic>? list))
                {
                    errorsByModel[owner] = list = new List<Diagnostic>();
                }

                list.Add(diagnostic);
            }
        }

        // (e) Code or an error for every model class, (g) and a parameter count that fits an array. When the generator
        // threw or its code does not compile, models lose their code for that reason: (e) would only repeat it.
        bool codeBroken = problems.Any(p => p.Kind.StartsWith("(a)", StringComparison.Ordinal) || p.Kind.StartsWith("(b)", StringComparison.Ordinal));
        int withCode = 0;
        foreach (ModelType model in models)
        {
            SemanticModel semantic = output.GetSemanticModel(model.Declarations[0].SyntaxTree);
            var symbol = (INamedTypeSymbol?)semantic.GetDeclaredSymbol(model.Declarations[0]);
            bool hasCode = symbol is not null && symbol.DeclaringSyntaxReferences.Any(r => generatedTrees.Contains(r.SyntaxTree));
            bool hasError = errorsByModel.ContainsKey(model);
            withCode += hasCode ? 1 : 0;
            if (!hasCode && !hasError && !codeBroken)
            {
                problems.Add(new FuzzProblem(
                    "(e) a model class gets neither code nor an error",
                    model.Display + " (" + model.Declarations[0].Keyword.Text + ") at " + model.Declarations[0].Identifier.GetLocation().GetLineSpan()));
            }
            else if (hasCode && hasError)
            {
                problems.Add(new FuzzProblem("(e) a model class gets code despite an error", model.Display + ": " + Format(errorsByModel[model])));
            }

            if (hasCode && symbol!.GetMembers("ParameterCount").OfType<IFieldSymbol>().FirstOrDefault() is { HasConstantValue: true } count
                && Convert.ToInt64(count.ConstantValue, CultureInfo.InvariantCulture) > MaxArrayLength)
            {
                problems.Add(new FuzzProblem(
                    "(g) ParameterCount exceeds Array.MaxLength",
                    model.Display + ": ParameterCount = " + Convert.ToInt64(count.ConstantValue, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture)
                        + " > " + MaxArrayLength.ToString("N0", CultureInfo.InvariantCulture) + "; new float[ParameterCount] throws"));
            }
        }

        return new FuzzOutcome(fuzzCase, problems.ToImmutableArray(), models.Count, withCode, FuzzerBug: false) { ModelsWithErrors = errorsByModel.Count };
    }

    // ---- Models in the input ------------------------------------------------------------------------------

    /// <summary>A type with layer attributes, and those of its declarations that carry them.</summary>
    private sealed record ModelType(string Display, ImmutableArray<TypeDeclarationSyntax> Declarations);

    private static List<ModelType> FindModels(CSharpCompilation input)
    {
        var layerTypes = LayerAttributeNames.Select(input.GetTypeByMetadataName).Where(t => t is not null).ToList();
        var byType = new Dictionary<ISymbol, List<TypeDeclarationSyntax>>(SymbolEqualityComparer.Default);
        foreach (SyntaxTree tree in input.SyntaxTrees)
        {
            SemanticModel semantic = input.GetSemanticModel(tree);
            foreach (TypeDeclarationSyntax declaration in tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>())
            {
                bool carries = declaration.AttributeLists.SelectMany(list => list.Attributes).Any(attribute =>
                    semantic.GetSymbolInfo(attribute).Symbol is IMethodSymbol constructor
                    && layerTypes.Contains(constructor.ContainingType, SymbolEqualityComparer.Default));
                if (carries && semantic.GetDeclaredSymbol(declaration) is { } symbol)
                {
                    if (!byType.TryGetValue(symbol, out List<TypeDeclarationSyntax>? list))
                    {
                        byType[symbol] = list = new List<TypeDeclarationSyntax>();
                    }

                    list.Add(declaration);
                }
            }
        }

        return byType.Select(entry => new ModelType(entry.Key.ToDisplayString(), entry.Value.ToImmutableArray())).ToList();
    }

    /// <summary>The model whose attribute list or identifier the diagnostic points into, or null with the reason.</summary>
    private static ModelType? Locate(Diagnostic diagnostic, ImmutableArray<SyntaxTree> inputTrees, List<ModelType> models, out string? where)
    {
        SyntaxTree? tree = TreeOf(diagnostic, inputTrees);
        if (tree is null)
        {
            where = diagnostic.Location == Location.None ? "nowhere (Location.None)" : "outside the input files (" + diagnostic.Location.GetLineSpan().Path + ")";
            return null;
        }

        TextSpan span = diagnostic.Location.SourceSpan;
        if (span.End > tree.Length || span.Length == 0)
        {
            where = "at an empty or out-of-range span " + span;
            return null;
        }

        foreach (ModelType model in models)
        {
            foreach (TypeDeclarationSyntax declaration in model.Declarations.Where(d => d.SyntaxTree.FilePath == tree.FilePath))
            {
                if (declaration.Identifier.Span.Contains(span)
                    || declaration.AttributeLists.Any(list => list.Span.Contains(span)))
                {
                    where = null;
                    return model;
                }
            }
        }

        string text = tree.GetText().ToString(span);
        where = "outside every model's attribute lists and identifier: '" + (text.Length > 80 ? text.Substring(0, 80) + "…" : text) + "'";
        return null;
    }

    /// <summary>The input tree a diagnostic is in: by its tree, or (for a location made from a path) by path.</summary>
    private static SyntaxTree? TreeOf(Diagnostic diagnostic, ImmutableArray<SyntaxTree> inputTrees)
    {
        Location location = diagnostic.Location;
        if (location.IsInSource)
        {
            return inputTrees.Contains(location.SourceTree!) ? location.SourceTree : null;
        }

        if (location.Kind == LocationKind.ExternalFile)
        {
            string path = location.GetLineSpan().Path;
            return inputTrees.FirstOrDefault(t => t.FilePath == path);
        }

        return null;
    }

    /// <summary>Whether <c>#pragma warning disable</c> (of this ID, or of all) is in force at a position.</summary>
    private static bool IsDisabledByPragma(SyntaxTree tree, int position, string id)
    {
        bool disabled = false;
        foreach (PragmaWarningDirectiveTriviaSyntax pragma in tree.GetRoot().DescendantTrivia()
            .Where(t => t.IsKind(SyntaxKind.PragmaWarningDirectiveTrivia))
            .Select(t => (PragmaWarningDirectiveTriviaSyntax)t.GetStructure()!)
            .Where(p => p.SpanStart < position)
            .OrderBy(p => p.SpanStart))
        {
            bool applies = pragma.ErrorCodes.Count == 0 || pragma.ErrorCodes.Any(code => code.ToString().Trim() == id);
            if (applies)
            {
                disabled = pragma.DisableOrRestoreKeyword.IsKind(SyntaxKind.DisableKeyword);
            }
        }

        return disabled;
    }

    // ---- Formatting ---------------------------------------------------------------------------------------

    private static bool IsRnn(Diagnostic diagnostic) => diagnostic.Id.StartsWith("RNN", StringComparison.Ordinal);

    private static string Key(Diagnostic d) =>
        d.Id + "|" + d.Location.GetLineSpan() + "|" + d.GetMessage(CultureInfo.InvariantCulture);

    private static string Format(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d =>
        {
            string text = d.Location.IsInSource ? " at '" + Shorten(d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan)) + "'" : string.Empty;
            return d.Id + " " + d.Location.GetLineSpan() + text + ": " + d.GetMessage(CultureInfo.InvariantCulture);
        }));

    /// <summary>Each diagnostic with the generated line it is on.</summary>
    private static string FormatWithLines(IEnumerable<Diagnostic> diagnostics)
    {
        var text = new StringBuilder();
        foreach (Diagnostic d in diagnostics)
        {
            text.Append(d.Id).Append(' ').Append(d.Location.GetLineSpan()).Append(": ").Append(d.GetMessage(CultureInfo.InvariantCulture)).Append('\n');
            if (d.Location.IsInSource)
            {
                SourceText source = d.Location.SourceTree!.GetText();
                TextLine line = source.Lines.GetLineFromPosition(d.Location.SourceSpan.Start);
                text.Append("    | ").Append(Shorten(line.ToString().Trim())).Append('\n');
            }
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string Shorten(string text) => text.Length > 160 ? text.Substring(0, 160) + "…" : text;
}
