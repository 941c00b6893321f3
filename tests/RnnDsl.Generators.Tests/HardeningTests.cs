using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace RnnDsl.Generators.Tests;

/// <summary>
/// The generator's two promises, case by case: it never throws into the compiler, and a declaration without an
/// error generates code that compiles (warnings as errors). Each test is one cause a fuzzer found (G1-G13 of the
/// hardening issue), reduced to its smallest form.
/// </summary>
public class HardeningTests
{
    private const string Model = "[Input(3)]\n[SimpleRnn(4)]\n[Dense(2)]\n";

    /// <summary>The run compiled cleanly: no exception, no RnnDsl diagnostic, one source per expected model, no compiler diagnostic.</summary>
    private static GeneratorHarness.Result Compiles(int models, params string[] sources)
    {
        var result = GeneratorHarness.Run(sources);
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Equal(models, result.Sources.Count);
        Assert.Empty(result.CompilerDiagnostics);
        return result;
    }

    private static Diagnostic Reports(string id, string expectedLocationText, params string[] sources)
    {
        var result = GeneratorHarness.Run(sources);
        Assert.Null(result.Exception);
        Diagnostic diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(expectedLocationText, result.TextAt(diagnostic));
        Assert.Empty(result.CompilerDiagnostics);
        return diagnostic;
    }

    [Fact]
    public void G1_a_verbatim_namespace()
    {
        var result = Compiles(1, "using RnnDsl;\nnamespace @class\n{\n" + Model + "    public partial class M { }\n}\n");
        Assert.Equal("class.M.g.cs", result.Sources.Keys.Single());
        Assert.Contains("namespace @class;", result.Sources.Values.Single());
    }

    [Fact]
    public void G2_models_whose_file_names_differ_only_in_case()
    {
        var result = Compiles(4,
            "using RnnDsl;\nnamespace N;\n" + Model + "public partial class Model { }\n" + Model + "public partial class model { }\n",
            "using RnnDsl;\nnamespace Models\n{\n" + Model + "public partial class A { }\n}\nnamespace models\n{\n" + Model + "public partial class A { }\n}\n");
        Assert.Equal(4, result.Sources.Keys.Select(k => k.ToUpperInvariant()).Distinct().Count());
    }

    [Theory]
    [InlineData("Loss")]
    [InlineData("Span")]
    [InlineData("ReadOnlySpan")]
    [InlineData("ArgumentException")]
    [InlineData("TensorPrimitives")]
    [InlineData("LinearAlgebra")]
    [InlineData("Activations")]
    [InlineData("ModelInput")]
    [InlineData("ThreadScratch")]
    [InlineData("Initializers")]
    [InlineData("SeededRandom")]
    [InlineData("LossFunctions")]
    [InlineData("ITokenModel")]
    [InlineData("IRealValuedModel")]
    [InlineData("WeightManifest")]
    [InlineData("WeightInfo")]
    [InlineData("IRnnModel")]
    public void G3_a_model_named_like_a_runtime_type(string name)
    {
        var result = Compiles(1, "using RnnDsl;\nnamespace Demo;\n[Embedding(20, 4, MaskZero = true)]\n[Bidirectional, SimpleRnn(3, ReturnSequences = true)]\n[Dense(2, Activation.Softmax)]\npublic partial class " + name + " { }\n");
        Assert.Contains("partial class " + name + " :", result.Sources.Values.Single());
    }

    [Theory]
    [InlineData("Span")]
    [InlineData("Loss")]
    [InlineData("ModelInput")]
    public void G4_a_namespace_named_like_a_runtime_type(string name) =>
        Compiles(1, "using RnnDsl;\nnamespace " + name + ";\n" + Model + "public partial class M { }\n");

