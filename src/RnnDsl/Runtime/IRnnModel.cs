using System;

namespace RnnDsl;

/// <summary>What every generated model offers, whatever its input.</summary>
public interface IRnnModel
{
    /// <summary>All parameters in one buffer, in Keras <c>model.get_weights()</c> order, each array in C order.</summary>
    Span<float> Parameters { get; }

    /// <summary>The longest sequence the model accepts, or 0 when any length is.</summary>
    int MaxSequenceLength { get; }

    /// <summary>Each array of <see cref="Parameters"/>: its Keras and PyTorch names, shape and offset, in get_weights() order.</summary>
    WeightManifest Weights { get; }

    /// <summary>The layers as Keras configures them: what weight files are checked against.</summary>
    ModelArchitecture Architecture { get; }

    /// <summary>The number of values the model writes for one sequence of <paramref name="steps"/> steps.</summary>
    int OutputLength(int steps);

    /// <summary>The number of steps in an input of <paramref name="length"/> values.</summary>
    int StepsOf(int length);

    /// <summary>Whether padding steps (token 0) are left out of the loss and metrics of a sequence output.</summary>
    bool MasksPaddingSteps { get; }

    /// <summary>Resets every parameter with the Keras default initialisers from <paramref name="seed"/>.</summary>
    void Initialize(int seed);

    /// <summary>The Keras <c>model.summary()</c> table.</summary>
    string Summary();
}

/// <summary>A generated model over inputs of type <typeparamref name="TInput"/>: token ids (<c>int</c>) or real values (<c>float</c>).</summary>
public interface ISequenceModel<TInput> : IRnnModel
    where TInput : unmanaged
{
    /// <summary>Runs the model on one sequence.</summary>
    void Predict(ReadOnlySpan<TInput> input, Span<float> output);

    /// <summary>
    /// Runs the model on <paramref name="batchSize"/> equal-length sequences stored back to back, on up to
    /// <paramref name="degreeOfParallelism"/> threads.
    /// </summary>
    void PredictBatch(ReadOnlySpan<TInput> inputs, int batchSize, Span<float> outputs, int degreeOfParallelism = 1);

    /// <summary>The mean loss over a batch of equal-length sequences, and its gradient in the parameter layout.</summary>
    float ComputeGradients(ReadOnlySpan<TInput> inputs, ReadOnlySpan<float> targets, int batchSize, Span<float> gradients, Loss loss);

    /// <summary>Adds <paramref name="scale"/> times the loss gradient of one sequence to <paramref name="gradients"/>; returns its summed loss.</summary>
    float AccumulateGradients(ReadOnlySpan<TInput> input, ReadOnlySpan<float> target, Loss loss, float scale, Span<float> gradients, Span<float> output);

    /// <summary>
    /// <see cref="AccumulateGradients(ReadOnlySpan{TInput}, ReadOnlySpan{float}, Loss, float, Span{float}, Span{float})"/> in training mode:
    /// dropout layers and options draw this sequence's masks from <paramref name="dropoutSeed"/>. The same without dropout.
    /// </summary>
    float AccumulateGradients(ReadOnlySpan<TInput> input, ReadOnlySpan<float> target, Loss loss, float scale, Span<float> gradients, Span<float> output, ulong dropoutSeed);

    /// <summary>
    /// <see cref="AccumulateGradients(ReadOnlySpan{TInput}, ReadOnlySpan{float}, Loss, float, Span{float}, Span{float})"/> for
    /// <paramref name="count"/> equal-length sequences stored back to back, sequence k's gradient scaled by <c>scales[k]</c>;
    /// each sequence's summed loss goes to <paramref name="losses"/>, its prediction to <paramref name="outputs"/> (may be empty).
    /// No dropout. Models whose recurrent layers all step a batch run up to 16 of the sequences together.
    /// </summary>
    void AccumulateGradients(ReadOnlySpan<TInput> inputs, int count, ReadOnlySpan<float> targets, Loss loss, ReadOnlySpan<float> scales, Span<float> gradients, Span<float> outputs, Span<float> losses);

    /// <summary>
    /// <see cref="ComputeGradients(ReadOnlySpan{TInput}, ReadOnlySpan{float}, int, Span{float}, Loss)"/> in training mode: the dropout masks
    /// of sequence i come from <c>DropoutMasks.SequenceSeed(dropoutSeed, i)</c>. The same without dropout.
    /// </summary>
    float ComputeGradients(ReadOnlySpan<TInput> inputs, ReadOnlySpan<float> targets, int batchSize, Span<float> gradients, Loss loss, ulong dropoutSeed);

    /// <summary>Whether the model has dropout (layers or options), which only training mode applies.</summary>
    bool HasDropout { get; }

    /// <summary>How many output rows of this sequence count in the loss.</summary>
    int LossTermCount(ReadOnlySpan<TInput> input);

    /// <summary>
    /// Keras's output mask: for each output row of <paramref name="input"/>, whether it counts in the loss and metrics.
    /// Every row counts, except the padding steps of a masked model's sequence output.
    /// </summary>
    void ComputeOutputMask(ReadOnlySpan<TInput> input, Span<bool> counted);
}

/// <summary>A generated model whose first layer is <see cref="EmbeddingAttribute"/>: it reads token ids.</summary>
public interface ITokenModel : ISequenceModel<int>
{
    /// <summary>Token ids are in <c>[0, VocabularySize)</c>.</summary>
    int VocabularySize { get; }
}

/// <summary>A generated model whose first layer is <see cref="InputAttribute"/>: it reads real values, step-major.</summary>
public interface IRealValuedModel : ISequenceModel<float>
{
    /// <summary>Values per step of the input.</summary>
    int Features { get; }
}

/// <summary>
/// A generated model that can read a sequence one step at a time, keeping what it has read in an <see cref="RnnState"/>
/// (every model without a <c>Bidirectional</c> or <c>GoBackwards</c> layer: those need the whole sequence first).
/// </summary>
public interface IStepModel : IRnnModel
{
    /// <summary>A new state, every value zero: the state before a sequence's first step. The caller owns it.</summary>
    RnnState CreateState();
}

/// <summary>A token model that reads one token at a time: <see cref="Step"/>.</summary>
public interface ITokenStepModel : ITokenModel, IStepModel
{
    /// <summary>
    /// Reads one more token into <paramref name="state"/> and writes what <c>Predict</c> gives for the sequence read so far.
    /// </summary>
    void Step(int token, RnnState state, Span<float> output);
}

/// <summary>A real-valued model that reads one step of features at a time: <see cref="Step"/>.</summary>
public interface IRealValuedStepModel : IRealValuedModel, IStepModel
{
    /// <summary>
    /// Reads one more step of <c>Features</c> values into <paramref name="state"/> and writes what <c>Predict</c> gives for
    /// the sequence read so far.
    /// </summary>
    void Step(ReadOnlySpan<float> features, RnnState state, Span<float> output);
}
