using RnnDsl.Generators.Diagnostics;
using RnnDsl.Generators.Helpers;

namespace RnnDsl.Generators.Model;

/// <summary>Which RnnDsl attribute an attribute is. Mirrors the runtime attribute types.</summary>
internal enum AttributeKind
{
    Embedding,
    Input,
    SimpleRnn,
    Bidirectional,
    Dense,
}

/// <summary>One RnnDsl attribute as the user wrote it, with every argument read out (unset ones are defaults).</summary>
internal sealed record AttributeDeclaration(AttributeKind Kind, LocationInfo? Location)
{
    /// <summary>Embedding input_dim; Input timesteps; SimpleRnn and Dense units.</summary>
    public int First { get; init; }

    /// <summary>Embedding output_dim; Input features.</summary>
    public int Second { get; init; }

    /// <summary>The value of the runtime <c>Activation</c> enum (SimpleRnn, Dense).</summary>
    public int Activation { get; init; }

    /// <summary>The value of the runtime <c>MergeMode</c> enum (Bidirectional).</summary>
    public int MergeMode { get; init; }

    public bool MaskZero { get; init; }

    public int InputLength { get; init; }

    public bool ReturnSequences { get; init; }

    public bool GoBackwards { get; init; }

    /// <summary>Input was declared with the (timesteps, features) constructor.</summary>
    public bool HasTimesteps { get; init; }
}

/// <summary>One attribute list on the model class: one layer, possibly with the Bidirectional modifier.</summary>
internal sealed record LayerDeclaration(EquatableArray<AttributeDeclaration> Attributes);

/// <summary>
/// Everything the parser reads off a model class, as plain values: the validator turns it into a
/// <see cref="ModelSpec"/> or into diagnostics.
/// </summary>
internal sealed record ModelDeclaration(
    string Namespace,
    string ClassName,
    LocationInfo? ClassLocation,
    bool IsPartial,
    bool IsStatic,
    bool IsGeneric,
    string? ContainingTypeName,
    bool LayersInSeveralParts,
    EquatableArray<LayerDeclaration> Layers)
{
    /// <summary>Runtime type names that a type or member visible from the model class hides.</summary>
    public EquatableArray<string> ShadowedNames { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Set when reading the class failed unexpectedly; reported as RNN019 instead of throwing.</summary>
    public string? Failure { get; init; }
}

/// <summary>The result of one class's transform: a spec to emit (when valid) and diagnostics to report.</summary>
internal sealed record ModelResult(string FullName, ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
