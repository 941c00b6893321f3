using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace RnnDsl.Generators.Tests.Fuzzing;

/// <summary>One source file of a fuzz case.</summary>
internal sealed record FuzzFile(string Path, string Text);

/// <summary>
/// A random compilation built from one seed: source files that compile on their own (without the
/// generator), the language version to parse them with, and a one-line description of what was drawn.
/// </summary>
internal sealed record FuzzCase(int Seed, string Description, ImmutableArray<FuzzFile> Files, LanguageVersion LanguageVersion)
{
    /// <summary>All files, each under a header line naming its path, for failure reports.</summary>
    public string Listing() =>
        string.Concat(Files.Select(f => "// ---- " + f.Path + " ----\n" + f.Text + (f.Text.EndsWith('\n') ? string.Empty : "\n")));
}

/// <summary>
/// Draws random model declarations the way users write them: layers in plausible and implausible orders,
/// sizes from tiny to overflowing, enum values by name, by cast and through <c>using static</c>, constant
/// expressions as arguments, positional and named arguments; namespaces and class names including keywords,
/// runtime type names and names of generated members; records, generics, nesting, partial declarations across
/// files, several models per compilation, and user types named like the runtime types the generated code uses.
/// About 60% of the models are valid, so that the "valid declarations compile" promise gets exercised.
/// Every draw comes from one <see cref="Random"/> seeded with the case's seed, so a seed is a complete repro.
/// </summary>
internal sealed class DeclarationFuzzer
{
    // ---- Name palettes -------------------------------------------------------------------------------------

    private static readonly string[] OrdinaryNames =
    {
        "Model", "Classifier", "Tagger", "Forecaster", "SentimentModel", "Net", "M", "A1", "Model2", "TextModel", "Rnn", "Seq2One",
    };

    private static readonly string[] OrdinaryNamespaces =
    {
        "Demo", "Models", "App.Models", "Company.Product.Ml", "Tests.Fuzz", "Ml", "N",
    };

    /// <summary>Keywords, usable only as verbatim identifiers.</summary>
    private static readonly string[] KeywordNames = { "@string", "@int", "@class", "@event", "@this", "@object", "@namespace", "@base", "@operator", "@params" };

    /// <summary>Contextual keywords, which are ordinary identifiers as type names (those C# still allows).</summary>
    private static readonly string[] ContextualNames = { "var", "async", "dynamic", "nameof", "await", "yield", "value", "get", "set", "add", "remove", "when", "where", "select", "from", "@var", "@dynamic", "@async", "partial", "@partial", "global", "unmanaged", "notnull", "args" };

    /// <summary>The runtime types the generated code names without qualification (plus <c>System</c>).</summary>
    private static readonly string[] RuntimeTypeNames =
    {
        "Loss", "Span", "ReadOnlySpan", "ArgumentException", "TensorPrimitives", "LinearAlgebra", "Activations", "ModelInput",
        "ThreadScratch", "Initializers", "SeededRandom", "LossFunctions", "ITokenModel", "IRealValuedModel", "RnnState",
        "ITokenStepModel", "IRealValuedStepModel", "BatchParallel",
    };

    /// <summary>Public members every generated model has (a class of that name is RNN020); the last three only models that can step.</summary>
    private static readonly string[] PublicGeneratedMembers =
    {
        "ParameterCount", "VocabularySize", "Features", "MaxSequenceLength", "OutputWidth", "OutputIsSequence", "OutputLength",
        "DefaultSeed", "Parameters", "Initialize", "Predict", "PredictBatch", "Forward", "Summary", "SummaryText", "StepsOf",
        "MasksPaddingSteps", "LossTermCount", "ComputeGradients", "AccumulateGradients", "CreateState", "Step", "StateLength",
    };

    /// <summary>Private members the generated code has for some layer stacks.</summary>
    private static readonly string[] PrivateGeneratedMembers =
    {
        "RunDense", "RunDense1", "RunEmbedding", "RunSimpleRnn", "RunSimpleRnn1", "RunBidirectional", "RunInputLayer", "BackwardDense",
        "BackwardEmbedding", "BidirectionalRecurrence", "BidirectionalRecurrenceBackward", "BidirectionalMerge", "BidirectionalMergeBackward",
        "SimpleRnnRecurrence", "SimpleRnnRecurrenceBackward", "SimpleRnn1Recurrence", "DenseKernelOffset", "DenseBiasOffset",
        "Dense1KernelOffset", "EmbeddingEmbeddingsOffset", "SimpleRnnKernelOffset", "SimpleRnnRecurrentKernelOffset", "SimpleRnnBiasOffset",
        "BidirectionalForwardKernelOffset", "BidirectionalBackwardBiasOffset", "_parameters", "SimpleRnnStep", "SimpleRnnStateOffset",
        "LstmStep", "GruStateOffset", "ForwardBatch", "BatchLanes", "BidirectionalRecurrenceBatch", "SimpleRnnRecurrenceBatch",
    };

    private static readonly string[] UnicodeNames = { "Modèle", "Модель", "模型", "Δίκτυο", "Ñandú", "Model_ü", "Ǆungla" };

    private static readonly string[] UnicodeNamespaces = { "Modèles", "Модели", "模型库", "Ünïcode.Ns" };

    private static readonly string[] KeywordNamespaces = { "@class", "@event.Models", "Models.@string", "@namespace" };

    private static readonly string[] RuntimeNamespaces = { "Span", "Loss", "LinearAlgebra", "Activations", "Models.Span", "ModelInput", "App.TensorPrimitives", "ThreadScratch" };

    /// <summary>Contextual keywords as namespaces: <c>nameof</c> and <c>var</c> change what expressions mean inside them.</summary>
    private static readonly string[] ContextualNamespaces = { "nameof", "var", "dynamic", "Models.nameof", "App.var", "async", "value" };

    private static readonly string[] RnnDslNamespaces = { "RnnDsl", "RnnDsl.Kernels", "RnnDsl.Models", "RnnDsl.Text" };

    private static readonly string[] SystemNamespaces = { "System.Models", "System", "System.Numerics.Models", "SystemModels" };

    private static readonly string[] OuterNames = { "Outer", "Container", "Host" };

    // Activation: Linear 0, Tanh 1, Sigmoid 2, Relu 3, Softmax 4. MergeMode: Concat 0, Sum 1, Mul 2, Ave 3.
    private static readonly string[] ActivationNames = { "Linear", "Tanh", "Sigmoid", "Relu", "Softmax" };

    private static readonly string[] MergeModeNames = { "Concat", "Sum", "Mul", "Ave" };

    /// <summary>Sizes that are not small: zero, negative, and near the int / Array.MaxLength / float[] limits.</summary>
    private static readonly int[] OddSizes =
    {
        0, -1, -5, int.MinValue, int.MaxValue, 100000, 1 << 20, 65536, 46341, int.MaxValue / 2, int.MaxValue / 3, 1073741796, 1073741800,
        715827882, 2147483591, 2147483592, 2000000000, 50000, 10000,
    };

    // ---- State --------------------------------------------------------------------------------------------

    private readonly Random _random;
    private readonly int _seed;
    private readonly LanguageVersion _version;
    private readonly List<ModelPlan> _models = new();
    private readonly List<ExtraType> _extras = new();
    private readonly HashSet<string> _typeKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _namespaceKeys = new(StringComparer.Ordinal);
    private readonly SortedSet<int> _sizeConstants = new();
    private readonly List<string> _notes = new();
    private FileStyle[] _files = Array.Empty<FileStyle>();
    private bool _globalSystemType;

