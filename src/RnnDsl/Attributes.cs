using System;

namespace RnnDsl;

/// <summary>
/// First layer of a token model: maps each token id in <c>[0, inputDim)</c> to a learned vector of
/// <c>outputDim</c> values (Keras <c>Embedding(input_dim, output_dim)</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : Attribute
{
    /// <summary>Declares an embedding of <paramref name="inputDim"/> tokens into <paramref name="outputDim"/> values.</summary>
    public EmbeddingAttribute(int inputDim, int outputDim)
    {
        InputDim = inputDim;
        OutputDim = outputDim;
    }

    /// <summary>Vocabulary size: token ids are in <c>[0, InputDim)</c>.</summary>
    public int InputDim { get; }

    /// <summary>Width of each embedding vector.</summary>
    public int OutputDim { get; }

    /// <summary>Token 0 is padding: recurrent layers skip it as Keras <c>mask_zero=True</c> does.</summary>
    public bool MaskZero { get; set; }

    /// <summary>The longest sequence accepted (Keras <c>input_length</c>); 0 (the default) accepts any length.</summary>
    public int InputLength { get; set; }
}

/// <summary>
/// First layer of a real-valued model: each step carries <c>features</c> values
/// (Keras <c>input_shape=(timesteps, features)</c>). Inputs are laid out step-major.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Sequences of any length, <paramref name="features"/> values per step (Keras <c>input_shape=(None, features)</c>).</summary>
    public InputAttribute(int features)
    {
        Features = features;
    }

    /// <summary>Sequences of at most <paramref name="timesteps"/> steps, <paramref name="features"/> values per step.</summary>
    public InputAttribute(int timesteps, int features)
    {
        Timesteps = timesteps;
        Features = features;
    }

    /// <summary>The longest sequence accepted; 0 when any length is accepted.</summary>
    public int Timesteps { get; }

    /// <summary>Values per step.</summary>
    public int Features { get; }

    /// <summary>
    /// Not supported: masking applies to token models (<see cref="EmbeddingAttribute.MaskZero"/>).
    /// Real-valued sequences of different lengths are passed at their own length instead of padded.
    /// Setting it is reported as diagnostic RNN011.
    /// </summary>
    public bool MaskZero { get; set; }
}

/// <summary>
/// A fully-connected recurrent layer (Keras <c>SimpleRNN</c>):
/// <c>h[t] = activation(x[t] · kernel + h[t-1] · recurrent_kernel + bias)</c>, <c>h[-1] = 0</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SimpleRnnAttribute : Attribute
{
    /// <summary>Declares a recurrent layer of <paramref name="units"/> units.</summary>
    public SimpleRnnAttribute(int units, Activation activation = Activation.Tanh)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>Width of the state.</summary>
    public int Units { get; }

    /// <summary>The state activation; Keras default <see cref="Activation.Tanh"/>.</summary>
    public Activation Activation { get; }

    /// <summary>Output the state at every step (Keras <c>return_sequences=True</c>) instead of only the last.</summary>
    public bool ReturnSequences { get; set; }

    /// <summary>Read the sequence from its last step to its first (Keras <c>go_backwards=True</c>).</summary>
    public bool GoBackwards { get; set; }

    /// <summary>
    /// Training only: the fraction of the input's features dropped (Keras <c>dropout</c>), one mask per sequence reused at
    /// every step, the kept ones scaled by 1 / (1 - rate). In <c>[0, 1)</c>; 0 (the default) for none.
    /// </summary>
    public float Dropout { get; set; }

    /// <summary>
    /// Training only: the fraction of h dropped before the recurrent product (Keras <c>recurrent_dropout</c>), one mask per
    /// sequence reused at every step, the kept ones scaled by 1 / (1 - rate). In <c>[0, 1)</c>; 0 (the default) for none.
    /// </summary>
    public float RecurrentDropout { get; set; }
}

