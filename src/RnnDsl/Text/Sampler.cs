using System;
using System.Globalization;

namespace RnnDsl.Text;

/// <summary>
/// Picks the next token from a probability distribution, such as the softmax output of one step of a
/// language model, for text generation. Temperature, top-k and top-p (nucleus) filtering are applied
/// in the order Hugging Face <c>generate</c> uses: temperature, then top-k, then top-p, then the draw.
/// </summary>
/// <example>
/// <code>
/// var sampler = new Sampler(seed: 1) { Temperature = 0.8f, TopK = 40 };
/// int next = sampler.Sample(probabilities);
/// </code>
/// </example>
/// <remarks>
/// <para>
/// The picks are reproducible: two samplers made with the same seed and given the same distributions
/// and settings return the same sequence of tokens. Every call of <see cref="Sample"/> that draws takes
/// exactly one number from the random sequence; a greedy call (<see cref="Temperature"/> 0) takes none.
/// </para>
/// <para>
/// A sampler keeps scratch buffers sized to the largest vocabulary it has seen, so after the first call
/// for a given vocabulary size <see cref="Sample"/> allocates nothing. For the same reason an instance is
/// not safe for concurrent use: give each thread, or each generation running in parallel, its own.
/// </para>
/// </remarks>
public sealed class Sampler
{
    // The library's own generator rather than System.Random: its sequence for a seed is fixed by RnnDsl,
    // not by the .NET version, so a generated text can be reproduced on any runtime.
    private readonly SeededRandom _random;

    private float _temperature = 1f;
    private int _topK;
    private float _topP = 1f;

    // Scratch, grown to the largest vocabulary seen and reused by every call:
    // the tempered (unnormalised) weight of each token,
    private double[] _weights = Array.Empty<double>();

    // a binary max-heap of the indices of the tokens with a positive weight,
    private int[] _heap = Array.Empty<int>();

    // and the indices taken off that heap, most probable first.
    private int[] _ranked = Array.Empty<int>();

    /// <summary>Creates a sampler whose random draws follow the sequence of <paramref name="seed"/>.</summary>
    public Sampler(int seed)
    {
        _random = new SeededRandom(seed);
    }

    /// <summary>
    /// The softmax temperature: each probability is raised to the power <c>1 / Temperature</c> and the
    /// result renormalised, which equals <c>softmax(logits / Temperature)</c>. Below 1 it sharpens the
    /// distribution, above 1 it flattens it; 0 always picks the most probable token (see <see cref="Greedy"/>).
    /// The default is 1, the distribution as given.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public float Temperature
    {
        get => _temperature;
        set
        {
            if (!(value >= 0f) || float.IsPositiveInfinity(value))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(Temperature), value, $"Temperature is {Format(value)}; it must be a finite number >= 0 (0 picks the most probable token).");
            }