    private DeclarationFuzzer(int seed)
    {
        _seed = seed;
        _random = new Random(seed);
        double v = _random.NextDouble();
        _version = v < 0.72 ? LanguageVersion.Latest
            : v < 0.80 ? LanguageVersion.CSharp10
            : v < 0.87 ? LanguageVersion.CSharp9
            : v < 0.94 ? LanguageVersion.CSharp8
            : LanguageVersion.CSharp7_3;
    }

    private bool AtLeast(LanguageVersion version) => _version == LanguageVersion.Latest || _version >= version;

    /// <summary>The case for one seed; the same seed always gives the same case.</summary>
    public static FuzzCase Generate(int seed) => new DeclarationFuzzer(seed).Build();

    // ---- Plans --------------------------------------------------------------------------------------------

    private sealed class Layer
    {
        public string Kind = "Dense"; // Embedding, Input, SimpleRnn, Lstm, Gru, Dense, or Bidirectional alone
        public int A; // Embedding inputDim, Input timesteps, SimpleRnn/Dense units
        public int B; // Embedding outputDim, Input features
        public bool HasTimesteps;
        public int? Activation;
        public bool? MaskZero;
        public int? InputLength;
        public bool? ReturnSequences;
        public bool? GoBackwards;
        public int? RecurrentActivation; // Lstm and Gru
        public string? Rate; // Dropout's rate; a recurrent layer's Dropout option (a C# float expression)
        public string? RecurrentRate; // a recurrent layer's RecurrentDropout option
        public bool? CellOption; // Lstm: UnitForgetBias; Gru: ResetAfter
        public int? Bidirectional; // null: none; -1: [Bidirectional]; otherwise the merge mode value
        public bool BidirectionalAfter; // [SimpleRnn(4), Bidirectional] instead of [Bidirectional, SimpleRnn(4)]
        public Layer? SameList; // a second layer in the same attribute list (RNN007)
        public bool Pragma; // wrap this list in #pragma warning disable/restore RNN010
        public bool TypeTarget; // [type: ...]
    }

    private sealed class ModelPlan
    {
        public string? Namespace;
        public string Name = "Model";
        public string Keyword = "class"; // class, record, record class
        public string Access = "public ";
        public string Modifiers = string.Empty; // sealed, abstract, static
        public bool Partial = true;
        public bool Generic;
        public string? Outer;
        public bool OuterPartial = true;
        public List<Layer> Layers = new();
        public int SplitAt = -1; // with a second part: layers from this index go on the second part (== Count: none)
        public int File;
        public int SecondFile = -1;
        public List<string> Members = new();
        public string? BaseType;
        public string BaseMember = string.Empty;
        public string Notes = string.Empty;
        public bool NonLayerAttribute;
        public bool DocComment;
    }

    private sealed class ExtraType
    {
        public string? Namespace;
        public string Text = string.Empty;
        public int File;
    }

    private sealed class FileStyle
    {
        public bool UsingRnnDsl = true;
        public bool UsingStatic;
        public bool FileScopedAllowed;
        public bool PragmaAtTop;
        public string Path = "Model0.cs";
    }

    private FuzzCase Build()
    {
        int fileCount = Chance(0.6) ? 1 : Chance(0.75) ? 2 : 3;
        int modelCount = Chance(0.55) ? 1 : Chance(0.6) ? 2 : _random.Next(3, 5);
        _files = new FileStyle[fileCount];
        for (int i = 0; i < fileCount; i++)
        {
            _files[i] = new FileStyle
            {
                UsingRnnDsl = Chance(0.85),
                UsingStatic = Chance(0.5),
                FileScopedAllowed = AtLeast(LanguageVersion.CSharp10) && Chance(0.6),
                Path = Chance(0.1) ? "Models/Sub" + i + "/File" + i + ".cs" : "Model" + i + ".cs",
            };
        }

        if (Chance(0.03))
        {
            _globalSystemType = true;
            _typeKeys.Add("System");
            _notes.Add("global class System");
        }

        for (int i = 0; i < modelCount; i++)
        {
            _models.Add(NewModel(i));
        }

        if (Chance(0.3))
        {
            AddExtraTypes();
        }

        // A global using alias (C# 10) named like a runtime type: it applies to the generated files too.
        string? globalAlias = null;
        if (AtLeast(LanguageVersion.CSharp10) && Chance(0.04))
        {
            string alias = Pick(RuntimeTypeNames.Where(n => n is not ("Span" or "ReadOnlySpan")).ToArray());
            if (!_typeKeys.Contains(alias) && !_typeKeys.Contains(alias + "`1") && !_namespaceKeys.Contains(alias) && !_typeKeys.Contains("System"))
            {
                globalAlias = "global using " + alias + " = " + Pick(new[] { "global::System.String", "global::System.Math", "global::System.Collections.Generic.List<int>" }) + ";\n";
                _notes.Add("global using alias " + alias);
            }
        }

        // A global using of a namespace, or a global using static of a type, that brings in a type named like a runtime type.
        string? globalImport = null;
        if (AtLeast(LanguageVersion.CSharp10) && Chance(0.04))
        {
            string name = Pick(RuntimeTypeNames.Where(n => n is not ("Span" or "ReadOnlySpan")).ToArray());
            if (!_typeKeys.Contains(name) && !_typeKeys.Contains(name + "`1") && !_namespaceKeys.Contains(name) && !_typeKeys.Contains("System") && globalAlias?.Contains(" " + name + " ") != true)
            {
                globalImport = Chance(0.5)
                    ? "global using static FuzzImports.Holder;\nnamespace FuzzImports\n{\n    public static class Holder\n    {\n        public static class " + name + " { }\n    }\n}\n"
                    : "global using FuzzImports.Library;\nnamespace FuzzImports.Library\n{\n    public static class " + name + " { }\n}\n";
                _notes.Add((globalImport.Contains("static", StringComparison.Ordinal) ? "global using static" : "global using") + " bringing " + name);
            }
        }

        var files = new List<FuzzFile>();
        if (globalAlias is not null)
        {
            files.Add(new FuzzFile("GlobalUsings.cs", globalAlias));
        }

        if (globalImport is not null)
        {
            files.Add(new FuzzFile("GlobalImports.cs", globalImport));
        }

        for (int i = 0; i < _files.Length; i++)
        {
            files.Add(new FuzzFile(_files[i].Path, RenderFile(i)));
        }

        if (_sizeConstants.Count > 0 || _globalSystemType)
        {
            var sizes = new StringBuilder();
            if (_sizeConstants.Count > 0)
            {
                sizes.Append("internal static class FuzzSizes\n{\n");
                foreach (int size in _sizeConstants)
                {
                    sizes.Append("    public const int ").Append(SizeConstantName(size)).Append(" = ").Append(IntLiteral(size)).Append(";\n");
                }

                sizes.Append("}\n");
            }

            if (_globalSystemType)
            {
                sizes.Append("internal class System\n{\n}\n");
            }

            files.Add(new FuzzFile("Shared.cs", sizes.ToString()));
        }

        string version = _version == LanguageVersion.Latest ? "latest" : _version.ToDisplayString();
        string description = "C# " + version + "; " + string.Join("; ", _models.Select(m => m.Notes))
            + (_notes.Count > 0 ? "; " + string.Join(", ", _notes) : string.Empty);
        return new FuzzCase(_seed, description, files.ToImmutableArray(), _version);
    }

    // ---- Models -------------------------------------------------------------------------------------------

