using System;

namespace RnnDsl.Generators.Model;

/// <summary>
/// How the generated code writes each type it names: briefly (<c>LinearAlgebra</c>, through its using directives),
/// or, where something the user declared would capture the brief name, fully qualified with <c>global::</c>.
/// Emitters write these properties wherever they name a runtime type, so no text is rewritten afterwards.
/// </summary>
internal sealed record RuntimeNames(
    string Span,
    string ReadOnlySpan,
    string ArgumentException,
    string TensorPrimitives,
    string LinearAlgebra,
    string Activations,
    string ModelInput,
    string ThreadScratch,
    string Initializers,
    string SeededRandom,
    string LossFunctions,
    string Loss,
    string ITokenModel,
    string IRealValuedModel,
    string IRnnModel,
    string WeightManifest,
    string WeightInfo,
    string WeightRole,
    string ModelArchitecture,
    string LayerConfig,
    string WeightFiles,
    string DropoutMasks,
    string RnnState,
    string ITokenStepModel,
    string IRealValuedStepModel,
    string BatchParallel,
    bool NameofIsShadowed)
{
    /// <summary>Every brief name the generated code uses and the full name it stands for.</summary>
    public static readonly (string Name, string Namespace)[] Types =
    {
        ("Span", "System"),
        ("ReadOnlySpan", "System"),
        ("ArgumentException", "System"),
        ("TensorPrimitives", "System.Numerics.Tensors"),
        ("LinearAlgebra", "RnnDsl.Kernels"),
        ("Activations", "RnnDsl.Kernels"),
        ("ModelInput", "RnnDsl"),
        ("ThreadScratch", "RnnDsl"),
        ("Initializers", "RnnDsl"),
        ("SeededRandom", "RnnDsl"),
        ("LossFunctions", "RnnDsl"),
        ("Loss", "RnnDsl"),
        ("ITokenModel", "RnnDsl"),
        ("IRealValuedModel", "RnnDsl"),
        ("IRnnModel", "RnnDsl"),
        ("WeightManifest", "RnnDsl"),
        ("WeightInfo", "RnnDsl"),
        ("WeightRole", "RnnDsl"),
        ("ModelArchitecture", "RnnDsl"),
        ("LayerConfig", "RnnDsl"),
        ("WeightFiles", "RnnDsl"),
        ("DropoutMasks", "RnnDsl"),
        ("RnnState", "RnnDsl"),
        ("ITokenStepModel", "RnnDsl"),
        ("IRealValuedStepModel", "RnnDsl"),
        ("BatchParallel", "RnnDsl"),
    };

    /// <summary>The namespaces the generated file imports, in the order of its using directives.</summary>
    public static readonly string[] ImportedNamespaces = { "System", "System.Numerics.Tensors", "RnnDsl", "RnnDsl.Kernels" };

    public static RuntimeNames Short { get; } = Create(_ => false);

    /// <summary>Qualifies exactly the names for which <paramref name="isShadowed"/> holds.</summary>
    public static RuntimeNames Create(Func<string, bool> isShadowed)
    {
        string Name(string name) => isShadowed(name) ? "global::" + Array.Find(Types, t => t.Name == name).Namespace + "." + name : name;
        return new RuntimeNames(
            Name("Span"),
            Name("ReadOnlySpan"),
            Name("ArgumentException"),
            Name("TensorPrimitives"),
            Name("LinearAlgebra"),
            Name("Activations"),
            Name("ModelInput"),
            Name("ThreadScratch"),
            Name("Initializers"),
            Name("SeededRandom"),
            Name("LossFunctions"),
            Name("Loss"),
            Name("ITokenModel"),
            Name("IRealValuedModel"),
            Name("IRnnModel"),
            Name("WeightManifest"),
            Name("WeightInfo"),
            Name("WeightRole"),
            Name("ModelArchitecture"),
            Name("LayerConfig"),
            Name("WeightFiles"),
            Name("DropoutMasks"),
            Name("RnnState"),
            Name("ITokenStepModel"),
            Name("IRealValuedStepModel"),
            Name("BatchParallel"),
            isShadowed("nameof"));
    }

    /// <summary><c>nameof(x)</c>, or the string <c>"x"</c> where a symbol named <c>nameof</c> would capture the operator.</summary>
    public string NameOf(string identifier) => NameofIsShadowed ? "\"" + identifier + "\"" : "nameof(" + identifier + ")";
}
