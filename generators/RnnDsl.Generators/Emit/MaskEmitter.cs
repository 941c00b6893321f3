using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>How the generated code passes the mask to a method and asks it whether a step is padding.</summary>
internal static class MaskEmitter
{
    /// <summary>The argument that carries the mask into a layer's method (with a trailing separator), or nothing.</summary>
    public static string Argument(LayerSpec layer) => layer.Masked ? "tokens, " : string.Empty;

    /// <summary>The parameter that receives the mask (with a trailing separator), or nothing.</summary>
    public static string Parameter(ModelSpec model, LayerSpec layer) => layer.Masked ? model.Names.ReadOnlySpan + "<int> tokens, " : string.Empty;

    /// <summary>The condition that step <paramref name="step"/> is padding.</summary>
    public static string IsPadding(string step) => "tokens[" + step + "] == 0";
}