    private ModelPlan NewModel(int index)
    {
        var model = new ModelPlan { File = _random.Next(_files.Length) };
        var notes = new List<string>();
        bool related = index > 0 && Chance(0.45) && TryRelate(model, _models[_random.Next(index)], notes);
        if (!related)
        {
            for (int attempt = 0; ; attempt++)
            {
                model.Namespace = attempt < 20 ? DrawNamespace() : "Fallback" + index;
                model.Name = attempt < 20 ? DrawName(notes) : "Model" + index + "_" + attempt;
                if (Register(model))
                {
                    break;
                }

                notes.Clear();
            }
        }

        DrawShape(model, notes);
        bool valid = Chance(0.58);
        model.Layers = ValidLayers(model);
        if (!valid)
        {
            int mutations = Chance(0.8) ? 1 : 2;
            for (int i = 0; i < mutations; i++)
            {
                Mutate(model, notes);
            }
        }

        if (_files.Length > 1 && model.Outer is null && Chance(0.25) && model.Partial && !model.Generic)
        {
            model.SecondFile = (model.File + 1 + _random.Next(_files.Length - 1)) % _files.Length;
            model.SplitAt = Chance(0.8) ? model.Layers.Count : Chance(0.5) ? 0 : _random.Next(1, Math.Max(2, model.Layers.Count));
            notes.Add(model.SplitAt == model.Layers.Count ? "second partial part without layers"
                : model.SplitAt == 0 ? "layers only on the second partial part" : "layers on both partial parts");
        }

        if (Chance(0.3))
        {
            AddMembers(model, notes);
        }

        if (Chance(0.08) && model.Keyword == "class" && !model.Modifiers.Contains("static", StringComparison.Ordinal))
        {
            model.BaseType = (Chance(0.75) ? "ModelBaseWithRuntimeNames" : "ModelBaseWithGeneratedNames") + index.ToString(CultureInfo.InvariantCulture);
            bool runtimeNames = model.BaseType.StartsWith("ModelBaseWithRuntimeNames", StringComparison.Ordinal);
            string member = runtimeNames ? Pick(RuntimeTypeNames) : Pick(PrivateGeneratedMembers.Concat(new[] { "Summary", "Predict" }).ToArray());
            if (model.Members.Any(m => m.Contains(" " + member + " ", StringComparison.Ordinal) || m.Contains(" " + member + "(", StringComparison.Ordinal))
                || Plain(model.Name) == member)
            {
                model.BaseType = null;
            }
            else
            {
                model.BaseMember = member + (runtimeNames ? " => 0;" : "() => 0;");
                notes.Add("base class " + model.BaseType + " with member " + member);
            }
        }

        model.NonLayerAttribute = Chance(0.1) && !_globalSystemType;
        model.DocComment = Chance(0.15);
        string ns = model.Namespace is null ? "(global)" : model.Namespace;
        model.Notes = ns + "." + model.Name + (model.Generic ? "<T>" : string.Empty) + (model.Outer is null ? string.Empty : " nested in " + model.Outer)
            + " " + model.Access + model.Modifiers + (model.Partial ? "partial " : string.Empty) + model.Keyword
            + " [" + string.Join(" ", model.Layers.Select(Describe)) + "]" + (valid ? string.Empty : " (mutated)")
            + (notes.Count > 0 ? " {" + string.Join(", ", notes) + "}" : string.Empty);
        return model;
    }

    /// <summary>A model whose name or namespace is tied to an earlier one: the collisions users stumble into.</summary>
    private bool TryRelate(ModelPlan model, ModelPlan other, List<string> notes)
    {
        switch (_random.Next(6))
        {
            case 0:
                model.Name = other.Name;
                model.Namespace = DrawNamespace();
                notes.Add("same name as another model, other namespace");
                break;
            case 1:
                model.Name = FlipCase(other.Name);
                model.Namespace = other.Namespace;
                notes.Add("name differs from another model's only in case");
                break;
            case 2:
                model.Name = other.Name;
                model.Namespace = other.Namespace is null ? "Models" : FlipCase(other.Namespace);
                notes.Add("namespace differs from another model's only in case");
                break;
            case 3:
                model.Name = other.Name;
                model.Namespace = other.Namespace;
                model.Generic = !other.Generic;
                notes.Add(model.Generic ? "generic twin of another model" : "non-generic twin of a generic model");
                break;
            case 4:
                model.Name = other.Name;
                model.Namespace = other.Namespace;
                if (other.Outer is not null || other.Generic)
                {
                    return false;
                }

                model.Outer = OuterNames[_random.Next(OuterNames.Length)];
                model.OuterPartial = Chance(0.5);
                notes.Add("nested twin of another model");
                break;
            default:
                model.Name = other.Name + "2";
                model.Namespace = other.Namespace;
                notes.Add("same namespace as another model");
                break;
        }

        if (Register(model))
        {
            return true;
        }

        notes.Clear();
        model.Generic = false;
        model.Outer = null;
        return false;
    }

    /// <summary>Records the model's type and namespaces; false if that would declare something twice.</summary>
    private bool Register(ModelPlan model)
    {
        string ns = Plain(model.Namespace);
        string container = model.Outer is null ? ns : Join(ns, model.Outer);
        string key = Join(container, Plain(model.Name)) + (model.Generic ? "`1" : string.Empty);
        string anyArity = Join(container, Plain(model.Name));
        if (_typeKeys.Contains(key) || _namespaceKeys.Contains(anyArity) || NamespacePrefixes(ns).Any(p => _typeKeys.Contains(p) || _typeKeys.Contains(p + "`1")))
        {
            return false;
        }

        if (model.Outer is not null && (_namespaceKeys.Contains(Join(ns, model.Outer))
            || _typeKeys.Contains(Join(ns, model.Outer) + "`1")))
        {
            return false;
        }

        if (RuntimeFullNames.Contains(Join(ns, Plain(model.Name))) || (_globalSystemType && ns.Length == 0 && Plain(model.Name) == "System")
            || (_globalSystemType && NamespacePrefixes(ns).Contains("System")))
        {
            return false;
        }

        _typeKeys.Add(key);
        if (model.Outer is not null)
        {
            _typeKeys.Add(Join(ns, model.Outer));
        }

        foreach (string prefix in NamespacePrefixes(ns))
        {
            _namespaceKeys.Add(prefix);
        }

        return true;
    }

    /// <summary>
    /// Full names of the runtime's types (and the System types the generated code uses). A user type with one of
    /// these exact names conflicts with the referenced one wherever it is used, which no generator can help.
    /// </summary>
    private static readonly HashSet<string> RuntimeFullNames = new(
        typeof(EmbeddingAttribute).Assembly.GetExportedTypes().Select(t => t.FullName!.Split('`')[0].Replace('+', '.'))
            .Concat(new[] { "System.Span", "System.ReadOnlySpan", "System.ArgumentException", "System.Numerics.Tensors.TensorPrimitives" }),
        StringComparer.Ordinal);

    private static IEnumerable<string> NamespacePrefixes(string ns)
    {
        if (ns.Length == 0)
        {
            yield break;
        }

        string[] parts = ns.Split('.');
        for (int i = 1; i <= parts.Length; i++)
        {
            yield return string.Join(".", parts.Take(i));
        }
    }

    private static string Plain(string? name) => name is null ? string.Empty : string.Join(".", name.Split('.').Select(p => p.TrimStart('@')));

