using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace RnnDsl.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. IDs are stable and sequential; messages quote the user's
/// own names and say what to write instead. The table is mirrored in README.md and AnalyzerReleases.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "RnnDsl";

    public static readonly DiagnosticDescriptor ClassNotPartial = Create(
        "RNN001",
        "Model class must be partial",
        "Model '{0}' is declared with layer attributes but is not partial; write 'partial class {0}' so RnnDsl can add the generated code",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NoLayers = Create(
        "RNN002",
        "Model has no layers",
        "Model '{0}' has an input but no layers after it; add at least one layer such as [SimpleRnn(32)] or [Dense(1)]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MissingInputLayer = Create(
        "RNN003",
        "Model has no input layer",
        "Model '{0}' starts with {1}; the first layer must be [Embedding(vocabulary, dimension)] for token ids or [Input(timesteps, features)] for real values",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor RepeatedInputLayer = Create(
        "RNN004",
        "Input layer declared twice",
        "Model '{0}' declares a second input layer {1}; a model has exactly one [Embedding] or [Input], as its first layer",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InputLayerNotFirst = Create(
        "RNN005",
        "Input layer is not first",
        "Model '{0}' declares {1} as layer {2}; move it to the top so it is the first attribute list on the class",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor BidirectionalWithoutRecurrent = Create(
        "RNN006",
        "Bidirectional needs a recurrent layer",
        "Bidirectional in model '{0}' has no recurrent layer beside it; write it in the same list as the layer it wraps, as in [Bidirectional, SimpleRnn(64)]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SeveralLayersInOneList = Create(
        "RNN007",
        "More than one layer in one attribute list",
        "Model '{0}' declares {1} and {2} in one attribute list; each attribute list is one layer, so put each in its own [...]",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor RecurrentAfterVector = Create(
        "RNN008",
        "Recurrent layer needs a sequence",
        "{1} in model '{0}' receives one vector per sequence because {2} does not return sequences; set ReturnSequences = true on {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NonPositiveSize = Create(
        "RNN009",
        "Size must be positive",
        "{1} in model '{0}' has {2} = {3}; it must be at least 1",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SoftmaxOnOneUnit = Create(
        "RNN010",
        "Softmax over one unit is always 1",
        "{1} in model '{0}' applies Softmax to a single unit, which always outputs 1; for a binary output write Dense(1, Sigmoid), or use Dense(2, Softmax)",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor MaskZeroWithoutEmbedding = Create(
        "RNN011",
        "MaskZero needs an embedding",
        "Input in model '{0}' sets MaskZero, but masking of padding token 0 applies only to [Embedding(..., MaskZero = true)]; pass real-valued sequences at their own length instead of padding them",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NestedClass = Create(
        "RNN012",
        "Nested model classes are not supported",
        "Model '{0}' is nested inside '{1}'; declare it as a top-level class in a namespace",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor GenericClass = Create(
        "RNN013",
        "Generic model classes are not supported",
        "Model '{0}' is generic; a model's sizes are fixed, so declare it without type parameters",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor StaticClass = Create(
        "RNN014",
        "Static model classes are not supported",
        "Model '{0}' is static; models hold their weights in an instance, so remove 'static'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LayersInSeveralParts = Create(
        "RNN015",
        "Layers declared on several partial declarations",
        "Model '{0}' declares layers on more than one partial declaration, so their order is ambiguous; put all layer attributes on one declaration",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor GoBackwardsInsideBidirectional = Create(
        "RNN016",
        "GoBackwards inside Bidirectional is not supported",
        "{1} in model '{0}' sets GoBackwards inside Bidirectional, which already reads the sequence both ways; remove GoBackwards",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnknownEnumValue = Create(
        "RNN017",
        "Unknown enum value",
        "{1} in model '{0}' has {2} = {3}, which is not a defined value; use one of {4}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedRecurrentActivation = Create(
        "RNN018",
        "Activation not supported on a recurrent layer",
        "{1} in model '{0}' uses Softmax as its state activation, which is not supported; use Tanh (the default), Relu, Sigmoid or Linear",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InternalError = Create(
        "RNN019",
        "RnnDsl generator failure",
        "RnnDsl could not generate model '{0}': {1}; please report this with the declaration",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ClassNamedLikeGeneratedMember = Create(
        "RNN020",
        "Model class named like a generated member",
        "Model class '{0}' has the name of a member RnnDsl generates for every model; rename the class, for example to '{0}Model'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TooManyParameters = Create(
        "RNN021",
        "Model too large",
        "Model '{0}' has {1} parameters; one buffer holds at most 2,147,483,591 floats (the largest .NET array), so make a layer smaller (the largest is {2})",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor RecordModel = Create(
        "RNN022",
        "Model declared as a record",
        "Model '{0}' is a record; a model holds mutable weights, which value equality does not suit, so declare it as 'partial class {0}'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor LanguageVersionTooOld = Create(
        "RNN023",
        "C# version too old for the generated code",
        "Model '{0}' is compiled as C# {1}, but RnnDsl's generated code needs C# 10 or later; remove the LangVersion setting or set <LangVersion>10</LangVersion> or later",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TypeHidesRuntimeName = Create(
        "RNN024",
        "A type of the project hides a name the generated code needs",
        "The type '{1}' declared in this project hides {2}, which the generated code of model '{0}' needs even fully qualified; rename '{1}'",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TooMuchWorkingMemory = Create(
        "RNN025",
        "Model too wide to run",
        "Model '{0}' would need about {1} floats of working memory per step, more than one buffer holds; make its layers narrower",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor FileLocalModel = Create(
        "RNN026",
        "File-local model classes are not supported",
        "Model '{0}' is declared 'file', but its generated part lives in a file of its own and could not belong to it; remove 'file' (use 'internal' to keep it out of other assemblies)",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MemberNamedLikeGeneratedMember = Create(
        "RNN027",
        "Member named like a generated member",
        "Model '{0}' declares or inherits '{1}', which RnnDsl generates for this model; rename it",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedGateActivation = Create(
        "RNN028",
        "Activation not supported on a recurrent layer's gates",
        "{1} in model '{0}' uses Softmax as its recurrentActivation (the gates' activation), which is not supported; use Sigmoid (the default), Tanh, Relu or Linear",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DropoutRateOutOfRange = Create(
        "RNN029",
        "Dropout rate out of range",
        "{1} in model '{0}' has {2} = {3}; a dropout rate is the fraction dropped while training and must be at least 0 and less than 1",
        DiagnosticSeverity.Error);

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = typeof(DiagnosticDescriptors)
        .GetFields()
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToDictionary(d => d.Id);

    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values.OrderBy(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true,
            helpLinkUri: "https://github.com/rnndsl/rnndsl#" + id.ToLowerInvariant());
}