    [Theory]
    [InlineData("@string")]
    [InlineData("@int")]
    [InlineData("@class")]
    [InlineData("@event")]
    [InlineData("@this")]
    [InlineData("var")]
    [InlineData("@var")]
    [InlineData("nameof")]
    [InlineData("async")]
    public void G5_a_model_named_with_a_keyword(string name)
    {
        var result = Compiles(1, "using RnnDsl;\nnamespace Demo;\n" + Model + "public partial class " + name + " { }\n");
        string escaped = name.StartsWith('@') ? name : "@" + name;
        Assert.Contains("partial class " + escaped + " :", result.Sources.Values.Single());
    }

    [Fact]
    public void G5_a_type_named_var_or_nameof_beside_the_model()
    {
        Compiles(1, "using RnnDsl;\nnamespace Demo;\npublic class var { }\npublic class nameof { }\n[Embedding(20, 4)]\n[SimpleRnn(3)]\n[Dense(1)]\npublic partial class M { }\n");
    }

    [Theory]
    [InlineData("RunDense")]
    [InlineData("RunEmbedding")]
    [InlineData("BidirectionalRecurrence")]
    [InlineData("BidirectionalRecurrenceBackward")]
    [InlineData("BackwardDense")]
    [InlineData("DenseKernelOffset")]
    [InlineData("BidirectionalForwardBiasOffset")]
    [InlineData("_parameters")]
    [InlineData("SummaryText")]
    [InlineData("Forward")]
    public void G6_a_model_named_like_a_generated_private_member(string name)
    {
        var diagnostic = Reports("RNN020", name,
            "using RnnDsl;\nnamespace Demo;\n[Embedding(20, 4)]\n[Bidirectional, SimpleRnn(3)]\n[Dense(1)]\npublic partial class " + name + " { }\n");
        Assert.Contains("'" + name + "'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void G6_a_name_the_model_does_not_generate_is_fine() =>
        Compiles(1, "using RnnDsl;\nnamespace Demo;\n[Input(3)]\n[Dense(1)]\npublic partial class SimpleRnnRecurrence { }\n");

    [Fact]
    public void G7_a_parameter_count_past_long_is_RNN021_not_broken_code()
    {
        var diagnostic = Reports("RNN021", "Input(1)",
            "using RnnDsl;\nnamespace Demo;\n[Input(1)]\n[Bidirectional(MergeMode.Sum), SimpleRnn(int.MaxValue)]\n[Dense(1)]\npublic partial class M { }\n");
        Assert.Contains("SimpleRnn(2147483647)", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("partial record M { }")]
    [InlineData("partial record class M { }")]
    [InlineData("partial record M(int X);")]
    public void G8_a_record_model_is_reported(string declaration) =>
        Reports("RNN022", "M", "using RnnDsl;\nnamespace Demo;\n" + Model + "public " + declaration + "\n");

    [Fact]
    public void G9_a_generic_model_beside_one_of_the_same_name()
    {
        var result = GeneratorHarness.Run("using RnnDsl;\nnamespace Demo;\n" + Model + "public partial class M { }\n" + Model + "public partial class M<T> { }\n");
        Assert.Equal("RNN013", Assert.Single(result.GeneratorDiagnostics).Id);
        Assert.Equal("Demo.M.g.cs", Assert.Single(result.Sources.Keys));
        Assert.Empty(result.CompilerDiagnostics);
    }

    [Fact]
    public void G9_a_nested_model_beside_a_top_level_one_of_the_same_name()
    {
        var result = GeneratorHarness.Run("using RnnDsl;\nnamespace Demo;\n" + Model + "public partial class M { }\npublic partial class Outer\n{\n" + Model + "public partial class M { }\n}\n");
        Diagnostic nested = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("RNN012", nested.Id);
        Assert.Equal("Demo.M.g.cs", Assert.Single(result.Sources.Keys));
        Assert.Empty(result.CompilerDiagnostics);
    }

    [Fact]
    public void G10_pragma_warning_disable_silences_a_warning()
    {
        const string Softmax = "[Input(3)]\n[SimpleRnn(4)]\n[Dense(1, Activation.Softmax)]\n";
        var silenced = GeneratorHarness.Run("using RnnDsl;\nnamespace Demo;\n#pragma warning disable RNN010\n" + Softmax + "public partial class M { }\n#pragma warning restore RNN010\n");
        Assert.Empty(silenced.GeneratorDiagnostics);
        Assert.Single(silenced.Sources);
        var reported = GeneratorHarness.Run("using RnnDsl;\nnamespace Demo;\n" + Softmax + "public partial class M { }\n");
        Assert.Equal("RNN010", Assert.Single(reported.GeneratorDiagnostics).Id);
    }

    [Fact]
    public void G10_a_severity_option_applies_as_an_editorconfig_line_would()
    {
        CSharpCompilation compilation = GeneratorHarness.Compilation("using RnnDsl;\nnamespace Demo;\n[Input(3)]\n[SimpleRnn(4)]\n[Dense(1, Activation.Softmax)]\npublic partial class M { }\n");
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["RNN010"] = ReportDiagnostic.Error }));
        Diagnostic diagnostic = Assert.Single(GeneratorHarness.AnalyzerDiagnostics(compilation));
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
    }

