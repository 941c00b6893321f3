using RnnDsl.Generators.Helpers;

namespace RnnDsl.Generators.Model;

internal enum LayerKind
{
    Embedding,
    Input,
    SimpleRnn,
    Dense,
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
    bool OutputIsSequence,
    int ParameterOffset)
{
    public bool Bidirectional { get; init; }

    public MergeKind Merge { get; init; }

    public bool GoBackwards { get; init; }

    /// <summary>The model masks padding (token 0): recurrent layers skip those steps, and a sequence output leaves them out of the loss.</summary>
    public bool Masked { get; init; }

    /// <summary>Output width per step: merged width for Bidirectional.</summary>
    public int OutputWidth => Bidirectional && Merge == MergeKind.Concat ? 2 * Units : Units;

    /// <summary>
    /// Parameters of one direction (or of the whole layer when not bidirectional): the Keras count_params()
    /// formulas, in long arithmetic so that a declaration too large for one buffer is caught, not wrapped.
    /// </summary>
    public long DirectionParameterCount => Kind switch
    {
        LayerKind.Embedding => (long)InputWidth * Units,
        LayerKind.SimpleRnn => Units * ((long)InputWidth + Units + 1),
        LayerKind.Dense => ((long)InputWidth + 1) * Units,
        _ => 0,
    };

    public long ParameterCount => Bidirectional ? 2 * DirectionParameterCount : DirectionParameterCount;
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
    public LayerSpec OutputLayer => Layers[Layers.Count - 1];

    public int OutputWidth => OutputLayer.OutputWidth;

    public bool OutputIsSequence => OutputLayer.OutputIsSequence;

    public long ParameterCount
    {
        get
        {
            long count = 0;
            foreach (LayerSpec layer in Layers)
            {
                count += layer.ParameterCount;
            }

            return count;
        }
    }

    public string FullName => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;

    /// <summary>Runtime type names the emitted code must qualify with <c>global::</c>.</summary>
    public EquatableArray<string> ShadowedNames { get; init; } = EquatableArray<string>.Empty;
}
