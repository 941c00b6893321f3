using System.Linq;
using Xunit;

namespace RnnDsl.Generators.Tests;

/// <summary>The generated source of the tutorial models and a tagging model, against checked-in snapshots.</summary>
public class SnapshotTests
{
    private const string Usings = "using RnnDsl;\nusing static RnnDsl.Activation;\n\nnamespace Tutorials;\n\n";

    [Theory]
    [InlineData("SentimentModel", "[Embedding(10000, 32)]\n[Bidirectional, SimpleRnn(64)]\n[Dense(1, Sigmoid)]\npublic partial class SentimentModel { }\n")]
    [InlineData("SimpleClassifier", "[Embedding(10000, 32)]\n[SimpleRnn(64)]\n[Dense(1, Sigmoid)]\npublic partial class SimpleClassifier { }\n")]
    [InlineData("Forecaster", "[Input(10, 1)]\n[SimpleRnn(32)]\n[Dense(1)]\npublic partial class Forecaster { }\n")]
    [InlineData("Tagger", "[Embedding(5000, 64, MaskZero = true)]\n[Bidirectional, SimpleRnn(32, ReturnSequences = true)]\n[Dense(12, Softmax)]\npublic partial class Tagger { }\n")]
    [InlineData("LoadForecaster", "[Input(24, 3)]\n[Lstm(128)]\n[Dense(1)]\npublic partial class LoadForecaster { }\n")]
    [InlineData("Reviews", "[Embedding(10000, 32, MaskZero = true)]\n[Bidirectional, Gru(64, ReturnSequences = true)]\n[Lstm(32)]\n[Dense(1, Sigmoid)]\npublic partial class Reviews { }\n")]
    [InlineData("StackedBackwards", "[Embedding(1000, 16, MaskZero = true, InputLength = 40)]\n[SimpleRnn(24, Relu, ReturnSequences = true, GoBackwards = true)]\n[Bidirectional(MergeMode.Ave), SimpleRnn(8)]\n[Dense(3, Softmax)]\npublic partial class StackedBackwards { }\n")]
    public void Generated_source_matches_snapshot(string name, string declaration)
    {
        var result = GeneratorHarness.Run(Usings + declaration);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        Assert.Equal(new[] { "Tutorials." + name + ".g.cs" }, result.Sources.Keys.ToArray());
        Snapshot.Verify(name, result.Sources.Values.Single());
    }
}