    [Fact]
    public void G11_user_types_in_the_runtime_namespaces_do_not_break_other_models()
    {
        var result = Compiles(1,
            "using RnnDsl;\nnamespace Demo;\n[Embedding(20, 4, MaskZero = true)]\n[Bidirectional, SimpleRnn(3, ReturnSequences = true)]\n[Dense(2, Activation.Softmax)]\npublic partial class M { }\n",
            "namespace RnnDsl\n{\n    public class Activations { }\n    public class Span { }\n    public class TensorPrimitives { }\n}\nnamespace RnnDsl.Kernels\n{\n    public class ModelInput { }\n}\n");
        string source = result.Sources.Values.Single();
        Assert.Contains("global::RnnDsl.Kernels.Activations.Tanh(", source);
        Assert.Contains("global::System.Span<float>", source);
        Assert.Contains("global::RnnDsl.ModelInput.", source);
        Assert.Contains(" LinearAlgebra.MultiplyAdd(", source); // names nothing captures stay brief
    }

    [Fact]
    public void G11_a_global_using_that_brings_in_a_type_of_the_same_name()
    {
        var result = Compiles(1,
            "global using Mine;\nusing RnnDsl;\nnamespace Demo;\n" + Model + "public partial class M { }\n",
            "namespace Mine\n{\n    public enum Loss { Mine }\n    public class LinearAlgebra { }\n}\n");
        Assert.Contains("global::RnnDsl.Kernels.LinearAlgebra.", result.Sources.Values.Single());
    }

    [Fact]
    public void G11_a_global_using_alias_named_like_a_runtime_type()
    {
        var result = Compiles(1,
            "global using Loss = global::System.String;\nglobal using LinearAlgebra = global::System.Math;\nusing RnnDsl;\nnamespace Demo;\n" + Model + "public partial class M { }\n");
        string source = result.Sources.Values.Single();
        Assert.Contains("global::RnnDsl.Loss loss", source);
        Assert.Contains("global::RnnDsl.Kernels.LinearAlgebra.", source);
    }

    [Fact]
    public void G11_types_of_a_referenced_project_in_the_model_namespace_or_the_global_namespace()
    {
        // Several projects sharing one root namespace is the ordinary case.
        using var image = new System.IO.MemoryStream();
        Assert.True(GeneratorHarness.Compilation(
                "namespace Demo\n{\n    public static class ModelInput { }\n    public class Span { }\n}\npublic enum Loss { Theirs }\n")
            .WithAssemblyName("Library")
            .Emit(image).Success);
        MetadataReference library = MetadataReference.CreateFromImage(image.ToArray());
        CSharpCompilation compilation = GeneratorHarness.Compilation("using RnnDsl;\nnamespace Demo;\n[Embedding(20, 4)]\n[SimpleRnn(3)]\n[Dense(1)]\npublic partial class M { }\n")
            .AddReferences(library);
        var result = GeneratorHarness.Run(compilation);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        string source = result.Sources.Values.Single();
        Assert.Contains("global::RnnDsl.ModelInput.", source);
        Assert.Contains("global::RnnDsl.Loss loss", source);
        Assert.Contains("global::System.Span<float>", source);
    }

