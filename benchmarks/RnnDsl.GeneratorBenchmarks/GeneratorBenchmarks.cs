using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RnnDsl.GeneratorBenchmarks;

/// <summary>
/// The generator itself, driven as the compiler drives it (a <c>CSharpGeneratorDriver</c> over a compilation), on a
/// project holding the tutorial models and their LSTM/GRU variants plus a file of ordinary code:
/// <list type="bullet">
/// <item><c>Cold</c>: a new driver, every model generated (a clean build, or the IDE opening the project);</item>
/// <item><c>UnrelatedEdit</c>: a warm driver after an edit to the ordinary file (typing elsewhere in the project: every
/// step after parsing should come from the cache);</item>
/// <item><c>ModelEdit</c>: a warm driver after one model's units change (only that model is generated again).</item>
/// </list>
/// As Mapperly benchmarks its generator. MemoryDiagnoser shows what each run allocates.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private const string Models = """
        using RnnDsl;
        using static RnnDsl.Activation;

        namespace Tutorials;

        [Embedding(10000, 32)]
        [Bidirectional, SimpleRnn(64)]
        [Dense(1, Sigmoid)]
        public partial class SentimentModel { }

        [Embedding(10000, 32)]
        [SimpleRnn(64)]
        [Dense(1, Sigmoid)]
        public partial class SimpleClassifier { }

        [Input(10, 1)]
        [SimpleRnn(32)]
        [Dense(1)]
        public partial class Forecaster { }

        [Embedding(10000, 32)]
        [Lstm(128)]
        [Dense(1, Sigmoid)]
        public partial class LstmClassifier { }

        [Embedding(10000, 32, MaskZero = true)]
        [Bidirectional, Gru(64, ReturnSequences = true)]
        [Dense(5, Softmax)]
        public partial class GruTagger { }
        """;

    private const string Ordinary = """
        namespace Tutorials;

        public sealed class Report
        {
            public int Count { get; set; }

            public string Describe() => "count " + Count;
        }
        """;

    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _unrelatedEdit = null!;
    private CSharpCompilation _modelEdit = null!;
    private GeneratorDriver _warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        MetadataReference[] references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.Ordinal))
            .Append(typeof(EmbeddingAttribute).Assembly.Location)
            .Distinct()
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
        SyntaxTree models = CSharpSyntaxTree.ParseText(Models, parseOptions, path: "Models.cs");
        SyntaxTree ordinary = CSharpSyntaxTree.ParseText(Ordinary, parseOptions, path: "Report.cs");
        _compilation = CSharpCompilation.Create("Tutorials", [models, ordinary], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        _unrelatedEdit = _compilation.ReplaceSyntaxTree(ordinary, CSharpSyntaxTree.ParseText(Ordinary.Replace("count ", "items: "), parseOptions, path: "Report.cs"));
        _modelEdit = _compilation.ReplaceSyntaxTree(models, CSharpSyntaxTree.ParseText(Models.Replace("[Lstm(128)]", "[Lstm(96)]"), parseOptions, path: "Models.cs"));
        _warm = NewDriver().RunGenerators(_compilation);

        // The models must generate without diagnostics, or the benchmark would time an error path.
        GeneratorRunResult run = _warm.GetRunResult().Results.Single();
        if (run.Exception is not null || run.Diagnostics.Length > 0 || run.GeneratedSources.Length != 5)
        {
            throw new InvalidOperationException($"The generator did not produce the 5 models: {run.Exception?.Message} {string.Join("; ", run.Diagnostics)}");
        }
    }

    private static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(
            [new RnnDsl.Generators.RnnDslGenerator().AsSourceGenerator()],
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest));

    [Benchmark(Description = "5 models, cold (new driver)")]
    public int Cold() => Count(NewDriver().RunGenerators(_compilation));

    [Benchmark(Description = "5 models, warm, after an edit to another file")]
    public int UnrelatedEdit() => Count(_warm.RunGenerators(_unrelatedEdit));

    [Benchmark(Description = "5 models, warm, after one model's units change")]
    public int ModelEdit() => Count(_warm.RunGenerators(_modelEdit));

    private static int Count(GeneratorDriver driver) => driver.GetRunResult().Results[0].GeneratedSources.Length;
}