/// <summary>
/// A long short-term memory layer (Keras <c>LSTM</c>), gates in Keras order i, f, c, o:
/// <c>i = σ(x·W_i + h·U_i + b_i)</c>, <c>f = σ(x·W_f + h·U_f + b_f)</c>, <c>c̃ = tanh(x·W_c + h·U_c + b_c)</c>,
/// <c>o = σ(x·W_o + h·U_o + b_o)</c>, <c>c[t] = f·c[t-1] + i·c̃</c>, <c>h[t] = o·tanh(c[t])</c>, with h and c zero
/// before the first step (σ is <see cref="RecurrentActivation"/>, tanh is <see cref="Activation"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : Attribute
{
    /// <summary>Declares an LSTM layer of <paramref name="units"/> units.</summary>
    public LstmAttribute(int units, Activation activation = Activation.Tanh, Activation recurrentActivation = Activation.Sigmoid)
    {
        Units = units;
        Activation = activation;
        RecurrentActivation = recurrentActivation;
    }

    /// <summary>Width of the state (h and c).</summary>
    public int Units { get; }

    /// <summary>The activation of the cell candidate and of c in the output; Keras default <see cref="Activation.Tanh"/>.</summary>
    public Activation Activation { get; }

    /// <summary>The activation of the input, forget and output gates; Keras default <see cref="Activation.Sigmoid"/>.</summary>
    public Activation RecurrentActivation { get; }

    /// <summary>Output h at every step (Keras <c>return_sequences=True</c>) instead of only the last.</summary>
    public bool ReturnSequences { get; set; }

    /// <summary>Read the sequence from its last step to its first (Keras <c>go_backwards=True</c>).</summary>
    public bool GoBackwards { get; set; }

    /// <summary>
    /// Training only: the fraction of the input's features dropped (Keras <c>dropout</c>), one mask per sequence reused at
    /// every step, the kept ones scaled by 1 / (1 - rate). In <c>[0, 1)</c>; 0 (the default) for none.
    /// </summary>
    public float Dropout { get; set; }

    /// <summary>
    /// Training only: the fraction of h dropped before the recurrent product (Keras <c>recurrent_dropout</c>), one mask per
    /// sequence reused at every step, the kept ones scaled by 1 / (1 - rate). In <c>[0, 1)</c>; 0 (the default) for none.
    /// </summary>
    public float RecurrentDropout { get; set; }

    /// <summary>Initialise the forget gate's bias to ones (Keras <c>unit_forget_bias=True</c>, the default).</summary>
    public bool UnitForgetBias { get; set; } = true;
}

/// <summary>
/// A gated recurrent unit layer (Keras <c>GRU</c>), gates in Keras order z, r, h:
/// <c>z = σ(x·W_z + h·U_z + b_z)</c>, <c>r = σ(x·W_r + h·U_r + b_r)</c>, and with <see cref="ResetAfter"/> (the Keras 2+
/// default, PyTorch's form) <c>h̃ = tanh(x·W_h + b_h + r·(h·U_h + b'_h))</c>, otherwise <c>h̃ = tanh(x·W_h + (r·h)·U_h + b_h)</c>;
/// <c>h[t] = z·h[t-1] + (1 - z)·h̃</c>, with h zero before the first step.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GruAttribute : Attribute
{
    /// <summary>Declares a GRU layer of <paramref name="units"/> units.</summary>
    public GruAttribute(int units, Activation activation = Activation.Tanh, Activation recurrentActivation = Activation.Sigmoid)
    {
        Units = units;
        Activation = activation;
        RecurrentActivation = recurrentActivation;
    }

    /// <summary>Width of the state.</summary>
    public int Units { get; }

    /// <summary>The activation of the candidate state; Keras default <see cref="Activation.Tanh"/>.</summary>
    public Activation Activation { get; }

    /// <summary>The activation of the update and reset gates; Keras default <see cref="Activation.Sigmoid"/>.</summary>
    public Activation RecurrentActivation { get; }

    /// <summary>Output h at every step (Keras <c>return_sequences=True</c>) instead of only the last.</summary>
    public bool ReturnSequences { get; set; }

    /// <summary>Read the sequence from its last step to its first (Keras <c>go_backwards=True</c>).</summary>
    public bool GoBackwards { get; set; }

    /// <summary>
    /// Training only: the fraction of the input's features dropped (Keras <c>dropout</c>), one mask per sequence reused at
    /// every step, the kept ones scaled by 1 / (1 - rate). In <c>[0, 1)</c>; 0 (the default) for none.
    /// </summary>
    public float Dropout { get; set; }

    /// <summary>
    /// Training only: the fraction of h dropped before the recurrent product (Keras <c>recurrent_dropout</c>), one mask per
    /// sequence reused at every step, the kept ones scaled by 1 / (1 - rate). In <c>[0, 1)</c>; 0 (the default) for none.
    /// </summary>
    public float RecurrentDropout { get; set; }

    /// <summary>
    /// Apply the reset gate after the recurrent product (Keras <c>reset_after=True</c>, the default since Keras 2.3 and
    /// PyTorch's form): the bias is two rows, the input bias then the recurrent bias. False is the Keras 1 form, one bias row.
    /// </summary>
    public bool ResetAfter { get; set; } = true;
}