    [Fact]
    public void G11_a_global_using_static_that_brings_in_nested_types()
    {
        var result = Compiles(1,
            "global using static Mine.Holder;\nusing RnnDsl;\nnamespace Demo;\n" + Model + "public partial class M { }\n",
            "namespace Mine\n{\n    public static class Holder\n    {\n        public enum Loss { Mine }\n        public static class LinearAlgebra { }\n    }\n}\n");
        string source = result.Sources.Values.Single();
        Assert.Contains("global::RnnDsl.Loss loss", source);
        Assert.Contains("global::RnnDsl.Kernels.LinearAlgebra.", source);
    }

    [Fact]
    public void A_model_with_a_method_named_nameof_gets_string_argument_names()
    {
        var result = Compiles(1, "using RnnDsl;\nnamespace Demo;\n" + Model + "public partial class M\n{\n    public static void nameof(object value) { }\n}\n");
        Assert.Contains("\"inputs\"", result.Sources.Values.Single());
    }

    [Fact]
    public void Emission_and_validation_failures_are_caught_not_thrown()
    {
        // A spec no validator would build (a recurrent layer without a cell): emitting it fails, and the generator
        // must swallow that (the analyzer reports RNN019 at the model) rather than throw into the compiler.
        var broken = new Generators.Model.ModelSpec("Demo", "M", false, 0, 3, 0, new Generators.Helpers.EquatableArray<Generators.Model.LayerSpec>(new[]
        {
            new Generators.Model.LayerSpec(Generators.Model.LayerKind.Input, "input_layer", "InputLayer", 3, 3, Generators.Model.ActivationKind.Linear, true, true),
            new Generators.Model.LayerSpec(Generators.Model.LayerKind.Recurrent, "simple_rnn", "SimpleRnn", 3, 4, Generators.Model.ActivationKind.Tanh, true, false),
        }));
        Assert.Null(RnnDslGenerator.EmitSafely(broken));
    }

    [Fact]
    public void A_model_in_a_file_that_looks_generated_still_gets_its_diagnostics()
    {
        var result = GeneratorHarness.Run("// <auto-generated/>\nusing RnnDsl;\nnamespace Demo;\n[Input(3)]\n[SimpleRnn(0)]\npublic partial class M { }\n");
        Assert.Equal("RNN009", Assert.Single(result.GeneratorDiagnostics).Id);
        Assert.Empty(result.Sources);
    }

    [Fact]
    public void G12_a_model_between_the_largest_array_and_int_MaxValue_is_RNN021()
    {
        var diagnostic = Reports("RNN021", "Embedding(134217725, 16)",
            "using RnnDsl;\nnamespace Demo;\n[Embedding(134217725, 16)]\n[Dense(1)]\npublic partial class M { }\n");
        Assert.Contains("2,147,483,617 parameters", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp10)]
    [InlineData(LanguageVersion.CSharp11)]
    [InlineData(LanguageVersion.Latest)]
    public void G13_the_generated_code_compiles_under_every_supported_language_version(LanguageVersion version)
    {
        var options = new CSharpParseOptions(version);
        string[] declarations =
        {
            "[Embedding(5000, 64, MaskZero = true)]\n[Bidirectional, SimpleRnn(32, ReturnSequences = true)]\n[Dense(12, Activation.Softmax)]\npublic partial class Tagger { }",
            "[Embedding(1000, 16, MaskZero = true, InputLength = 40)]\n[SimpleRnn(24, Activation.Relu, ReturnSequences = true, GoBackwards = true)]\n[Bidirectional(MergeMode.Ave), SimpleRnn(8)]\n[Dense(3, Activation.Softmax)]\npublic partial class Stacked { }",
            "[Input(10, 1)]\n[SimpleRnn(32)]\n[Dense(1)]\npublic partial class Forecaster { }",
        };
        CSharpCompilation compilation = GeneratorHarness.Compilation().RemoveAllSyntaxTrees().AddSyntaxTrees(
            declarations.Select((d, i) => CSharpSyntaxTree.ParseText("using RnnDsl;\nnamespace Demo\n{\n" + d + "\n}\n", options, "Model" + i + ".cs")));
        var result = GeneratorHarness.Run(compilation);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Equal(3, result.Sources.Count);
        Assert.Empty(result.CompilerDiagnostics);
    }

