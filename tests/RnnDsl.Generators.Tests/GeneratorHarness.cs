using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace RnnDsl.Generators.Tests;

/// <summary>Runs the generator over source text the way the compiler does, and compiles its output.</summary>
internal static class GeneratorHarness
{
    /// <summary>The latest C#, with documentation comments checked as <c>GenerateDocumentationFile</c> checks them.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    /// <summary>The runtime and the framework, as a project referencing RnnDsl has them.</summary>
    public static readonly ImmutableArray<MetadataReference> References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create(
            "UserAssembly",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Model{i}.cs")),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error,
                // Test declarations carry no documentation; the generated code's documentation is checked (CS1573 and the rest).
                specificDiagnosticOptions: new System.Collections.Generic.Dictionary<string, ReportDiagnostic> { ["CS1591"] = ReportDiagnostic.Suppress }));

    public static GeneratorDriver Driver(bool trackSteps = false, CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new RnnDslGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>RnnDsl's diagnostics (the generator's and the analyzer's), its sources, and the compiler's diagnostics on the result.</summary>
    public static Result Run(params string[] sources) => Run(Compilation(sources));

    public static Result Run(CSharpCompilation input)
    {
        var parseOptions = (CSharpParseOptions?)input.SyntaxTrees.FirstOrDefault()?.Options;
        GeneratorDriver driver = Driver(parseOptions: parseOptions).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorRunResult run = driver.GetRunResult().Results.Single();

        // The analyzer runs on the compilation with the generated code in it, as in a real build.
        return new Result(
            generatorDiagnostics.AddRange(AnalyzerDiagnostics(output)),
            run.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString()),
            output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray(),
            run.Exception,
            input.SyntaxTrees.ToDictionary(t => t.FilePath, t => t.GetText().ToString()));
    }

    /// <summary>What <see cref="RnnDslAnalyzer"/> reports on a compilation, after pragmas and severity options apply.</summary>
    public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation) =>
        compilation
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new RnnDslAnalyzer()))
            .GetAnalyzerDiagnosticsAsync()
            .GetAwaiter()
            .GetResult();

    public sealed record Result(
        ImmutableArray<Diagnostic> GeneratorDiagnostics,
        System.Collections.Generic.Dictionary<string, string> Sources,
        ImmutableArray<Diagnostic> CompilerDiagnostics,
        Exception? Exception,
        System.Collections.Generic.Dictionary<string, string> InputSources)
    {
        /// <summary>The source text a diagnostic points at.</summary>
        public string TextAt(Diagnostic diagnostic) =>
            InputSources[diagnostic.Location.GetLineSpan().Path].Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
    }
}
