using System;

namespace RnnDsl;

/// <summary>The losses of <c>ComputeGradients</c> and <c>Fit</c>, with Keras definitions.</summary>
public enum Loss
{
    /// <summary>
    /// <c>-(y log p + (1 - y) log(1 - p))</c> averaged over the outputs of a row, with p clipped to
    /// <c>[1e-7, 1 - 1e-7]</c> as Keras does. Targets are 0 or 1 (or anything between), one per output.
    /// </summary>
    BinaryCrossentropy,

    /// <summary>
    /// <c>-log p[label]</c>, with the row normalised to sum 1 and clipped to <c>[1e-7, 1 - 1e-7]</c>.
    /// One target per row: the class index, stored as a float.
    /// </summary>
    SparseCategoricalCrossentropy,

    /// <summary><c>-sum of y log p</c>, with the row normalised to sum 1 and clipped. Targets are one row of the output width.</summary>
    CategoricalCrossentropy,

    /// <summary><c>(p - y)²</c> averaged over the outputs of a row.</summary>
    MeanSquaredError,
}

/// <summary>Loss values and their gradients for one output row.</summary>
public static class LossFunctions
{
    /// <summary>Keras <c>backend.epsilon()</c>, the clipping bound for probabilities.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary>How many target values each output row takes: 1 for sparse categorical cross-entropy, else the output width.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="loss"/> is not a defined <see cref="Loss"/>.</exception>
    public static int TargetWidth(Loss loss, int outputWidth) => loss switch
    {
        Loss.SparseCategoricalCrossentropy => 1,
        Loss.BinaryCrossentropy or Loss.CategoricalCrossentropy or Loss.MeanSquaredError => outputWidth,
        _ => throw Undefined(loss),
    };

    /// <summary>
    /// Returns the loss of one row and writes <c>scale * dLoss/dOutput</c> to <paramref name="gradient"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A sparse target is not a class index of the row.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="loss"/> is not a defined <see cref="Loss"/>.</exception>
    public static float Evaluate(Loss loss, ReadOnlySpan<float> output, ReadOnlySpan<float> target, float scale, Span<float> gradient)
    {
        int width = output.Length;
        switch (loss)
        {
            case Loss.BinaryCrossentropy:
            {
                double sum = 0;
                for (int j = 0; j < width; j++)
                {
                    float p = output[j];
                    float y = target[j];
                    bool clipped = p < Epsilon || p > 1f - Epsilon;
                    double pc = Math.Clamp(p, Epsilon, 1f - Epsilon);
                    sum -= y * Math.Log(pc) + (1 - y) * Math.Log(1 - pc);
                    gradient[j] = clipped ? 0f : (float)(scale * (-(y / pc) + (1 - y) / (1 - pc)) / width);
                }

                return (float)(sum / width);
            }

            case Loss.MeanSquaredError:
            {
                double sum = 0;
                for (int j = 0; j < width; j++)
                {
                    float difference = output[j] - target[j];
                    sum += (double)difference * difference;
                    gradient[j] = scale * 2f * difference / width;
                }

                return (float)(sum / width);
            }

            case Loss.CategoricalCrossentropy or Loss.SparseCategoricalCrossentropy:
            {
                // Categorical: q = p / sum(p), clipped; loss = -sum of y log q. The gradient goes back
                // through the normalisation: dL/dp_j = g_j / S - (sum over i of g_i p_i) / S², g = dL/dq.
                float total = 0;
                for (int j = 0; j < width; j++)
                {
                    total += output[j];
                }

                int label = -1;
                if (loss == Loss.SparseCategoricalCrossentropy)
                {
                    float value = target[0];
                    label = (int)value;
                    if (label != value || label < 0 || label >= width)
                    {
                        throw new ArgumentException(
                            $"A sparse categorical target must be a class index in [0, {width}); got {value}.", nameof(target));
                    }
                }

                double lossValue = 0;
                double weighted = 0;
                for (int j = 0; j < width; j++)
                {
                    float y = label >= 0 ? (j == label ? 1f : 0f) : target[j];
                    float q = output[j] / total;
                    bool clipped = q < Epsilon || q > 1f - Epsilon;
                    double qc = Math.Clamp(q, Epsilon, 1f - Epsilon);
                    lossValue -= y * Math.Log(qc);
                    double g = clipped || y == 0 ? 0 : -y / qc;
                    gradient[j] = (float)g; // dL/dq for now
                    weighted += g * output[j];
                }

                for (int j = 0; j < width; j++)
                {
                    gradient[j] = (float)(scale * (gradient[j] / total - weighted / ((double)total * total)));
                }

                return (float)lossValue;
            }

            default:
                throw Undefined(loss);
        }
    }

    private static ArgumentOutOfRangeException Undefined(Loss loss) =>
        new(nameof(loss), loss, $"loss is {(int)loss}, which is not a Loss; use one of {string.Join(", ", Enum.GetNames<Loss>())}.");
}