    [Fact]
    public void The_generated_documentation_is_complete_under_GenerateDocumentationFile()
    {
        // Documentation checked as /doc checks it, CS1591 (a public member without documentation) included.
        CSharpCompilation compilation = GeneratorHarness.Compilation(
            "using RnnDsl;\n/// <summary>Demo models.</summary>\nnamespace Demo;\n[Embedding(20, 4, MaskZero = true)]\n[Bidirectional, SimpleRnn(3, ReturnSequences = true)]\n[Dense(2, Activation.Softmax)]\npublic partial class A { }\n",
            "using RnnDsl;\nnamespace Demo;\n[Input(3)]\n[SimpleRnn(4, GoBackwards = true)]\n[Dense(1)]\npublic partial class B { }\n");
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>()));
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        var inGenerated = output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && !compilation.SyntaxTrees.Contains(tree))
            .ToList();
        Assert.Equal(2, output.SyntaxTrees.Count() - compilation.SyntaxTrees.Count());
        Assert.Empty(inGenerated);
    }

    [Fact]
    public void Every_member_the_generated_code_declares_is_known_to_RNN020()
    {
        string[] declarations =
        {
            "[Embedding(5000, 64, MaskZero = true)]\n[Bidirectional, SimpleRnn(32, ReturnSequences = true)]\n[Dense(12, Activation.Softmax)]\npublic partial class Tagger { }",
            "[Embedding(1000, 16, MaskZero = true, InputLength = 40)]\n[SimpleRnn(24, Activation.Relu, ReturnSequences = true, GoBackwards = true)]\n[Bidirectional(MergeMode.Ave), SimpleRnn(8)]\n[Dense(3, Activation.Softmax)]\npublic partial class Stacked { }",
            "[Input(10, 1)]\n[SimpleRnn(32)]\n[Dense(1)]\npublic partial class Forecaster { }",
            "[Input(3)]\n[Dense(4)]\n[SimpleRnn(3, ReturnSequences = true)]\npublic partial class DenseFirst { }",
        };
        foreach (string declaration in declarations)
        {
            CSharpCompilation compilation = GeneratorHarness.Compilation("using RnnDsl;\nnamespace Demo;\n" + declaration + "\n");
            var result = GeneratorHarness.Run(compilation);
            INamedTypeSymbol type = compilation.Assembly.GlobalNamespace.GetNamespaceMembers().Single(n => n.Name == "Demo").GetTypeMembers().Single();
            var spec = Parsing.ModelValidator.Validate(Parsing.ModelParser.Parse(type, compilation, default)).Spec!;
            HashSet<string> known = Emit.Members.Of(spec).ToHashSet();
            var declared = CSharpSyntaxTree.ParseText(result.Sources.Values.Single()).GetRoot()
                .DescendantNodes().OfType<ClassDeclarationSyntax>().Single().Members
                .SelectMany(m => m switch
                {
                    MethodDeclarationSyntax method => new[] { method.Identifier.ValueText },
                    PropertyDeclarationSyntax property => new[] { property.Identifier.ValueText },
                    FieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier.ValueText).ToArray(),
                    _ => System.Array.Empty<string>(),
                })
                .ToList();
            Assert.NotEmpty(declared);
            Assert.All(declared, name => Assert.Contains(name, known));
        }
    }
}
