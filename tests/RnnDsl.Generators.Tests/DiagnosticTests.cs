using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace RnnDsl.Generators.Tests;

/// <summary>
/// One test per diagnostic: the right ID, pointing at the attribute (or class name) that causes it,
/// with a message that names the layer. An invalid declaration emits no source, so the only errors a
/// user sees are ours.
/// </summary>
public class DiagnosticTests
{
    private const string Usings = "using RnnDsl;\nusing static RnnDsl.Activation;\n\nnamespace Demo;\n\n";

    private static Diagnostic Single(string id, string declaration, string expectedLocationText, params string[] messageParts)
    {
        var result = GeneratorHarness.Run(Usings + declaration);
        Assert.Null(result.Exception);
        Diagnostic diagnostic = Assert.Single(result.GeneratorDiagnostics, d => d.Id == id);
        Assert.Equal(expectedLocationText, result.TextAt(diagnostic));
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string part in messageParts)
        {
            Assert.Contains(part, message);
        }

        if (diagnostic.DefaultSeverity == DiagnosticSeverity.Error)
        {
            Assert.Empty(result.Sources);
            Assert.DoesNotContain(result.CompilerDiagnostics, d => d.Id.StartsWith("CS", System.StringComparison.Ordinal) && d.Id != "CS0260");
        }

