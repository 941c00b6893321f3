using System;

namespace RnnDsl;

/// <summary>What every generated model offers, whatever its input.</summary>
public interface IRnnModel
{
    /// <summary>All parameters in one buffer, in Keras <c>model.get_weights()</c> order, each array in C order.</summary>
    Span<float> Parameters { get; }

    /// <summary>The number of values the model writes for one sequence of <paramref name="steps"/> steps.</summary>
    int OutputLength(int steps);

    /// <summary>Resets every parameter with the Keras default initialisers from <paramref name="seed"/>.</summary>
    void Initialize(int seed);

    /// <summary>The Keras <c>model.summary()</c> table.</summary>
    string Summary();
}

/// <summary>A generated model whose first layer is <see cref="EmbeddingAttribute"/>: it reads token ids.</summary>
public interface ITokenModel : IRnnModel
{
    /// <summary>Runs the model on one sequence of token ids.</summary>
    void Predict(ReadOnlySpan<int> tokens, Span<float> output);

    /// <summary>Runs the model on <paramref name="batchSize"/> equal-length sequences stored back to back.</summary>
    void PredictBatch(ReadOnlySpan<int> tokens, int batchSize, Span<float> outputs);
}

/// <summary>A generated model whose first layer is <see cref="InputAttribute"/>: it reads real values, step-major.</summary>
public interface IRealValuedModel : IRnnModel
{
    /// <summary>Runs the model on one sequence of real values, step-major.</summary>
    void Predict(ReadOnlySpan<float> inputs, Span<float> output);

    /// <summary>Runs the model on <paramref name="batchSize"/> equal-length sequences stored back to back.</summary>
    void PredictBatch(ReadOnlySpan<float> inputs, int batchSize, Span<float> outputs);
}