    private static string Join(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

    private string? DrawNamespace()
    {
        double r = _random.NextDouble();
        return r < 0.2 ? null
            : r < 0.55 ? Pick(OrdinaryNamespaces)
            : r < 0.63 ? Pick(KeywordNamespaces)
            : r < 0.73 ? Pick(RuntimeNamespaces)
            : r < 0.81 ? Pick(RnnDslNamespaces)
            : r < 0.87 ? Pick(SystemNamespaces)
            : r < 0.90 ? Pick(UnicodeNamespaces)
            : r < 0.93 ? Pick(ContextualNamespaces)
            : Chance(0.5) ? "models" : "MODELS";
    }

    private string DrawName(List<string> notes)
    {
        double r = _random.NextDouble();
        string name;
        if (r < 0.52)
        {
            name = Pick(OrdinaryNames);
        }
        else if (r < 0.60)
        {
            name = Pick(KeywordNames);
            notes.Add("keyword name");
        }
        else if (r < 0.67)
        {
            name = Pick(ContextualNames);
            if (!AtLeast(LanguageVersion.CSharp9) && Chance(0.3))
            {
                name = "record";
            }

            notes.Add("contextual keyword name");
        }
        else if (r < 0.78)
        {
            name = Chance(0.93) ? Pick(RuntimeTypeNames) : "System";
            notes.Add("runtime type name");
        }
        else if (r < 0.83)
        {
            name = Pick(PrivateGeneratedMembers);
            notes.Add("private generated member name");
        }
        else if (r < 0.86)
        {
            name = Pick(PublicGeneratedMembers);
            notes.Add("public generated member name (RNN020)");
        }
        else if (r < 0.93)
        {
            name = Pick(UnicodeNames);
            notes.Add("Unicode name");
        }
        else
        {
            name = FlipCase(Pick(OrdinaryNames));
            notes.Add("lower/upper-case name");
        }

        return name;
    }

    private void DrawShape(ModelPlan model, List<string> notes)
    {
        double access = _random.NextDouble();
        model.Access = access < 0.65 ? "public " : access < 0.9 ? "internal " : string.Empty;
        if (model.Outer is not null)
        {
            model.Access = Chance(0.5) ? "public " : "private ";
        }

        double shape = _random.NextDouble();
        if (shape < 0.08 && AtLeast(LanguageVersion.CSharp9) && !model.Generic && model.Outer is null)
        {
            model.Keyword = Chance(0.5) || !AtLeast(LanguageVersion.CSharp10) ? "record" : "record class";
            notes.Add("record");
        }

        double modifiers = _random.NextDouble();
        if (modifiers < 0.08)
        {
            model.Modifiers = "sealed ";
        }
        else if (modifiers < 0.11)
        {
            model.Modifiers = "abstract ";
        }
        else if (modifiers < 0.14 && model.Keyword == "class")
        {
            model.Modifiers = "static ";
        }

        if (Chance(0.02) && model.Outer is null && _version == LanguageVersion.Latest && !model.Generic)
        {
            model.Access = string.Empty;
            model.Modifiers = "file " + model.Modifiers;
            notes.Add("file-local type");
        }
    }

    // ---- Layers -------------------------------------------------------------------------------------------

    private int Small() => Chance(0.6) ? _random.Next(1, 17) : _random.Next(1, 71);

    private int AnySize() => Chance(0.88) ? Small() : Pick(OddSizes);

    private List<Layer> ValidLayers(ModelPlan model)
    {
        var layers = new List<Layer>();
        if (Chance(0.55))
        {
            var embedding = new Layer { Kind = "Embedding", A = Chance(0.8) ? _random.Next(2, 200) : Pick(new[] { 10000, 5000, 100000, 1 << 16 }), B = Small() };
            if (Chance(0.35))
            {
                embedding.MaskZero = Chance(0.85);
            }

            if (Chance(0.2))
            {
                embedding.InputLength = Chance(0.9) ? Small() : 0;
            }

            layers.Add(embedding);
        }
        else
        {
            layers.Add(new Layer { Kind = "Input", HasTimesteps = Chance(0.5), A = Small(), B = Small(), MaskZero = Chance(0.05) ? false : null });
        }

        int count = Chance(0.1) ? 1 : _random.Next(1, 5);
        bool sequence = true;
        for (int i = 0; i < count; i++)
        {
            bool last = i == count - 1;
            if (sequence && Chance(0.65))
            {
                var rnn = new Layer { Kind = Pick(new[] { "SimpleRnn", "SimpleRnn", "Lstm", "Gru" }), A = Small() };
                if (Chance(0.45))
                {
                    rnn.Activation = _random.Next(4); // Linear, Tanh, Sigmoid, Relu
                }

                if (rnn.Kind != "SimpleRnn" && Chance(0.3))
                {
                    rnn.RecurrentActivation = _random.Next(4);
                }

                if (rnn.Kind == "Lstm" && Chance(0.3))
                {
                    rnn.CellOption = Chance(0.5);
                }
                else if (rnn.Kind == "Gru" && Chance(0.3))
                {
                    rnn.CellOption = Chance(0.6);
                }

                if (Chance(0.3))
                {
                    rnn.Bidirectional = Chance(0.4) ? -1 : _random.Next(4);
                    rnn.BidirectionalAfter = Chance(0.15);
                }

                if (!last || Chance(0.3))
                {
                    rnn.ReturnSequences = !last || Chance(0.5) ? Chance(0.75) : false;
                }

                if (rnn.Bidirectional is null && Chance(0.15))
                {
                    rnn.GoBackwards = Chance(0.8);
                }
                else if (Chance(0.05))
                {
                    rnn.GoBackwards = false;
                }

                if (Chance(0.12))
                {
                    rnn.Rate = Pick(new[] { "0.25f", "0f", "0.5f", "(float)0.1" });
                }

                if (Chance(0.12))
                {
                    rnn.RecurrentRate = Pick(new[] { "0.3f", "0.99f", "0f" });
                }

                sequence = rnn.ReturnSequences == true;
                layers.Add(rnn);
                if (!last && Chance(0.12))
                {
                    layers.Add(new Layer { Kind = "Dropout", Rate = Pick(new[] { "0.5f", "0.2f", "0f", "1f / 3" }) });
                }
            }
            else
            {
                var dense = new Layer { Kind = "Dense", A = Small() };
                if (Chance(0.6))
                {
                    dense.Activation = _random.Next(5);
                    if (dense.Activation == 4 && dense.A == 1 && Chance(0.7))
                    {
                        dense.A = _random.Next(2, 12);
                    }
                }

                layers.Add(dense);
            }
        }

        // Softmax on one unit: a warning (RNN010), still generated; sometimes silenced with #pragma.
        if (Chance(0.06))
        {
            layers.Add(new Layer { Kind = "Dense", A = 1, Activation = 4, Pragma = Chance(0.6) });
        }

        if (Chance(0.05))
        {
            layers[_random.Next(layers.Count)].TypeTarget = true;
        }

        return layers;
    }

    private void Mutate(ModelPlan model, List<string> notes)
    {
        List<Layer> layers = model.Layers;
        Layer RandomLayer() => layers[_random.Next(layers.Count)];
        Layer? Find(string kind) => layers.FirstOrDefault(l => l.Kind == kind);
        switch (_random.Next(22))
        {
            case 0:
            case 1:
            case 2:
            {
                Layer layer = RandomLayer();
                int size = Pick(OddSizes);
                switch (layer.Kind)
                {
                    case "Embedding" when Chance(0.5):
                        layer.B = size;
                        break;
                    case "Embedding" when Chance(0.5):
                        layer.InputLength = size;
                        break;
                    case "Input" when Chance(0.5):
                        layer.B = size;
                        break;
                    case "Input":
                        layer.HasTimesteps = true;
                        layer.A = size;
                        break;
                    default:
                        layer.A = size;
                        break;
                }

                notes.Add("odd size " + size.ToString(CultureInfo.InvariantCulture));
                break;
            }

            case 3:
                layers.RemoveAt(0);
                notes.Add("no input layer");
                break;
            case 4:
                layers.Insert(_random.Next(Math.Min(1, layers.Count), layers.Count + 1), new Layer { Kind = Chance(0.5) ? "Input" : "Embedding", A = Small(), B = Small(), HasTimesteps = Chance(0.3) });
                notes.Add("second input layer");
                break;
            case 5:
            {
                Layer input = layers[0];
                layers.RemoveAt(0);
                layers.Insert(_random.Next(Math.Min(1, layers.Count), layers.Count + 1), input);
                notes.Add("input layer not first");
                break;
            }

            case 6:
                layers.Insert(_random.Next(Math.Min(1, layers.Count), layers.Count + 1), new Layer { Kind = "Bidirectional", Bidirectional = Chance(0.5) ? -1 : _random.Next(4), SameList = Chance(0.5) ? new Layer { Kind = "Dense", A = Small() } : null });
                notes.Add("Bidirectional without a recurrent layer");
                break;
            case 7:
                RandomLayer().SameList = new Layer { Kind = Chance(0.5) ? "SimpleRnn" : "Dense", A = Small() };
                notes.Add("two layers in one list");
                break;
            case 8:
                layers.Add(new Layer { Kind = "SimpleRnn", A = Small() });
                layers.Add(new Layer { Kind = "SimpleRnn", A = Small() });
                notes.Add("recurrent after a vector");
                break;
            case 9:
                if (layers[0].Kind == "Input")
                {
                    layers[0].MaskZero = true;
                    notes.Add("MaskZero on Input");
                }

                break;
            case 10:
                if (model.Outer is null && !model.Generic)
                {
                    model.Outer = OuterNames[_random.Next(OuterNames.Length)];
                    if (!ReRegister(model))
                    {
                        model.Outer = null;
                    }
                    else
                    {
                        model.Access = "public ";
                        model.OuterPartial = Chance(0.5);
                        if (model.Modifiers.StartsWith("file ", StringComparison.Ordinal))
                        {
                            model.Modifiers = model.Modifiers.Substring(5);
                        }

                        if (model.Keyword != "class")
                        {
                            model.Keyword = "class";
                        }

                        notes.Add("nested");
                    }
                }

                break;
            case 11:
                if (!model.Generic && model.Outer is null && model.Keyword == "class")
                {
                    model.Generic = true;
                    if (!ReRegister(model))
                    {
                        model.Generic = false;
                    }
                    else
                    {
                        if (model.Modifiers.StartsWith("file ", StringComparison.Ordinal))
                        {
                            model.Modifiers = model.Modifiers.Substring(5);
                        }

                        notes.Add("generic");
                    }
                }

                break;
            case 12:
                if (model.Keyword == "class")
                {
                    model.Modifiers = (model.Modifiers.StartsWith("file ", StringComparison.Ordinal) ? "file " : string.Empty) + "static ";
                    notes.Add("static");
                }

                break;
            case 13:
                if (model.SecondFile < 0)
                {
                    model.Partial = false;
                    notes.Add("not partial");
                }

                break;
            case 14:
            {
                Layer? rnn = Find("SimpleRnn");
                if (rnn is not null)
                {
                    rnn.Bidirectional ??= -1;
                    rnn.GoBackwards = true;
                    notes.Add("GoBackwards inside Bidirectional");
                }

                break;
            }

            case 15:
            {
                Layer layer = RandomLayer();
                if (layer.Kind is "SimpleRnn" or "Lstm" or "Gru" or "Dense")
                {
                    layer.Activation = Pick(new[] { 5, 7, 42, -1, 100 });
                    notes.Add("undefined activation");
                }
                else if (Find("SimpleRnn") is { } rnn)
                {
                    rnn.Bidirectional = Pick(new[] { 4, 9, 100 });
                    notes.Add("undefined merge mode");
                }

                break;
            }

            case 16:
                if (Find("SimpleRnn") is { } softmaxRnn)
                {
                    softmaxRnn.Activation = 4;
                    notes.Add("Softmax on a recurrent layer");
                }

                break;
            case 17:
                layers.RemoveRange(1, layers.Count - 1);
                notes.Add("no layers after the input");
                break;
            case 18:
            {
                // Too many parameters: a huge layer, or sizes whose total lands just under int.MaxValue.
                int pick = _random.Next(4);
                layers.Clear();
                if (pick == 0)
                {
                    layers.Add(new Layer { Kind = "Input", B = 1 });
                    layers.Add(new Layer { Kind = "SimpleRnn", A = int.MaxValue, Bidirectional = 1 });
                    layers.Add(new Layer { Kind = "Dense", A = 1 });
                }
                else if (pick == 1)
                {
                    layers.Add(new Layer { Kind = "Input", B = 1 });
                    layers.Add(new Layer { Kind = "Dense", A = Pick(new[] { 1073741796, 1073741823, 1073741800 }) });
                }
                else if (pick == 2)
                {
                    layers.Add(new Layer { Kind = "Embedding", A = Pick(new[] { 1 << 20, 100000, 46341 }), B = Pick(new[] { 2048, 46341, 30000 }) });
                    layers.Add(new Layer { Kind = "SimpleRnn", A = Small() });
                }
                else
                {
                    layers.Add(new Layer { Kind = "Input", B = Small() });
                    layers.Add(new Layer { Kind = "SimpleRnn", A = Pick(new[] { 46340, 32768, 65536, 100000 }) });
                }

                notes.Add("huge parameter count");
                break;
            }

            case 19:
                model.Name = Pick(PublicGeneratedMembers);
                if (!ReRegister(model))
                {
                    model.Name = "Model" + _random.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
                    ReRegister(model);
                }
                else
                {
                    notes.Add("public generated member name (RNN020)");
                }

                break;
            case 20:
                if (_files.Length > 1 && model.Outer is null && model.Partial && !model.Generic)
                {
                    model.SecondFile = (model.File + 1) % _files.Length;
                    model.SplitAt = _random.Next(1, Math.Max(2, layers.Count));
                }

                break;
            default:
                if (Find("SimpleRnn") is { } backwards && backwards.Bidirectional is null)
                {
                    backwards.GoBackwards = true;
                    backwards.ReturnSequences = true;
                }
                else
                {
                    layers.Add(new Layer { Kind = "Dense", A = 1, Activation = 4, Pragma = Chance(0.5) });
                }

                break;
        }

        if (layers.Count == 0)
        {
            layers.Add(new Layer { Kind = "Dense", A = Small() });
        }
    }

    /// <summary>Re-registers a model after its name or container changed; false (and nothing changed) on a clash.</summary>
    private bool ReRegister(ModelPlan model)
    {
        // Old registrations stay: a stale key only makes later draws more conservative.
        return Register(model);
    }

    private void AddMembers(ModelPlan model, List<string> notes)
    {
        bool isStatic = model.Modifiers.Contains("static ", StringComparison.Ordinal);
        string s = isStatic ? "static " : string.Empty;
        int count = _random.Next(1, 3);
        for (int i = 0; i < count; i++)
        {
            switch (_random.Next(11))
            {
                case 0:
                case 1:
                    model.Members.Add("public " + s + "int Extra" + i + " => " + i + ";");
                    break;
                case 2:
                    if (!isStatic && model.Keyword == "class" && !model.Members.Any(m => m.Contains("ToString", StringComparison.Ordinal)))
                    {
                        model.Members.Add("public override string ToString() => \"model\";");
                    }

                    break;
                case 3:
                {
                    string name = Pick(RuntimeTypeNames);
                    if (!model.Members.Any(m => m.Contains(" " + name + " ", StringComparison.Ordinal)) && Plain(model.Name) != name)
                    {
                        model.Members.Add("public " + s + "int " + name + " => 0;");
                        notes.Add("member named " + name);
                    }

                    break;
                }

                case 4:
                {
                    string name = Pick(RuntimeTypeNames);
                    if (!model.Members.Any(m => m.Contains(" " + name + " ", StringComparison.Ordinal)) && Plain(model.Name) != name)
                    {
                        model.Members.Add((Chance(0.5) ? "public sealed class " : "internal enum ") + name + " { }");
                        notes.Add("nested type named " + name);
                    }

                    break;
                }

                case 5:
                    if (!isStatic && Plain(model.Name) != "Predict" && !model.Members.Any(m => m.Contains(" Predict", StringComparison.Ordinal)))
                    {
                        model.Members.Add("public void Predict(string text) { }");
                        notes.Add("Predict(string) overload");
                    }

                    break;
                case 6:
                    if (Chance(0.4))
                    {
                        string name = Chance(0.7) ? Pick(PrivateGeneratedMembers) : Pick(PublicGeneratedMembers);
                        if (Plain(model.Name) != name && !model.Members.Any(m => m.Contains(" " + name + " ", StringComparison.Ordinal) || m.Contains(" " + name + "(", StringComparison.Ordinal)))
                        {
                            model.Members.Add("public " + s + "int " + name + " => 0;");
                            notes.Add("member named like generated member " + name);
                        }
                    }

                    break;
                case 7:
                    model.Members.Add("public const int Hidden" + i + " = " + Small() + ";");
                    break;
                case 9 when !isStatic && Chance(0.3) && !model.Members.Any(m => m.Contains(model.Name + "(", StringComparison.Ordinal)):
                    // A constructor of the user's own: parameterless, or with the generated one's (int seed).
                    model.Members.Add("public " + model.Name + (Chance(0.7) ? "()" : "(int seed)") + " { }");
                    notes.Add("user constructor");
                    break;
                case 8 when Chance(0.3) && Plain(model.Name) is not ("var" or "nameof")
                    && !model.Members.Any(m => m.Contains(" var ", StringComparison.Ordinal) || m.Contains(" nameof(", StringComparison.Ordinal)):
                    model.Members.Add(Chance(0.5) ? "public sealed class var { }" : "public static void nameof(object value) { }");
                    notes.Add("member named var or nameof");
                    break;
                default:
                    model.Members.Add("private " + s + "int Helper" + i + "() => " + i + ";");
                    break;
            }
        }
    }

    private void AddExtraTypes()
    {
        int count = _random.Next(1, 4);
        for (int i = 0; i < count; i++)
        {
            ModelPlan? model = _models.Count > 0 ? _models[_random.Next(_models.Count)] : null;
            double where = _random.NextDouble();
            string? ns;
            string name;
            if (where < 0.4 && model is not null)
            {
                ns = model.Namespace;
                name = Pick(RuntimeTypeNames);
            }
            else if (where < 0.65)
            {
                ns = null;
                name = Pick(RuntimeTypeNames);
            }
            else if (where < 0.85)
            {
                // Names that exist in RnnDsl.Kernels or System but not in RnnDsl itself.
                ns = "RnnDsl";
                name = Pick(new[] { "Activations", "LinearAlgebra", "Span", "ReadOnlySpan", "ArgumentException", "TensorPrimitives" });
            }
            else
            {
                // Names that exist in RnnDsl but not in RnnDsl.Kernels.
                ns = "RnnDsl.Kernels";
                name = Pick(new[] { "ModelInput", "ThreadScratch", "Initializers", "SeededRandom", "LossFunctions", "Loss", "ITokenModel", "IRealValuedModel", "Span", "TensorPrimitives" });
            }

            if (Chance(0.15))
            {
                // Contextual keywords as type or namespace names: a type named var, a namespace named nameof.
                name = Pick(new[] { "var", "nameof", "dynamic" });
                if (Chance(0.5))
                {
                    ns = ns is null ? name : ns + "." + name;
                    name = "Helper";
                }
            }

            bool generic = name is "Span" or "ReadOnlySpan" && Chance(0.5);
            string key = Join(Plain(ns), name) + (generic ? "`1" : string.Empty);
            if (_typeKeys.Contains(key) || RuntimeFullNames.Contains(Join(Plain(ns), name)) || _namespaceKeys.Contains(Join(Plain(ns), name)) || NamespacePrefixes(Plain(ns)).Any(p => _typeKeys.Contains(p)))
            {
                continue;
            }

            _typeKeys.Add(key);
            foreach (string prefix in NamespacePrefixes(Plain(ns)))
            {
                _namespaceKeys.Add(prefix);
            }

            string text = _random.Next(4) switch
            {
                0 => "public class " + name + (generic ? "<T>" : string.Empty) + " { }",
                1 => "public struct " + name + (generic ? "<T>" : string.Empty) + " { }",
                2 when !generic => "public enum " + name + " { Mine }",
                _ => "public static class " + name + (generic ? "<T>" : string.Empty) + " { public static int Value => 1; }",
            };
            _extras.Add(new ExtraType { Namespace = ns, Text = text, File = _random.Next(_files.Length) });
            _notes.Add("user type " + Join(Plain(ns), name) + (generic ? "<T>" : string.Empty));
        }
    }

    // ---- Rendering ----------------------------------------------------------------------------------------

    private string RenderFile(int index)
    {
        FileStyle style = _files[index];
        var groups = new List<(string? Namespace, List<string> Types)>();
        void Add(string? ns, string text)
        {
            int found = groups.FindIndex(g => g.Namespace == ns);
            if (found < 0)
            {
                groups.Add((ns, new List<string>()));
                found = groups.Count - 1;
            }

            groups[found].Types.Add(text);
        }

        foreach (ModelPlan model in _models)
        {
            if (model.File == index)
            {
                Add(model.Namespace, RenderModel(model, style, first: true));
            }

            if (model.SecondFile == index)
            {
                Add(model.Namespace, RenderModel(model, style, first: false));
            }

            if (model.BaseType is not null && model.File == index)
            {
                string baseText = "public abstract class " + model.BaseType + "\n{\n    public int " + model.BaseMember + "\n}";
                if (!groups.Any(g => g.Namespace == model.Namespace && g.Types.Any(t => t.Contains("class " + model.BaseType + "\n", StringComparison.Ordinal))))
                {
                    Add(model.Namespace, baseText);
                }
            }
        }

        foreach (ExtraType extra in _extras)
        {
            if (extra.File == index)
            {
                Add(extra.Namespace, extra.Text);
            }
        }

        var text = new StringBuilder();
        if (style.UsingRnnDsl)
        {
            text.Append("using RnnDsl;\n");
        }

        if (style.UsingStatic)
        {
            text.Append("using static RnnDsl.Activation;\n");
        }

        if (text.Length > 0)
        {
            text.Append('\n');
        }

        if (style.PragmaAtTop)
        {
            text.Append("#pragma warning disable RNN010\n\n");
        }

        bool fileScoped = style.FileScopedAllowed && groups.Count == 1 && groups[0].Namespace is not null;
        if (fileScoped)
        {
            text.Append("namespace ").Append(groups[0].Namespace).Append(";\n\n");
            text.Append(string.Join("\n\n", groups[0].Types)).Append('\n');
            return text.ToString();
        }

        // Types of the global namespace first, then one block per namespace.
        foreach (var group in groups.OrderBy(g => g.Namespace is null ? 0 : 1))
        {
            if (group.Namespace is null)
            {
                text.Append(string.Join("\n\n", group.Types)).Append("\n\n");
            }
            else
            {
                text.Append("namespace ").Append(group.Namespace).Append("\n{\n");
                text.Append(Indent(string.Join("\n\n", group.Types))).Append("\n}\n\n");
            }
        }

        return text.ToString().TrimEnd('\n') + "\n";
    }

    private static string Indent(string text) =>
        string.Join("\n", text.Split('\n').Select(line => line.Length == 0 || line.StartsWith('#') ? line : "    " + line));

    private string RenderModel(ModelPlan model, FileStyle style, bool first)
    {
        var text = new StringBuilder();
        IEnumerable<Layer> layers = model.SecondFile < 0 ? model.Layers
            : first ? model.Layers.Take(model.SplitAt) : model.Layers.Skip(model.SplitAt);
        if (first && model.DocComment)
        {
            text.Append("/// <summary>A model.</summary>\n");
        }

        bool oneLine = Chance(0.2);
        var lists = new List<string>();
        foreach (Layer layer in layers)
        {
            string list = RenderList(layer, style);
            if (layer.Pragma && !style.PragmaAtTop)
            {
                if (Chance(0.3))
                {
                    style.PragmaAtTop = true;
                }
                else
                {
                    list = "#pragma warning disable RNN010\n" + list + "\n#pragma warning restore RNN010";
                }
            }

            lists.Add(list);
        }

        bool systemIsAType = _globalSystemType || _models.Any(m => m.Namespace is null && m.Outer is null && Plain(m.Name) == "System");
        if (model.NonLayerAttribute && first && lists.Count > 0 && !systemIsAType)
        {
            lists.Insert(_random.Next(lists.Count + 1), "[global::System.Serializable]");
        }

        string joined = oneLine && !lists.Any(l => l.Contains('#', StringComparison.Ordinal)) ? string.Join(" ", lists) : string.Join("\n", lists);
        if (joined.Length > 0)
        {
            text.Append(joined).Append('\n');
        }

        string modifiers = model.Access + model.Modifiers;
        if (!first)
        {
            // The second part repeats only what every part may repeat.
            modifiers = model.Modifiers.StartsWith("file ", StringComparison.Ordinal) ? "file " : string.Empty;
        }

        text.Append(modifiers).Append(model.Partial ? "partial " : string.Empty).Append(model.Keyword).Append(' ').Append(model.Name)
            .Append(model.Generic ? "<T>" : string.Empty);
        if (first && model.BaseType is not null)
        {
            text.Append(" : ").Append(model.BaseType);
        }

        List<string> members = first ? model.Members : new List<string> { "public " + (model.Modifiers.Contains("static", StringComparison.Ordinal) ? "static " : string.Empty) + "int SecondPart => 2;" };
        if (model.Keyword != "class" && members.Count == 0 && Chance(0.5))
        {
            text.Append(';');
        }
        else if (members.Count == 0)
        {
            text.Append(Chance(0.7) ? " { }" : "\n{\n}");
        }
        else
        {
            text.Append("\n{\n").Append(string.Join("\n", members.Select(m => "    " + m))).Append("\n}");
        }

        string declaration = text.ToString();
        if (model.Outer is not null)
        {
            bool shared = model.SecondFile >= 0 || _models.Count(m => m.Outer == model.Outer && m.Namespace == model.Namespace) > 1;
            return (model.OuterPartial || shared ? "public partial class " : "public class ") + model.Outer + "\n{\n" + Indent(declaration) + "\n}";
        }

        return declaration;
    }

    private string RenderList(Layer layer, FileStyle style)
    {
        var attributes = new List<string>();
        if (layer.Kind == "Bidirectional")
        {
            attributes.Add(RenderBidirectional(layer.Bidirectional ?? -1, style));
        }
        else
        {
            string main = RenderLayer(layer, style);
            if (layer.Bidirectional is { } merge)
            {
                string bidirectional = RenderBidirectional(merge, style);
                attributes.Add(layer.BidirectionalAfter ? main : bidirectional);
                attributes.Add(layer.BidirectionalAfter ? bidirectional : main);
            }
            else
            {
                attributes.Add(main);
            }
        }

        if (layer.SameList is not null)
        {
            attributes.Add(RenderLayer(layer.SameList, style));
        }

        return "[" + (layer.TypeTarget ? "type: " : string.Empty) + string.Join(", ", attributes) + "]";
    }

    private string Prefix(FileStyle style) => style.UsingRnnDsl ? (Chance(0.05) ? "RnnDsl." : string.Empty) : Chance(0.8) ? "RnnDsl." : "global::RnnDsl.";

    private string AttributeName(string kind, FileStyle style) => Prefix(style) + kind + (Chance(0.1) ? "Attribute" : string.Empty);

    private string RenderBidirectional(int merge, FileStyle style)
    {
        string name = AttributeName("Bidirectional", style);
        if (merge == -1)
        {
            return Chance(0.8) ? name : name + "()";
        }

        string value = RenderEnum("MergeMode", MergeModeNames, merge, style, allowUsingStatic: false);
        return name + "(" + (Chance(0.2) ? "mergeMode: " : string.Empty) + value + ")";
    }

    private string RenderLayer(Layer layer, FileStyle style)
    {
        var positional = new List<(string Name, string Value)>();
        var properties = new List<string>();
        switch (layer.Kind)
        {
            case "Embedding":
                positional.Add(("inputDim", IntExpression(layer.A)));
                positional.Add(("outputDim", IntExpression(layer.B)));
                if (layer.MaskZero is { } mask)
                {
                    properties.Add("MaskZero = " + BoolExpression(mask));
                }

                if (layer.InputLength is { } length)
                {
                    properties.Add("InputLength = " + IntExpression(length));
                }

                break;
            case "Input":
                if (layer.HasTimesteps)
                {
                    positional.Add(("timesteps", IntExpression(layer.A)));
                }

                positional.Add(("features", IntExpression(layer.B)));
                if (layer.MaskZero is { } inputMask)
                {
                    properties.Add("MaskZero = " + BoolExpression(inputMask));
                }

                break;
            case "SimpleRnn":
            case "Lstm":
            case "Gru":
                positional.Add(("units", IntExpression(layer.A)));
                if (layer.Activation is not null || layer.RecurrentActivation is not null)
                {
                    positional.Add(("activation", RenderEnum("Activation", ActivationNames, layer.Activation ?? 1, style, allowUsingStatic: true)));
                }

                if (layer.RecurrentActivation is { } gates)
                {
                    positional.Add(("recurrentActivation", RenderEnum("Activation", ActivationNames, gates, style, allowUsingStatic: true)));
                }

                if (layer.CellOption is { } option)
                {
                    properties.Add((layer.Kind == "Lstm" ? "UnitForgetBias = " : "ResetAfter = ") + BoolExpression(option));
                }

                if (layer.Rate is { } inputRate)
                {
                    properties.Add("Dropout = " + inputRate);
                }

                if (layer.RecurrentRate is { } recurrentRate)
                {
                    properties.Add("RecurrentDropout = " + recurrentRate);
                }

                if (layer.ReturnSequences is { } returnSequences)
                {
                    properties.Add("ReturnSequences = " + BoolExpression(returnSequences));
                }

                if (layer.GoBackwards is { } goBackwards)
                {
                    properties.Add("GoBackwards = " + BoolExpression(goBackwards));
                }

                break;
            case "Dropout":
                positional.Add(("rate", layer.Rate ?? "0.5f"));
                break;
            default:
                positional.Add(("units", IntExpression(layer.A)));
                if (layer.Activation is { } denseActivation)
                {
                    positional.Add(("activation", RenderEnum("Activation", ActivationNames, denseActivation, style, allowUsingStatic: true)));
                }

                break;
        }

        // Constructor arguments: positional, all named (possibly reordered), or positional then named.
        var arguments = new List<string>();
        double form = _random.NextDouble();
        if (form < 0.75 || positional.Count == 0)
        {
            arguments.AddRange(positional.Select(p => p.Value));
        }
        else if (form < 0.9)
        {
            var named = positional.Select(p => p.Name + ": " + p.Value).ToList();
            if (Chance(0.5))
            {
                named.Reverse();
            }

            arguments.AddRange(named);
        }
        else
        {
            arguments.Add(positional[0].Value);
            arguments.AddRange(positional.Skip(1).Select(p => p.Name + ": " + p.Value));
        }

        if (Chance(0.3))
        {
            properties.Reverse();
        }

        arguments.AddRange(properties);
        return AttributeName(layer.Kind, style) + "(" + string.Join(", ", arguments) + ")";
    }

    private string RenderEnum(string type, string[] names, int value, FileStyle style, bool allowUsingStatic)
    {
        string typeName = (style.UsingRnnDsl ? string.Empty : "RnnDsl.") + type;
        if (value < 0 || value >= names.Length)
        {
            return _random.Next(3) switch
            {
                0 => "(" + typeName + ")" + (value < 0 ? "(" + value.ToString(CultureInfo.InvariantCulture) + ")" : value.ToString(CultureInfo.InvariantCulture)),
                1 when value > names.Length - 1 => typeName + "." + names[^1] + " + " + (value - names.Length + 1).ToString(CultureInfo.InvariantCulture),
                _ => "(" + typeName + ")(" + IntExpression(value) + ")",
            };
        }

        double r = _random.NextDouble();
        if (r < 0.35 && allowUsingStatic && style.UsingStatic)
        {
            return names[value];
        }

        if (r < 0.7)
        {
            return typeName + "." + names[value];
        }

        if (r < 0.75)
        {
            return "global::RnnDsl." + type + "." + names[value];
        }

        if (r < 0.85)
        {
            return "(" + typeName + ")" + value.ToString(CultureInfo.InvariantCulture);
        }

        if (value == 0)
        {
            return Chance(0.5) ? "0" : "default(" + typeName + ")";
        }

        if (type == "Activation" && value == 3 && Chance(0.5))
        {
            return typeName + ".Tanh | " + typeName + ".Sigmoid";
        }

        return "(" + typeName + ")(" + (value - 1).ToString(CultureInfo.InvariantCulture) + " + 1)";
    }

    private string BoolExpression(bool value) => _random.Next(6) switch
    {
        0 => value ? "!false" : "!true",
        1 => value ? "1 == 1" : "1 > 2",
        2 => value ? "true && true" : "false || false",
        _ => value ? "true" : "false",
    };

    private static string IntLiteral(int value) => value switch
    {
        int.MaxValue => "int.MaxValue",
        int.MinValue => "int.MinValue",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    private static string SizeConstantName(int value) => value < 0 ? "Minus" + ((long)value * -1).ToString(CultureInfo.InvariantCulture) : "S" + value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A constant expression of type int with the given value.</summary>
    private string IntExpression(int value)
    {
        switch (_random.Next(16))
        {
            case 0 when value > 1 && value % 2 == 0:
                return "2 * " + IntLiteral(value / 2);
            case 1 when value is > 0 and < int.MaxValue:
                int left = _random.Next(0, value);
                return "checked(" + left.ToString(CultureInfo.InvariantCulture) + " + " + (value - left).ToString(CultureInfo.InvariantCulture) + ")";
            case 2:
                _sizeConstants.Add(value);
                return "FuzzSizes." + SizeConstantName(value);
            case 3 when value is 1 or 2 or 4 or 8 or 16:
                return value switch { 1 => "sizeof(byte)", 2 => "sizeof(short)", 4 => "sizeof(int)", 8 => "sizeof(long)", _ => "sizeof(decimal)" };
            case 4 when value >= 0:
                return "0x" + value.ToString("X", CultureInfo.InvariantCulture);
            case 5 when value > 0 && (value & (value - 1)) == 0:
                return "1 << " + ((int)Math.Log2(value)).ToString(CultureInfo.InvariantCulture);
            case 6 when value is >= 'A' and <= 'Z' or >= 'a' and <= 'z':
                return "'" + (char)value + "'";
            case 7 when value < 0 && value != int.MinValue:
                return "unchecked((int)0x" + ((uint)value).ToString("X", CultureInfo.InvariantCulture) + ")";
            case 8 when value == 0:
                return "default(int)";
            case 9 when value is > 0 and < 1000:
                return "(int)" + value.ToString(CultureInfo.InvariantCulture) + ".0";
            case 10 when value is > 0 and < 100:
                return "(" + IntLiteral(value) + ")";
            default:
                return IntLiteral(value);
        }
    }

    private static string Describe(Layer layer)
    {
        string core = layer.Kind switch
        {
            "Embedding" => $"Embedding({layer.A},{layer.B}{(layer.MaskZero == true ? ",mask" : string.Empty)}{(layer.InputLength is { } l ? ",len=" + l : string.Empty)})",
            "Input" => layer.HasTimesteps ? $"Input({layer.A},{layer.B}{(layer.MaskZero == true ? ",mask" : string.Empty)})" : $"Input({layer.B}{(layer.MaskZero == true ? ",mask" : string.Empty)})",
            "Bidirectional" => "Bidirectional",
            "Dropout" => $"Dropout({layer.Rate})",
            _ => $"{layer.Kind}({layer.A}{(layer.Activation is { } a ? "," + a : string.Empty)}{(layer.ReturnSequences == true ? ",seq" : string.Empty)}{(layer.GoBackwards == true ? ",back" : string.Empty)})",
        };
        if (layer.Bidirectional is { } merge && layer.Kind != "Bidirectional")
        {
            core = "Bi" + (merge >= 0 ? merge.ToString(CultureInfo.InvariantCulture) : string.Empty) + ":" + core;
        }

        if (layer.SameList is not null)
        {
            core += "+" + Describe(layer.SameList);
        }

        return core + (layer.Pragma ? "#pragma" : string.Empty);
    }

    // ---- Helpers ------------------------------------------------------------------------------------------

    private bool Chance(double probability) => _random.NextDouble() < probability;

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    private string FlipCase(string name)
    {
        string plain = name.TrimStart('@');
        string flipped = char.IsUpper(plain[0]) ? char.ToLowerInvariant(plain[0]) + plain.Substring(1) : char.ToUpperInvariant(plain[0]) + plain.Substring(1);
        if (flipped == plain)
        {
            flipped = plain.ToUpperInvariant() == plain ? plain.ToLowerInvariant() : plain.ToUpperInvariant();
        }

        // A flipped keyword (@class -> Class) needs no @; a name that became a keyword would need one.
        return SyntaxFacts.GetKeywordKind(flipped) != SyntaxKind.None ? "@" + flipped : flipped;
    }
}
