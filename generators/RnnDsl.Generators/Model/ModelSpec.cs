using System.Linq;
using RnnDsl.Generators.Helpers;

namespace RnnDsl.Generators.Model;

internal enum LayerKind
{
    Embedding,
    Input,
    Recurrent,
    Dense,
    Dropout,
}

/// <summary>Mirrors the runtime <c>RnnDsl.Activation</c> enum, value for value.</summary>
internal enum ActivationKind
{
    Linear,
    Tanh,
    Sigmoid,
    Relu,
    Softmax,
}

/// <summary>Mirrors the runtime <c>RnnDsl.MergeMode</c> enum, value for value.</summary>
internal enum MergeKind
{
    Concat,
    Sum,
    Mul,
    Ave,
}

/// <summary>
/// One validated layer with every size resolved. Widths are per step; <see cref="OutputIsSequence"/>
/// says whether the layer emits one vector per step or one per sequence.
/// </summary>
internal sealed record LayerSpec(
    LayerKind Kind,
    string KerasName,
    string Identifier,
    int InputWidth,
    int Units,
    ActivationKind Activation,
    bool InputIsSequence,
    bool OutputIsSequence)
{
    /// <summary>The recurrent cell, for <see cref="LayerKind.Recurrent"/> layers.</summary>
    public CellSpec? Cell { get; init; }

    public bool Bidirectional { get; init; }

    /// <summary>The Keras name of the layer a Bidirectional wrapper holds (<c>simple_rnn</c>); the layer's own name otherwise.</summary>
    public string WrappedKerasName { get; init; } = string.Empty;

    public MergeKind Merge { get; init; }

    public bool GoBackwards { get; init; }

    /// <summary>A Dropout layer's rate; a recurrent layer's input dropout (Keras <c>dropout</c>).</summary>
    public float DropoutRate { get; init; }

    /// <summary>A recurrent layer's Keras <c>recurrent_dropout</c>.</summary>
    public float RecurrentDropout { get; init; }

    /// <summary>Whether training draws dropout masks for this layer.</summary>
    public bool HasDropout => DropoutRate > 0 || RecurrentDropout > 0;

    /// <summary>The model masks padding: recurrent layers skip masked steps, and a sequence output leaves them out of the loss.</summary>
    public bool Masked { get; init; }

    /// <summary>This layer's arrays in the flat parameter buffer, in Keras get_weights() order.</summary>
    public EquatableArray<WeightSpec> Weights { get; init; } = EquatableArray<WeightSpec>.Empty;

    /// <summary>Output width per step: merged width for Bidirectional.</summary>
    public int OutputWidth => Bidirectional && Merge == MergeKind.Concat ? 2 * Units : Units;

    /// <summary>Keras <c>count_params()</c> of this layer: the sum of its weights.</summary>
    public long ParameterCount => WeightSpec.TotalLength(Weights, direction: null);

    /// <summary>The Keras class name the summary shows: <c>SimpleRNN</c>, or <c>Bidirectional</c> around it.</summary>
    public string KerasClassName => Kind switch
    {
        LayerKind.Embedding => "Embedding",
        LayerKind.Input => "InputLayer",
        LayerKind.Recurrent => Bidirectional ? "Bidirectional" : Cell!.KerasClassName,
        LayerKind.Dropout => "Dropout",
        _ => "Dense",
    };

    /// <summary>The directions a recurrent layer runs: <c>""</c> alone, or <c>"forward"</c> and <c>"backward"</c>.</summary>
    public string[] Directions => Bidirectional ? new[] { WeightSpec.Forward, WeightSpec.Backward } : new[] { string.Empty };
}

/// <summary>A valid model, ready to emit. Holds only values, so it caches across edits.</summary>
internal sealed record ModelSpec(
    string Namespace,
    string ClassName,
    bool TokenInput,
    int VocabularySize,
    int Features,
    int MaxSteps,
    EquatableArray<LayerSpec> Layers)
{
    /// <summary>The namespace as written in the generated code (keywords escaped).</summary>
    public string NamespaceSyntax { get; init; } = string.Empty;

    /// <summary>The class name as written in the generated code (<c>@string</c> for a keyword).</summary>
    public string ClassSyntax { get; init; } = string.Empty;

    /// <summary>How the generated code writes each runtime type.</summary>
    public RuntimeNames Names { get; init; } = RuntimeNames.Short;

    /// <summary>What marks a step as padding, or none.</summary>
    public MaskSpec Mask { get; init; } = MaskSpec.None;

    /// <summary>The class is abstract: no factory creates it.</summary>
    public bool IsAbstract { get; init; }

    /// <summary>The file name the generated code is added under; unique in the compilation, ignoring case.</summary>
    public string HintName { get; init; } = string.Empty;

    public LayerSpec OutputLayer => Layers[Layers.Count - 1];

    public int OutputWidth => OutputLayer.OutputWidth;

    public bool OutputIsSequence => OutputLayer.OutputIsSequence;

    /// <summary>Keras <c>count_params()</c>: the length of every weight array together.</summary>
    public long ParameterCount => WeightSpec.TotalLength(Layers.SelectMany(layer => layer.Weights), direction: null);

    public string FullName => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;

    /// <summary>Whether training draws dropout masks (a Dropout layer, or dropout on a recurrent layer).</summary>
    public bool HasDropout => Layers.Any(layer => layer.HasDropout);
}