/// <summary>
/// Keras <c>Dropout(rate)</c>: while training, each value of the previous layer's output is zeroed with probability
/// rate and the rest scaled by 1 / (1 - rate), a new mask for every value (every step of a sequence);
/// at inference it passes its input through unchanged.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Declares a dropout layer.</summary>
    /// <param name="rate">The fraction dropped, in <c>[0, 1)</c>.</param>
    public DropoutAttribute(float rate)
    {
        Rate = rate;
    }

    /// <summary>The fraction of values dropped while training.</summary>
    public float Rate { get; }
}

/// <summary>
/// Modifier for the recurrent layer in the same attribute list: run it forwards and, with separate
/// weights, backwards, and merge the two outputs (Keras <c>Bidirectional(layer, merge_mode)</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BidirectionalAttribute : Attribute
{
    /// <summary>Bidirectional with the Keras default merge, <see cref="MergeMode.Concat"/>.</summary>
    public BidirectionalAttribute()
    {
    }

    /// <summary>Bidirectional with the given merge of forward and backward outputs.</summary>
    public BidirectionalAttribute(MergeMode mergeMode)
    {
        MergeMode = mergeMode;
    }

    /// <summary>How the forward and backward outputs are combined.</summary>
    public MergeMode MergeMode { get; } = MergeMode.Concat;
}

/// <summary>
/// A fully-connected layer (Keras <c>Dense</c>): <c>y = activation(x · kernel + bias)</c>.
/// After a layer that returns sequences it applies to every step, as in Keras 2 and later.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>Declares a dense layer of <paramref name="units"/> outputs.</summary>
    public DenseAttribute(int units, Activation activation = Activation.Linear)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>Number of outputs.</summary>
    public int Units { get; }

    /// <summary>The output activation; Keras default <see cref="Activation.Linear"/>.</summary>
    public Activation Activation { get; }
}

/// <summary>Activation functions, named as in Keras.</summary>
public enum Activation
{
    /// <summary>The identity, Keras <c>linear</c> (or <c>None</c>).</summary>
    Linear,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>Logistic sigmoid, <c>1 / (1 + exp(-x))</c>.</summary>
    Sigmoid,

    /// <summary>Rectified linear unit, <c>max(x, 0)</c>.</summary>
    Relu,

    /// <summary>Softmax over the layer's outputs (per step for sequence outputs).</summary>
    Softmax,
}

/// <summary>How <see cref="BidirectionalAttribute"/> combines the forward and backward outputs.</summary>
public enum MergeMode
{
    /// <summary><c>[forward, backward]</c>: twice the units.</summary>
    Concat,

    /// <summary><c>forward + backward</c>.</summary>
    Sum,

    /// <summary><c>forward * backward</c>.</summary>
    Mul,

    /// <summary><c>(forward + backward) / 2</c>.</summary>
    Ave,
}