            _temperature = value;
        }
    }

    /// <summary>
    /// Keep only the <c>TopK</c> most probable tokens before drawing; 0, the default, keeps all. Tokens of
    /// equal probability at the cut are kept lowest index first, so exactly <c>TopK</c> tokens remain.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int TopK
    {
        get => _topK;
        set
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(TopK), value, $"TopK is {value}; it must be >= 0 (0 keeps every token).");
            }

            _topK = value;
        }
    }

    /// <summary>
    /// Nucleus sampling: keep the smallest set of most probable tokens whose probabilities (after
    /// temperature and top-k, renormalised) sum to at least <c>TopP</c>. It lies in <c>(0, 1]</c>; 1, the
    /// default, keeps all. The most probable token is always kept, so a tiny value is greedy.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in <c>(0, 1]</c>.</exception>
    public float TopP
    {
        get => _topP;
        set
        {
            if (!(value > 0f && value <= 1f))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(TopP), value, $"TopP is {Format(value)}; it must be in (0, 1] (1 keeps every token).");
            }

            _topP = value;
        }
    }

    /// <summary>
    /// The index of the most probable token, the lowest such index when several tie: what Keras text
    /// generation tutorials do with <c>argmax(output_probs)</c>.
    /// </summary>
    /// <param name="probabilities">One non-negative weight per token; they need not sum to 1.</param>
    /// <exception cref="ArgumentException">The span is empty, has a negative, NaN or infinite entry, or is all zero.</exception>
    public static int Greedy(ReadOnlySpan<float> probabilities) => CheckAndFindMax(probabilities);

    /// <summary>
    /// Draws the next token from <paramref name="probabilities"/> after applying <see cref="Temperature"/>,
    /// <see cref="TopK"/> and <see cref="TopP"/>, in that order. A token of probability 0 is never drawn.
    /// </summary>
    /// <param name="probabilities">One non-negative weight per token; they need not sum to 1 (they are renormalised).</param>
    /// <returns>The index of the chosen token.</returns>
    /// <exception cref="ArgumentException">The span is empty, has a negative, NaN or infinite entry, or is all zero.</exception>
    public int Sample(ReadOnlySpan<float> probabilities)
    {
        int best = CheckAndFindMax(probabilities);
        if (_temperature == 0f)
        {
            return best;
        }

        EnsureCapacity(probabilities.Length);
        Span<double> weights = _weights.AsSpan(0, probabilities.Length);
        int candidates = Temper(probabilities, probabilities[best], weights);

        bool topK = _topK > 0 && _topK < candidates;
        bool topP = _topP < 1f;
        if (!topK && !topP)
        {
            return DrawFromAll(weights);
        }

        int kept;
        if (topK)
        {
            kept = Rank(weights, _topK, stopAtNucleus: false);
            if (topP)
            {
                // Top-p after top-k: the nucleus of the renormalised top-k distribution, a prefix of the ranked tokens.
                kept = NucleusLength(weights, kept);
            }
        }
        else
        {
            kept = Rank(weights, candidates, stopAtNucleus: true);
        }

        return DrawFromRanked(weights, kept);
    }

    /// <summary>
    /// Checks every entry and returns the index of the largest (the lowest on ties). One pass, no sorting.
    /// </summary>
    private static int CheckAndFindMax(ReadOnlySpan<float> probabilities)
    {
        if (probabilities.IsEmpty)
        {
            throw new ArgumentException("probabilities is empty; it needs one entry per token.", nameof(probabilities));
        }

        int best = 0;
        float max = probabilities[0];
        for (int i = 0; i < probabilities.Length; i++)
        {
            float p = probabilities[i];
            if (!(p >= 0f) || float.IsPositiveInfinity(p))
            {
                throw new ArgumentException(
                    $"probabilities[{i}] is {Format(p)}; probabilities must be finite and non-negative.", nameof(probabilities));
            }

            if (p > max)
            {
                best = i;
                max = p;
            }
        }

        if (max == 0f)
        {
            throw new ArgumentException("probabilities are all zero; there is no token to pick.", nameof(probabilities));
        }

        return best;
    }

    /// <summary>
    /// Writes each token's weight, proportional to <c>p^(1/T)</c> (renormalising removes the constant
    /// factor), and returns how many weights are positive.
    /// </summary>
    /// <remarks>
    /// The weights are computed in log space relative to the largest probability,
    /// <c>exp((ln p - ln max) / T)</c>: the most probable token gets exactly 1 and every other token a value
    /// in <c>[0, 1]</c>, so a small temperature or a tiny probability underflows only the unlikely tokens to
    /// 0 and never overflows or gives NaN. At temperature 1 the probabilities are the weights as they are.
    /// </remarks>
    private int Temper(ReadOnlySpan<float> probabilities, float max, Span<double> weights)
    {
        int positive = 0;
        if (_temperature == 1f)
        {
            for (int i = 0; i < probabilities.Length; i++)
            {
                weights[i] = probabilities[i];
                positive += probabilities[i] > 0f ? 1 : 0;
            }

            return positive;
        }

        double inverseTemperature = 1.0 / _temperature;
        double logMax = Math.Log(max);
        for (int i = 0; i < probabilities.Length; i++)
        {
            float p = probabilities[i];
            double weight = p > 0f ? Math.Exp((Math.Log(p) - logMax) * inverseTemperature) : 0.0;
            weights[i] = weight;
            positive += weight > 0.0 ? 1 : 0;
        }

        return positive;
    }

    /// <summary>Draws an index with probability proportional to its weight, with no filtering.</summary>
    private int DrawFromAll(ReadOnlySpan<double> weights)
    {
        double total = 0.0;
        for (int i = 0; i < weights.Length; i++)
        {
            total += weights[i];
        }

        // The running sum below adds the same values in the same order, so it ends exactly at total;
        // u < total except when rounding of the product lands on total, which the fallback covers.
        double u = _random.NextDouble() * total;
        double cumulative = 0.0;
        int last = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] > 0.0)
            {
                cumulative += weights[i];
                last = i;
                if (u < cumulative)
                {
                    return i;
                }
            }
        }

        return last;
    }

    /// <summary>
    /// Puts the most probable tokens, most probable first, into <c>_ranked</c> and returns how many.
    /// It stops after <paramref name="limit"/> tokens or, with <paramref name="stopAtNucleus"/>, as soon as
    /// their weights sum to at least <see cref="TopP"/> of the total weight (the nucleus).
    /// </summary>
    /// <remarks>
    /// A heap instead of a sort: building it is linear and each token taken off costs <c>O(log n)</c>, so
    /// ranking the <c>k</c> tokens that top-k keeps, or the few that usually make up a nucleus, does not pay
    /// for ordering the whole vocabulary.
    /// </remarks>
    private int Rank(ReadOnlySpan<double> weights, int limit, bool stopAtNucleus)
    {
        int count = 0;
        double total = 0.0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] > 0.0)
            {
                _heap[count++] = i;
                total += weights[i];
            }
        }

        double threshold = stopAtNucleus ? _topP * total : double.PositiveInfinity;
        for (int parent = count / 2 - 1; parent >= 0; parent--)
        {
            SiftDown(weights, parent, count);
        }

        int ranked = 0;
        double cumulative = 0.0;
        while (ranked < limit && count > 0)
        {
            int top = _heap[0];
            _ranked[ranked++] = top;
            cumulative += weights[top];
            if (cumulative >= threshold)
            {
                break;
            }

            _heap[0] = _heap[--count];
            SiftDown(weights, 0, count);
        }

        return ranked;
    }

    /// <summary>The length of the shortest prefix of <c>_ranked[..kept]</c> holding <see cref="TopP"/> of its weight.</summary>
    private int NucleusLength(ReadOnlySpan<double> weights, int kept)
    {
        double mass = 0.0;
        for (int j = 0; j < kept; j++)
        {
            mass += weights[_ranked[j]];
        }

        double threshold = _topP * mass;
        double cumulative = 0.0;
        for (int j = 0; j < kept; j++)
        {
            cumulative += weights[_ranked[j]];
            if (cumulative >= threshold)
            {
                return j + 1;
            }
        }

        return kept;
    }

    /// <summary>Draws among <c>_ranked[..kept]</c> (all of positive weight) in proportion to their weights.</summary>
    private int DrawFromRanked(ReadOnlySpan<double> weights, int kept)
    {
        double mass = 0.0;
        for (int j = 0; j < kept; j++)
        {
            mass += weights[_ranked[j]];
        }

        double u = _random.NextDouble() * mass;
        double cumulative = 0.0;
        for (int j = 0; j < kept - 1; j++)
        {
            cumulative += weights[_ranked[j]];
            if (u < cumulative)
            {
                return _ranked[j];
            }
        }

        return _ranked[kept - 1];
    }

    /// <summary>Restores the max-heap order below <paramref name="position"/> in <c>_heap[..count]</c>.</summary>
    private void SiftDown(ReadOnlySpan<double> weights, int position, int count)
    {
        int item = _heap[position];
        while (true)
        {
            int child = 2 * position + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && Before(weights, _heap[child + 1], _heap[child]))
            {
                child++;
            }

            if (!Before(weights, _heap[child], item))
            {
                break;
            }

            _heap[position] = _heap[child];
            position = child;
        }

        _heap[position] = item;
    }

    /// <summary>Whether token <paramref name="a"/> ranks before <paramref name="b"/>: more probable, or as probable with a lower index.</summary>
    private static bool Before(ReadOnlySpan<double> weights, int a, int b) =>
        weights[a] > weights[b] || (weights[a] == weights[b] && a < b);

    /// <summary>Grows the scratch buffers to hold a vocabulary of <paramref name="length"/> tokens; never shrinks them.</summary>
    private void EnsureCapacity(int length)
    {
        if (_weights.Length < length)
        {
            _weights = new double[length];
            _heap = new int[length];
            _ranked = new int[length];
        }
    }

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);
}
