using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace RnnDsl.Generators.Tests;

/// <summary>
/// Edits that cannot change a model must leave every tracked step after parsing Cached or Unchanged,
/// and no step may hold a Compilation, symbol or syntax node (those break caching).
/// </summary>
public class IncrementalTests
{
    private const string Model = """
        using RnnDsl;
        using static RnnDsl.Activation;

        namespace Demo;

        [Embedding(10000, 32)]
        [Bidirectional, SimpleRnn(64)]
        [Dense(1, Sigmoid)]
        public partial class SentimentModel
        {
            public int Helper() => 1;
        }
        """;

    private const string Other = "namespace Demo;\n\npublic static class Other\n{\n    public static int Value() => 1;\n}\n";

    private const string Second = """
        using RnnDsl;

        namespace Demo;

        [Input(10, 1)]
        [SimpleRnn(32)]
        [Dense(1)]
        public partial class Forecaster { }
        """;

    private static readonly string[] StepsAfterParsing =
    {
        TrackingNames.Specs, TrackingNames.ModelNames, TrackingNames.Outputs,
    };

    [Fact]
    public void Editing_an_unrelated_file_leaves_the_outputs_cached()
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Model, Other);
        SyntaxTree otherTree = first.SyntaxTrees.Last();
        CSharpCompilation second = first.ReplaceSyntaxTree(
            otherTree, CSharpSyntaxTree.ParseText(Other.Replace("=> 1", "=> 2"), GeneratorHarness.ParseOptions, otherTree.FilePath));
        AssertCachedAfterEdit(first, second);
    }

    [Fact]
    public void Editing_a_method_body_inside_the_model_class_leaves_the_outputs_cached()
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Model, Other);
        SyntaxTree modelTree = first.SyntaxTrees.First();
        CSharpCompilation second = first.ReplaceSyntaxTree(
            modelTree, CSharpSyntaxTree.ParseText(Model.Replace("Helper() => 1", "Helper() => 42"), GeneratorHarness.ParseOptions, modelTree.FilePath));
        AssertCachedAfterEdit(first, second);
    }

    [Fact]
    public void An_edit_that_shifts_every_position_in_a_model_file_leaves_both_models_cached()
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Model, Second);
        SyntaxTree modelTree = first.SyntaxTrees.First();
        CSharpCompilation second = first.ReplaceSyntaxTree(
            modelTree, CSharpSyntaxTree.ParseText("// A comment that moves every attribute down a line.\n" + Model, GeneratorHarness.ParseOptions, modelTree.FilePath));
        AssertCachedAfterEdit(first, second, models: 2);
    }

    [Fact]
    public void Changing_one_model_regenerates_that_model_only()
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Model, Second);
        SyntaxTree secondTree = first.SyntaxTrees.Last();
        CSharpCompilation second = first.ReplaceSyntaxTree(
            secondTree, CSharpSyntaxTree.ParseText(Second.Replace("SimpleRnn(32)", "SimpleRnn(16)"), GeneratorHarness.ParseOptions, secondTree.FilePath));
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(first);
        driver = driver.RunGenerators(second);
        GeneratorRunResult run = driver.GetRunResult().Results.Single();
        var outputs = run.TrackedSteps[TrackingNames.Outputs].SelectMany(s => s.Outputs).ToList();
        Assert.Equal(2, outputs.Count);
        Assert.Single(outputs, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Single(outputs, o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
        Assert.Contains("SimpleRnn(16)", run.TrackedSteps[TrackingNames.Outputs].SelectMany(s => s.Outputs)
            .Where(o => o.Reason == IncrementalStepRunReason.Modified).Select(o => ((Model.ModelSpec)o.Value).FullName + " " + Describe((Model.ModelSpec)o.Value)).Single());
    }

    private static string Describe(Model.ModelSpec spec) => "SimpleRnn(" + spec.Layers[1].Units + ")";

    [Fact]
    public void Changing_a_layer_regenerates_the_model()
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Model);
        SyntaxTree modelTree = first.SyntaxTrees.First();
        CSharpCompilation second = first.ReplaceSyntaxTree(
            modelTree, CSharpSyntaxTree.ParseText(Model.Replace("SimpleRnn(64)", "SimpleRnn(48)"), GeneratorHarness.ParseOptions, modelTree.FilePath));
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(first);
        driver = driver.RunGenerators(second);
        var specs = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Specs];
        Assert.Contains(specs.SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("ParameterCount = 327873", driver.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString());
    }

    private static void AssertCachedAfterEdit(CSharpCompilation first, CSharpCompilation second, int models = 1)
    {
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(first);
        GeneratorRunResult firstRun = driver.GetRunResult().Results.Single();
        Assert.Equal(models, firstRun.GeneratedSources.Length);
        foreach (string name in StepsAfterParsing.Append(TrackingNames.Declarations).Append(TrackingNames.Scope))
        {
            Assert.True(firstRun.TrackedSteps.ContainsKey(name), $"step {name} was not tracked");
            foreach (var step in firstRun.TrackedSteps[name])
            {
                foreach (var (value, _) in step.Outputs)
                {
                    AssertPlainData(value, name);
                }
            }
        }

        driver = driver.RunGenerators(second);
        GeneratorRunResult secondRun = driver.GetRunResult().Results.Single();
        foreach (string name in StepsAfterParsing)
        {
            foreach (var step in secondRun.TrackedSteps[name])
            {
                foreach (var (_, reason) in step.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step {name} was {reason}");
                }
            }
        }

        // The source output itself is replayed from the cache.
        foreach (var (_, reason) in secondRun.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs))
        {
            Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"an output step was {reason}");
        }
    }

    /// <summary>Walks a pipeline value and rejects any Compilation, symbol or syntax node inside it.</summary>
    private static void AssertPlainData(object? value, string step, int depth = 0)
    {
        if (value is null || depth > 8 || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        Assert.False(value is Compilation or ISymbol or SyntaxNode or SyntaxTree or Location,
            $"step {step} holds a {value.GetType().Name}, which defeats incremental caching");
        if (value is IEnumerable items)
        {
            foreach (object? item in items)
            {
                AssertPlainData(item, step, depth + 1);
            }

            return;
        }

        foreach (FieldInfo field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertPlainData(field.GetValue(value), step, depth + 1);
        }
    }
}
