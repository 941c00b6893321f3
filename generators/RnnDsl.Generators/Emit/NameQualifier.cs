using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using RnnDsl.Generators.Helpers;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// The generated code names runtime types briefly (<c>LinearAlgebra</c>, <c>Span</c>) through using
/// directives. A type or member of the same name in the model's namespaces or in the class itself would
/// win over a using directive, so for exactly those names the emitted text is qualified with <c>global::</c>.
/// </summary>
internal static class NameQualifier
{
    /// <summary>Every type the generated code names without qualification, and its full name.</summary>
    public static readonly IReadOnlyDictionary<string, string> RuntimeTypes = new Dictionary<string, string>
    {
        ["Span"] = "global::System.Span",
        ["ReadOnlySpan"] = "global::System.ReadOnlySpan",
        ["ArgumentException"] = "global::System.ArgumentException",
        ["TensorPrimitives"] = "global::System.Numerics.Tensors.TensorPrimitives",
        ["LinearAlgebra"] = "global::RnnDsl.Kernels.LinearAlgebra",
        ["Activations"] = "global::RnnDsl.Kernels.Activations",
        ["ModelInput"] = "global::RnnDsl.ModelInput",
        ["ThreadScratch"] = "global::RnnDsl.ThreadScratch",
        ["Initializers"] = "global::RnnDsl.Initializers",
        ["SeededRandom"] = "global::RnnDsl.SeededRandom",
        ["LossFunctions"] = "global::RnnDsl.LossFunctions",
        ["Loss"] = "global::RnnDsl.Loss",
        ["ITokenModel"] = "global::RnnDsl.ITokenModel",
        ["IRealValuedModel"] = "global::RnnDsl.IRealValuedModel",
    };

    /// <summary>Qualifies each shadowed name wherever it stands as a whole identifier (not after a dot).</summary>
    public static string Qualify(string source, EquatableArray<string> shadowed)
    {
        foreach (string name in shadowed)
        {
            source = Regex.Replace(source, @"(?<![\w.:])" + name + @"(?!\w)", RuntimeTypes[name]);
        }

        return source;
    }

    /// <summary>The names among <see cref="RuntimeTypes"/> for which <paramref name="isShadowed"/> holds, in a stable order.</summary>
    public static EquatableArray<string> Shadowed(System.Func<string, bool> isShadowed) =>
        RuntimeTypes.Keys.Where(isShadowed).OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray();
}
