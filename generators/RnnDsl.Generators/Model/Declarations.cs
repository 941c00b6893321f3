using RnnDsl.Generators.Diagnostics;
using RnnDsl.Generators.Helpers;

namespace RnnDsl.Generators.Model;

/// <summary>
/// One RnnDsl attribute as the user wrote it, read by its own reader (<see cref="Parsing.AttributeReaders"/>)
/// with its real argument names and types; arguments the user left out hold the attribute's defaults.
/// </summary>
internal abstract record AttributeDeclaration(LocationInfo? Location)
{
    /// <summary>How the user wrote the layer, for messages: <c>SimpleRnn(64)</c>, <c>Embedding(10000, 32)</c>.</summary>
    public abstract string Describe();
}

/// <summary><c>[Embedding(inputDim, outputDim, MaskZero, InputLength)]</c>.</summary>
internal sealed record EmbeddingDeclaration(LocationInfo? Location, int InputDim, int OutputDim, bool MaskZero, int InputLength)
    : AttributeDeclaration(Location)
{
    public override string Describe() => Text.Invariant($"Embedding({InputDim}, {OutputDim})");
}

/// <summary><c>[Input(features)]</c> or <c>[Input(timesteps, features)]</c>.</summary>
internal sealed record InputDeclaration(LocationInfo? Location, bool HasTimesteps, int Timesteps, int Features, bool MaskZero)
    : AttributeDeclaration(Location)
{
    public override string Describe() => HasTimesteps ? Text.Invariant($"Input({Timesteps}, {Features})") : Text.Invariant($"Input({Features})");
}

/// <summary>What every recurrent layer attribute has: units, the state activation and the Keras RNN options.</summary>
internal abstract record RecurrentDeclaration(LocationInfo? Location, int Units, int Activation, bool ReturnSequences, bool GoBackwards)
    : AttributeDeclaration(Location)
{
    /// <summary>The cell this attribute declares.</summary>
    public abstract CellKind Cell { get; }

    /// <summary>Keras <c>dropout</c>: the fraction of the input dropped while training.</summary>
    public float InputDropout { get; init; }

    /// <summary>Keras <c>recurrent_dropout</c>: the fraction of h dropped before the recurrent product while training.</summary>
    public float RecurrentDropout { get; init; }
}

/// <summary><c>[Dropout(rate)]</c>.</summary>
internal sealed record DropoutDeclaration(LocationInfo? Location, float Rate) : AttributeDeclaration(Location)
{
    public override string Describe() => "Dropout(" + Text.Float(Rate) + ")";
}

/// <summary><c>[SimpleRnn(units, activation, ReturnSequences, GoBackwards)]</c>.</summary>
internal sealed record SimpleRnnDeclaration(LocationInfo? Location, int Units, int Activation, bool ReturnSequences, bool GoBackwards)
    : RecurrentDeclaration(Location, Units, Activation, ReturnSequences, GoBackwards)
{
    public override CellKind Cell => CellKind.SimpleRnn;

    public override string Describe() => Text.Invariant($"SimpleRnn({Units})");
}

/// <summary><c>[Lstm(units, activation, recurrentActivation, ReturnSequences, GoBackwards, UnitForgetBias)]</c>.</summary>
internal sealed record LstmDeclaration(LocationInfo? Location, int Units, int Activation, int RecurrentActivation, bool ReturnSequences, bool GoBackwards, bool UnitForgetBias)
    : RecurrentDeclaration(Location, Units, Activation, ReturnSequences, GoBackwards)
{
    public override CellKind Cell => CellKind.Lstm;

    public override string Describe() => Text.Invariant($"Lstm({Units})");
}

