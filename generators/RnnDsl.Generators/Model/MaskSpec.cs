namespace RnnDsl.Generators.Model;

/// <summary>What marks a step as padding.</summary>
internal enum MaskKind
{
    /// <summary>Every step counts.</summary>
    None,

    /// <summary>Token 0 is padding (<c>Embedding(..., MaskZero = true)</c>, Keras <c>mask_zero=True</c>).</summary>
    TokenZero,
}

/// <summary>
/// The model's mask as data: which input steps are padding. The generated code computes it once per sequence
/// from the input, and every masked site (the recurrences, the merge of two directions, the loss) reads that
/// one mask, so a new kind of mask (a real-valued <c>Masking(value)</c> layer) changes this record and the one
/// place that computes it, not the cells.
/// </summary>
internal sealed record MaskSpec(MaskKind Kind)
{
    public static MaskSpec None { get; } = new(MaskKind.None);

    public bool IsMasked => Kind != MaskKind.None;

    /// <summary>The rule in words, for comments: "token 0".</summary>
    public string Describe() => Kind == MaskKind.TokenZero ? "token 0" : "nothing";
}