        return diagnostic;
    }

    [Fact]
    public void RNN001_class_not_partial() =>
        Single("RNN001", "[Embedding(100, 8)]\n[SimpleRnn(4)]\npublic class Model { }", "Model", "'Model'", "partial class Model");

    [Fact]
    public void RNN002_no_layers_after_the_input() =>
        Single("RNN002", "[Embedding(100, 8)]\npublic partial class Model { }", "Embedding(100, 8)", "no layers", "[SimpleRnn(32)]");

    [Fact]
    public void RNN003_input_layer_missing() =>
        Single("RNN003", "[SimpleRnn(4)]\n[Dense(1)]\npublic partial class Model { }", "SimpleRnn(4)", "starts with SimpleRnn(4)", "[Embedding(vocabulary, dimension)]");

    [Fact]
    public void RNN004_input_layer_repeated() =>
        Single("RNN004", "[Embedding(100, 8)]\n[Input(3)]\n[SimpleRnn(4)]\npublic partial class Model { }", "Input(3)", "second input layer Input(3)");

    [Fact]
    public void RNN005_input_layer_not_first() =>
        Single("RNN005", "[SimpleRnn(4)]\n[Embedding(100, 8)]\npublic partial class Model { }", "Embedding(100, 8)", "as layer 2", "move it to the top");

    [Fact]
    public void RNN006_bidirectional_without_recurrent_layer()
    {
        Single("RNN006", "[Embedding(100, 8)]\n[Bidirectional]\n[SimpleRnn(4)]\npublic partial class Model { }", "Bidirectional", "[Bidirectional, SimpleRnn(64)]");
        Single("RNN006", "[Embedding(100, 8)]\n[Bidirectional, Dense(4)]\npublic partial class Model { }", "Bidirectional");
    }

    [Fact]
    public void RNN007_two_layers_in_one_list() =>
        Single("RNN007", "[Embedding(100, 8)]\n[SimpleRnn(4, ReturnSequences = true), SimpleRnn(3)]\npublic partial class Model { }",
            "SimpleRnn(3)", "SimpleRnn(4) and SimpleRnn(3)", "its own [...]");

    [Fact]
    public void RNN008_recurrent_layer_after_one_that_does_not_return_sequences() =>
        Single("RNN008", "[Embedding(100, 8)]\n[SimpleRnn(4)]\n[SimpleRnn(3)]\npublic partial class Model { }",
            "SimpleRnn(3)", "SimpleRnn(3)", "ReturnSequences = true on SimpleRnn(4)");

    [Fact]
    public void RNN009_sizes_must_be_positive()
    {
        Single("RNN009", "[Embedding(0, 8)]\n[SimpleRnn(4)]\npublic partial class Model { }", "Embedding(0, 8)", "inputDim = 0");
        Single("RNN009", "[Input(3)]\n[SimpleRnn(-2)]\npublic partial class Model { }", "SimpleRnn(-2)", "units = -2", "at least 1");
        Single("RNN009", "[Input(3)]\n[Dense(0)]\npublic partial class Model { }", "Dense(0)", "units = 0");
        Single("RNN009", "[Input(0, 3)]\n[Dense(1)]\npublic partial class Model { }", "Input(0, 3)", "timesteps = 0");
        Single("RNN009", "[Embedding(10, 3, InputLength = -1)]\n[Dense(1)]\npublic partial class Model { }", "Embedding(10, 3, InputLength = -1)", "InputLength = -1");
    }

    [Fact]
    public void RNN010_softmax_on_one_unit_is_a_warning_and_still_generates()
    {
        var diagnostic = Single("RNN010", "[Input(3)]\n[SimpleRnn(4)]\n[Dense(1, Softmax)]\npublic partial class Model { }", "Dense(1, Softmax)", "Dense(1, Sigmoid)");
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.DefaultSeverity);
        Assert.Single(GeneratorHarness.Run(Usings + "[Input(3)]\n[SimpleRnn(4)]\n[Dense(1, Softmax)]\npublic partial class Model { }").Sources);
    }

    [Fact]
    public void RNN011_MaskZero_without_embedding() =>
        Single("RNN011", "[Input(3, MaskZero = true)]\n[SimpleRnn(4)]\npublic partial class Model { }", "Input(3, MaskZero = true)", "[Embedding(..., MaskZero = true)]");

    [Fact]
    public void RNN012_nested_class() =>
        Single("RNN012", "public partial class Outer\n{\n    [Input(3)]\n    [SimpleRnn(4)]\n    public partial class Inner { }\n}", "Inner", "nested inside 'Outer'");

    [Fact]
    public void RNN013_generic_class() =>
        Single("RNN013", "[Input(3)]\n[SimpleRnn(4)]\npublic partial class Model<T> { }", "Model", "generic");

    [Fact]
    public void RNN014_static_class() =>
        Single("RNN014", "[Input(3)]\n[SimpleRnn(4)]\npublic static partial class Model { }", "Model", "remove 'static'");

    [Fact]
    public void RNN015_layers_on_several_partial_declarations()
    {
        var result = GeneratorHarness.Run(
            Usings + "[Input(3)]\npublic partial class Model { }",
            Usings + "[SimpleRnn(4)]\npublic partial class Model { }");
        Diagnostic diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("RNN015", diagnostic.Id);
        Assert.Empty(result.Sources);
    }

    [Fact]
    public void RNN016_GoBackwards_inside_Bidirectional() =>
        Single("RNN016", "[Input(3)]\n[Bidirectional, SimpleRnn(4, GoBackwards = true)]\npublic partial class Model { }", "SimpleRnn(4, GoBackwards = true)", "remove GoBackwards");

    [Fact]
    public void RNN017_undefined_enum_value()
    {
        Single("RNN017", "[Input(3)]\n[SimpleRnn(4)]\n[Dense(2, (Activation)42)]\npublic partial class Model { }", "Dense(2, (Activation)42)", "activation = 42", "Activation.Softmax");
        Single("RNN017", "[Input(3)]\n[Bidirectional((MergeMode)9), SimpleRnn(4)]\npublic partial class Model { }", "Bidirectional((MergeMode)9)", "mergeMode = 9", "MergeMode.Ave");
    }

    [Fact]
    public void RNN018_softmax_on_a_recurrent_layer() =>
        Single("RNN018", "[Input(3)]\n[SimpleRnn(4, Softmax)]\npublic partial class Model { }", "SimpleRnn(4, Softmax)", "Tanh (the default)");

    [Fact]
    public void RNN018_softmax_as_the_state_activation_of_a_gated_cell()
    {
        Single("RNN018", "[Input(3)]\n[Lstm(4, Softmax)]\npublic partial class Model { }", "Lstm(4, Softmax)", "Tanh (the default)");
        Single("RNN018", "[Input(3)]\n[Gru(4, activation: Softmax)]\npublic partial class Model { }", "Gru(4, activation: Softmax)", "Tanh (the default)");
    }

    [Fact]
    public void RNN028_softmax_as_the_gate_activation()
    {
        Single("RNN028", "[Input(3)]\n[Lstm(4, Tanh, Softmax)]\npublic partial class Model { }", "Lstm(4, Tanh, Softmax)", "recurrentActivation", "Sigmoid (the default)");
        Single("RNN028", "[Input(3)]\n[Bidirectional, Gru(4, recurrentActivation: Softmax)]\npublic partial class Model { }", "Gru(4, recurrentActivation: Softmax)", "recurrentActivation");
        Single("RNN017", "[Input(3)]\n[Gru(4, Tanh, (Activation)7)]\npublic partial class Model { }", "Gru(4, Tanh, (Activation)7)", "recurrentActivation = 7");
    }

    [Fact]
    public void RNN029_a_dropout_rate_outside_zero_to_one()
    {
        Single("RNN029", "[Input(3)]\n[SimpleRnn(4)]\n[Dropout(1f)]\n[Dense(1)]\npublic partial class Model { }", "Dropout(1f)", "rate = 1.0", "less than 1");
        Single("RNN029", "[Input(3)]\n[Dropout(-0.5f)]\n[SimpleRnn(4)]\npublic partial class Model { }", "Dropout(-0.5f)", "rate = -0.5");
        Single("RNN029", "[Input(3)]\n[Lstm(4, Dropout = 1.5f)]\npublic partial class Model { }", "Lstm(4, Dropout = 1.5f)", "Dropout = 1.5");
        Single("RNN029", "[Input(3)]\n[Gru(4, RecurrentDropout = float.NaN)]\npublic partial class Model { }", "Gru(4, RecurrentDropout = float.NaN)", "RecurrentDropout = NaN");
    }

    [Fact]
    public void User_types_named_like_runtime_types_do_not_break_the_generated_code()
    {
        // Types in the user's namespace, in the global namespace, or members of the model class win over
        // using directives; the generated code must still bind to RnnDsl's types.
        var result = GeneratorHarness.Run(
            Usings + "public class Activations { }\npublic class LinearAlgebra { }\npublic enum Loss { Mine }\n"
            + "[Embedding(20, 4, MaskZero = true)]\n[Bidirectional, SimpleRnn(3, ReturnSequences = true)]\n[Dense(2, Softmax)]\n"
            + "public partial class Model\n{\n    public int ThreadScratch => 1;\n    public class TensorPrimitives { }\n}\n",
            "public class ModelInput { }\npublic struct Span<T> { }\n");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Single(result.Sources);
        Assert.Empty(result.CompilerDiagnostics);
        string source = result.Sources.Values.Single();
        Assert.Contains("global::RnnDsl.Kernels.LinearAlgebra.MultiplyAdd(", source);
        Assert.Contains("global::System.Span<float>", source);
        Assert.Contains("global::RnnDsl.ThreadScratch.Get(", source);
        Assert.Contains("Initializers.Uniform(", source); // names that are not shadowed stay short
        Assert.DoesNotContain("global::RnnDsl.Initializers", source);
    }

    [Fact]
    public void RNN020_class_named_like_a_generated_member() =>
        Single("RNN020", "[Input(3)]\n[SimpleRnn(4)]\npublic partial class Predict { }", "Predict", "'Predict'", "rename");

    [Fact]
    public void RNN021_more_parameters_than_one_buffer_holds()
    {
        Single("RNN021", "[Embedding(10000000, 300)]\n[SimpleRnn(4)]\npublic partial class Model { }", "Embedding(10000000, 300)", "3,000,001,220 parameters", "Embedding(10000000, 300)");
        Single("RNN021", "[Input(3)]\n[Bidirectional, SimpleRnn(40000)]\n[Dense(1)]\npublic partial class Model { }", "Input(3)", "SimpleRnn(40000)");
    }

    [Fact]
    public void RNN022_record_model() =>
        Single("RNN022", "[Input(3)]\n[SimpleRnn(4)]\npublic partial record Model { }", "Model", "is a record", "partial class Model");

    [Fact]
    public void RNN023_language_version_too_old()
    {
        var old = new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp9);
        var compilation = GeneratorHarness.Compilation().RemoveAllSyntaxTrees().AddSyntaxTrees(
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("using RnnDsl;\nnamespace Demo\n{\n    [Input(3)]\n    [SimpleRnn(4)]\n    public partial class Model { }\n}\n", old, "Old.cs"));
        var result = GeneratorHarness.Run(compilation);
        Diagnostic diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("RNN023", diagnostic.Id);
        Assert.Equal("Model", result.TextAt(diagnostic));
        Assert.Contains("C# 9", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(result.Sources);
        Assert.Empty(result.CompilerDiagnostics);
    }

    [Fact]
    public void RNN024_a_type_that_hides_a_runtime_name()
    {
        var own = GeneratorHarness.Run(Usings + "[Input(3)]\n[SimpleRnn(4)]\npublic partial class Model { }", "namespace RnnDsl;\npublic class Loss { }\n");
        Diagnostic hidden = Assert.Single(own.GeneratorDiagnostics);
        Assert.Equal("RNN024", hidden.Id);
        Assert.Equal("Model", own.TextAt(hidden));
        Assert.Contains("'RnnDsl.Loss'", hidden.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(own.Sources);
        var result = GeneratorHarness.Run("using RnnDsl;\n[Input(3)]\n[SimpleRnn(4)]\npublic partial class Model { }\npublic class System { }\n");
        Diagnostic diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("RNN024", diagnostic.Id);
        Assert.Contains("the System namespace", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(result.Sources);
    }

    [Fact]
    public void RNN025_layers_too_wide_to_run() =>
        Single("RNN025", "[Embedding(1, 200000000)]\n[Dense(1)]\npublic partial class Model { }", "Embedding(1, 200000000)", "working memory");

    [Fact]
    public void RNN026_file_local_model() =>
        Single("RNN026", "[Input(3)]\n[SimpleRnn(4)]\nfile partial class Model { }", "Model", "'file'", "internal");

    [Fact]
    public void RNN027_a_member_named_like_a_generated_one()
    {
        Single("RNN027", "[Input(3)]\n[SimpleRnn(4)]\n[Dense(2)]\npublic partial class Model\n{\n    public int DenseKernelOffset => 0;\n}", "Model", "'DenseKernelOffset'", "rename");
        Single("RNN027", "[Input(3)]\n[SimpleRnn(4)]\npublic partial class Model : Base { }\npublic abstract class Base\n{\n    protected void Predict() { }\n}", "Model", "'Predict'");

        Single("RNN027", "[Input(3)]\n[SimpleRnn(4)]\npublic partial class Model\n{\n    public Model(int seed) { }\n}", "Model", "'Model(int)'");
        Single("RNN027", "[Input(3)]\n[SimpleRnn(4)]\npublic partial class Model\n{\n    public Model() { }\n}", "Model", "'Model()'");

        // A private member of a base class is not inherited, so it is no clash; nor is a constructor of other parameters.
        var fine = GeneratorHarness.Run(Usings + "[Input(3)]\n[SimpleRnn(4)]\npublic partial class Model : Base\n{\n    public Model(string name) : this() { }\n}\npublic abstract class Base\n{\n    private void Predict() { }\n}");
        Assert.Empty(fine.GeneratorDiagnostics);
        Assert.Empty(fine.CompilerDiagnostics);
    }

    [Fact]
    public void Every_descriptor_has_a_test_and_a_README_entry()
    {
        string[] tested = typeof(DiagnosticTests).GetMethods().Select(m => m.Name).Where(n => n.StartsWith("RNN", System.StringComparison.Ordinal)).Select(n => n.Substring(0, 6)).ToArray();
        string readme = System.IO.File.ReadAllText(System.IO.Path.Combine(Snapshot.RepositoryRoot(), "README.md"));
        foreach (var descriptor in Diagnostics.DiagnosticDescriptors.All)
        {
            Assert.Contains("| " + descriptor.Id + " |", readme);
            if (descriptor.Id != "RNN019") // the internal-failure diagnostic has no declaration that triggers it
            {
                Assert.Contains(descriptor.Id, tested);
            }
        }
    }

    [Fact]
    public void Declarations_without_errors_compile_without_warnings()
    {
        // A spread of valid declarations, each compiled with nullable enabled and warnings as errors.
        string[] declarations =
        {
            "[Input(2)]\n[SimpleRnn(1)]\npublic partial class A { }",
            "[Input(2)]\n[Dense(3)]\npublic partial class B { }",
            "[Embedding(5, 2, MaskZero = true)]\n[Bidirectional(MergeMode.Mul), SimpleRnn(3, Linear, ReturnSequences = true)]\n[Bidirectional(MergeMode.Sum), SimpleRnn(2)]\npublic partial class C { }",
            "[Embedding(5, 2)]\n[SimpleRnn(3, Sigmoid, ReturnSequences = true, GoBackwards = true)]\npublic partial class D { }",
            "[Input(4, 2)]\n[Bidirectional, SimpleRnn(3)]\npublic partial class E { }",
            "[Embedding(5, 2)]\n[Dense(3, Tanh)]\n[Dense(2, Softmax)]\npublic partial class F { }",
        };
        foreach (string declaration in declarations)
        {
            var result = GeneratorHarness.Run(Usings + declaration);
            Assert.Empty(result.GeneratorDiagnostics);
            Assert.Single(result.Sources);
            Assert.Empty(result.CompilerDiagnostics);
        }

        // And in the global namespace.
        var global = GeneratorHarness.Run("using RnnDsl;\n[Input(3)]\n[SimpleRnn(2)]\npublic partial class G { }");
        Assert.Empty(global.CompilerDiagnostics);
        Assert.Equal("G.g.cs", Assert.Single(global.Sources.Keys));
    }
}