/// <summary><c>[Gru(units, activation, recurrentActivation, ReturnSequences, GoBackwards, ResetAfter)]</c>.</summary>
internal sealed record GruDeclaration(LocationInfo? Location, int Units, int Activation, int RecurrentActivation, bool ReturnSequences, bool GoBackwards, bool ResetAfter)
    : RecurrentDeclaration(Location, Units, Activation, ReturnSequences, GoBackwards)
{
    public override CellKind Cell => CellKind.Gru;

    public override string Describe() => Text.Invariant($"Gru({Units})");
}

/// <summary><c>[Bidirectional]</c> or <c>[Bidirectional(mergeMode)]</c>, a modifier of the recurrent layer in the same list.</summary>
internal sealed record BidirectionalDeclaration(LocationInfo? Location, int MergeMode) : AttributeDeclaration(Location)
{
    public override string Describe() => "Bidirectional";
}

/// <summary><c>[Dense(units, activation)]</c>.</summary>
internal sealed record DenseDeclaration(LocationInfo? Location, int Units, int Activation) : AttributeDeclaration(Location)
{
    public override string Describe() => Text.Invariant($"Dense({Units})");
}

/// <summary>One attribute list on the model class: one layer, possibly with the Bidirectional modifier.</summary>
internal sealed record LayerDeclaration(EquatableArray<AttributeDeclaration> Attributes);

/// <summary>How the model type is declared, as far as the rules of the DSL care.</summary>
internal enum TypeShape
{
    Class,
    Record,
}

/// <summary>
/// Everything the parser reads off a model class, as plain values: the validator turns it into a
/// <see cref="ModelSpec"/> or into diagnostics.
/// </summary>
internal sealed record ModelDeclaration(
    string Namespace,
    string ClassName,
    LocationInfo? ClassLocation,
    EquatableArray<LayerDeclaration> Layers)
{
    /// <summary>The namespace as the generated code writes it, each part escaped where it is a keyword (<c>@class</c>).</summary>
    public string NamespaceSyntax { get; init; } = string.Empty;

    public TypeShape Shape { get; init; }

    public bool IsPartial { get; init; } = true;

    public bool IsStatic { get; init; }

    public bool IsGeneric { get; init; }

    /// <summary>Declared <c>file</c>: the generated part, in a file of its own, could not belong to it.</summary>
    public bool IsFileLocal { get; init; }

    /// <summary>The class is abstract: it gets no factory that creates an instance.</summary>
    public bool IsAbstract { get; init; }

    /// <summary>
    /// Names of members the user declared in the class or inherits from its base types (accessible ones), which the
    /// generated members must not repeat.
    /// </summary>
    public EquatableArray<string> UserMembers { get; init; } = EquatableArray<string>.Empty;

    /// <summary>A record with a parameter list; its primary constructor leaves no room for the generated ones.</summary>
    public bool HasPrimaryConstructor { get; init; }

    public string? ContainingTypeName { get; init; }

    public bool LayersInSeveralParts { get; init; }

    /// <summary>The C# language version of the file that declares the model, as Roslyn numbers it (1000 for C# 10, 703 for C# 7.3).</summary>
    public int LanguageVersion { get; init; } = int.MaxValue;

    /// <summary>The brief runtime names something in scope of this class would capture (see <see cref="Parsing.Names"/>).</summary>
    public EquatableArray<string> LocallyShadowed { get; init; } = EquatableArray<string>.Empty;

    /// <summary>How each runtime type is written in this model's generated code; set with the project-wide scope.</summary>
    public RuntimeNames Names { get; init; } = RuntimeNames.Short;

    /// <summary>
    /// Types of the user's project that take a name the generated code needs (a global type named <c>System</c>,
    /// a type with the full name of a runtime type), as "their name: the name they hide".
    /// </summary>
    public EquatableArray<string> HidingTypes { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Set when reading the class failed unexpectedly; reported as RNN019 instead of throwing.</summary>
    public string? Failure { get; init; }
}

/// <summary>The result of one class's transform: a spec to emit (when valid) and diagnostics to report.</summary>
internal sealed record ModelResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
