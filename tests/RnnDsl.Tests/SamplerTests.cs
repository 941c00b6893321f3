using System;
using System.Linq;
using RnnDsl.Text;
using Xunit;

namespace RnnDsl.Tests;

public class SamplerTests
{
    /// <summary>
    /// The 99.9 % quantile of the chi-squared distribution with 5 degrees of freedom (6 categories): a correct
    /// sampler exceeds it in one run out of a thousand. The seeds are fixed, so each test is deterministic.
    /// </summary>
    private const double ChiSquared5DegreesOfFreedom999 = 20.515;

    [Fact]
    public void Greedy_picks_the_most_probable_token_and_the_lowest_index_on_ties()
    {
        Assert.Equal(2, Sampler.Greedy([0.1f, 0.2f, 0.5f, 0.2f]));
        Assert.Equal(1, Sampler.Greedy([0.1f, 0.4f, 0.1f, 0.4f]));
        Assert.Equal(0, Sampler.Greedy([0.25f, 0.25f, 0.25f, 0.25f]));
        Assert.Equal(3, Sampler.Greedy([0f, 0f, 0f, 1e-30f]));
        Assert.Equal(0, Sampler.Greedy([7f])); // one token, unnormalised
    }

    [Fact]
    public void Temperature_zero_is_greedy()
    {
        var sampler = new Sampler(seed: 3) { Temperature = 0f, TopK = 5, TopP = 0.5f };
        for (int n = 0; n < 200; n++)
        {
            float[] probabilities = RandomDistribution(37, seed: n);
            if (n % 10 == 0)
            {
                probabilities[5] = probabilities[20] = probabilities.Max(); // a tie goes to the lower index
            }

            Assert.Equal(Sampler.Greedy(probabilities), sampler.Sample(probabilities));
        }
    }

    [Fact]
    public void A_small_temperature_tends_to_greedy()
    {
        float[] probabilities = [0.05f, 0.3f, 0.35f, 0.2f, 0.1f];
        const float Temperature = 0.01f;

        // The tempered probability of missing the maximum is sum_i (p_i / p_max)^(1/T) over the other tokens,
        // divided by 1 plus that sum. (0.3 / 0.35)^100 = 2.0e-7 dominates; (0.2 / 0.35)^100 = 5e-25. So 10,000
        // draws are expected to miss about 0.002 times, and allowing 10 misses (99.9 %) fails only with
        // probability below (10,000 q)^11 / 11! < 1e-35: the test checks the tempering, not luck.
        double others = probabilities.Where((_, i) => i != 2).Sum(p => Math.Pow(p / 0.35, 1 / (double)Temperature));
        double missProbability = others / (1 + others);
        Assert.InRange(missProbability, 1e-7, 1e-6);

        var sampler = new Sampler(seed: 5) { Temperature = Temperature };
        int hits = Enumerable.Range(0, 10_000).Count(_ => sampler.Sample(probabilities) == 2);
        Assert.True(hits >= 9_990, $"{hits} of 10,000 draws picked the maximum");

        // At temperature 1 the maximum is picked about 35 % of the time, so the test above is not vacuous.
        var plain = new Sampler(seed: 5);
        int plainHits = Enumerable.Range(0, 10_000).Count(_ => plain.Sample(probabilities) == 2);
        Assert.InRange(plainHits, 3_000, 4_000);
    }

    [Fact]
    public void Tiny_probabilities_and_extreme_temperatures_neither_underflow_to_nothing_nor_give_NaN()
    {
        var cold = new Sampler(seed: 1) { Temperature = 0.001f };
        float[] tiny = [1e-30f, 1e-38f, float.Epsilon, 0f];
        float[] subnormal = [float.Epsilon, 2 * float.Epsilon];
        var hot = new Sampler(seed: 1) { Temperature = 1e30f };
        for (int n = 0; n < 100; n++)
        {
            Assert.Equal(0, cold.Sample(tiny));
            Assert.Equal(1, cold.Sample(subnormal));
            Assert.InRange(hot.Sample(tiny), 0, 2); // nearly uniform over the non-zero tokens, never the zero one
        }
    }

    [Fact]
    public void Top_k_never_draws_outside_the_k_most_probable()
    {
        foreach (int k in new[] { 1, 3, 10 })
        {
            foreach (float temperature in new[] { 0.5f, 1f, 2f })
            {
                var sampler = new Sampler(seed: k) { TopK = k, Temperature = temperature };
                for (int n = 0; n < 50; n++)
                {
                    float[] probabilities = RandomDistribution(60, seed: 1000 * k + n);
                    var allowed = Ranked(probabilities).Take(k).ToHashSet();
                    for (int draw = 0; draw < 100; draw++)
                    {
                        int token = sampler.Sample(probabilities);
                        Assert.True(allowed.Contains(token), $"k = {k}, T = {temperature}: drew {token}, outside the top {k}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Top_p_never_draws_outside_the_nucleus()
    {
        foreach (float topP in new[] { 0.1f, 0.5f, 0.9f })
        {
            var sampler = new Sampler(seed: 11) { TopP = topP };
            for (int n = 0; n < 50; n++)
            {
                float[] probabilities = RandomDistribution(60, seed: 2000 + n);

                // The nucleus: the shortest run of most probable tokens holding at least topP of the total.
                // At temperature 1 the sampler sums the same values in the same order, so the boundary agrees exactly.
                double threshold = topP * probabilities.Sum(p => (double)p);
                int[] ranked = Ranked(probabilities);
                double cumulative = 0;
                int size = 0;
                while (cumulative < threshold)
                {
                    cumulative += probabilities[ranked[size++]];
                }

                var nucleus = ranked.Take(size).ToHashSet();
                for (int draw = 0; draw < 100; draw++)
                {
                    int token = sampler.Sample(probabilities);
                    Assert.True(nucleus.Contains(token), $"p = {topP}: drew {token}, outside the nucleus of {size} tokens");
                }
            }
        }
    }

    [Fact]
    public void A_tiny_top_p_is_greedy()
    {
        foreach (float temperature in new[] { 1f, 1.5f })
        {
            var sampler = new Sampler(seed: 2) { TopP = 1e-6f, Temperature = temperature };
            for (int n = 0; n < 100; n++)
            {
                float[] probabilities = RandomDistribution(100, seed: 3000 + n);
                Assert.Equal(Sampler.Greedy(probabilities), sampler.Sample(probabilities));
            }
        }
    }

    [Fact]
    public void Filters_apply_in_the_order_temperature_then_top_k_then_top_p()
    {
        float[] probabilities = [0.4f, 0.3f, 0.2f, 0.1f];

        // Top-p after top-k works on the renormalised top 2: 0.4 / 0.7 = 0.57 >= 0.5, so only token 0 is left.
        // On the original distribution 0.4 < 0.5 would keep tokens 0 and 1.
        var topKThenTopP = new Sampler(seed: 1) { TopK = 2, TopP = 0.5f };

        // Top-p after temperature 0.5 sees 0.16 / 0.30 = 0.53 >= 0.5 for token 0; untempered it would keep two tokens.
        var temperatureThenTopP = new Sampler(seed: 1) { Temperature = 0.5f, TopP = 0.5f };

        // Without the first filter both draw token 1 often (3 / 7 of the time).
        var topPAlone = new Sampler(seed: 1) { TopP = 0.5f };
        for (int n = 0; n < 1000; n++)
        {
            Assert.Equal(0, topKThenTopP.Sample(probabilities));
            Assert.Equal(0, temperatureThenTopP.Sample(probabilities));
        }

        Assert.Contains(1, Enumerable.Range(0, 100).Select(_ => topPAlone.Sample(probabilities)));
    }

    [Fact]
    public void The_same_seed_gives_the_same_picks_and_another_seed_other_picks()
    {
        float[] probabilities = RandomDistribution(20, seed: 4);
        int[] Picks(int seed)
        {
            var sampler = new Sampler(seed) { Temperature = 0.9f, TopK = 15, TopP = 0.95f };
            return Enumerable.Range(0, 500).Select(_ => sampler.Sample(probabilities)).ToArray();
        }

        Assert.Equal(Picks(42), Picks(42));
        Assert.NotEqual(Picks(42), Picks(43));
    }

    [Fact]
    public void Draws_follow_the_distribution()
    {
        // Unnormalised on purpose: the sampler renormalises. Expected probabilities 0.30, 0.25, ..., 0.05.
        float[] weights = [30f, 25f, 20f, 12f, 8f, 5f];
        double[] expected = weights.Select(w => w / 100.0).ToArray();
        double statistic = ChiSquared(new Sampler(seed: 21), weights, expected);
        Assert.True(statistic < ChiSquared5DegreesOfFreedom999, $"chi-squared {statistic:F2} >= {ChiSquared5DegreesOfFreedom999}");
    }

    [Fact]
    public void Draws_follow_the_tempered_distribution()
    {
        // Temperature 0.5 squares the probabilities: 0.09, 0.0625, 0.04, 0.0144, 0.0064, 0.0025, summing to 0.2158.
        float[] probabilities = [0.30f, 0.25f, 0.20f, 0.12f, 0.08f, 0.05f];
        double[] expected = [0.09 / 0.2158, 0.0625 / 0.2158, 0.04 / 0.2158, 0.0144 / 0.2158, 0.0064 / 0.2158, 0.0025 / 0.2158];
        double statistic = ChiSquared(new Sampler(seed: 22) { Temperature = 0.5f }, probabilities, expected);
        Assert.True(statistic < ChiSquared5DegreesOfFreedom999, $"chi-squared {statistic:F2} >= {ChiSquared5DegreesOfFreedom999}");
    }

    [Fact]
    public void Draws_follow_the_renormalised_top_k_distribution()
    {
        // Eight tokens, the top 6 kept (so again 5 degrees of freedom): 0.25, 0.20, 0.15, 0.12, 0.10, 0.08 over
        // their sum 0.90; tokens 6 and 7 (0.06 and 0.04) must never come up.
        float[] probabilities = [0.10f, 0.25f, 0.04f, 0.15f, 0.20f, 0.08f, 0.06f, 0.12f];
        double[] expected = [0.10 / 0.9, 0.25 / 0.9, 0, 0.15 / 0.9, 0.20 / 0.9, 0.08 / 0.9, 0, 0.12 / 0.9];
        double statistic = ChiSquared(new Sampler(seed: 23) { TopK = 6 }, probabilities, expected);
        Assert.True(statistic < ChiSquared5DegreesOfFreedom999, $"chi-squared {statistic:F2} >= {ChiSquared5DegreesOfFreedom999}");
    }

    [Fact]
    public void Sampling_allocates_nothing_after_the_first_call()
    {
        float[] large = RandomDistribution(1000, seed: 6);
        float[] small = RandomDistribution(300, seed: 7);
        Sampler[] samplers =
        [
            new Sampler(seed: 1),
            new Sampler(seed: 2) { Temperature = 0.8f, TopK = 40 },
            new Sampler(seed: 3) { Temperature = 1.2f, TopP = 0.9f },
            new Sampler(seed: 4) { Temperature = 0.7f, TopK = 100, TopP = 0.5f },
            new Sampler(seed: 5) { Temperature = 0f },
        ];

        int checksum = 0;
        foreach (var sampler in samplers)
        {
            checksum += sampler.Sample(large); // warm-up: the scratch buffers are sized here
        }

        long before = TestData.AllocatedBytes();
        for (int i = 0; i < 1000; i++)
        {
            var sampler = samplers[i % samplers.Length];
            checksum += sampler.Sample(i % 2 == 0 ? large : small); // a smaller vocabulary reuses the buffers
        }

        Assert.Equal(0, TestData.AllocatedBytes() - before);
        Assert.True(checksum >= 0);
    }

    [Fact]
    public void Invalid_settings_are_rejected_with_the_property_and_value_named()
    {
        var sampler = new Sampler(seed: 1);
        foreach (float temperature in new[] { -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Temperature = temperature);
            Assert.Equal("Temperature", error.ParamName);
            Assert.Contains($"Temperature is {temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}", error.Message);
        }

        var topK = Assert.Throws<ArgumentOutOfRangeException>(() => sampler.TopK = -3);
        Assert.Equal("TopK", topK.ParamName);
        Assert.Contains("TopK is -3", topK.Message);

        foreach (float topP in new[] { 0f, -0.5f, 1.5f, float.NaN })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => sampler.TopP = topP);
            Assert.Equal("TopP", error.ParamName);
            Assert.Contains($"TopP is {topP.ToString(System.Globalization.CultureInfo.InvariantCulture)}", error.Message);
        }

        // A rejected value leaves the setting as it was.
        Assert.Equal((1f, 0, 1f), (sampler.Temperature, sampler.TopK, sampler.TopP));
    }

    [Fact]
    public void Invalid_distributions_are_rejected_with_the_argument_and_index_named()
    {
        var sampler = new Sampler(seed: 1);
        foreach (Func<float[], int> pick in new Func<float[], int>[] { p => sampler.Sample(p), p => Sampler.Greedy(p) })
        {
            var empty = Assert.Throws<ArgumentException>(() => pick([]));
            Assert.Equal("probabilities", empty.ParamName);
            Assert.Contains("empty", empty.Message);

            foreach (float bad in new[] { -0.1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            {
                var error = Assert.Throws<ArgumentException>(() => pick([0.5f, 0.25f, bad, 0.25f]));
                Assert.Equal("probabilities", error.ParamName);
                Assert.Contains("probabilities[2] is", error.Message);
            }

            var zero = Assert.Throws<ArgumentException>(() => pick([0f, 0f, 0f]));
            Assert.Equal("probabilities", zero.ParamName);
            Assert.Contains("all zero", zero.Message);
        }
    }

    [Fact]
    public void A_token_of_probability_zero_is_never_drawn()
    {
        float[] probabilities = [0f, 0.5f, 0f, 0.5f, 0f];
        var samplers = new[] { new Sampler(seed: 8), new Sampler(seed: 9) { Temperature = 50f }, new Sampler(seed: 10) { TopK = 4 } };
        foreach (var sampler in samplers)
        {
            for (int n = 0; n < 1000; n++)
            {
                Assert.True(sampler.Sample(probabilities) is 1 or 3);
            }
        }
    }

    /// <summary>Pearson's statistic, sum (observed - expected)^2 / expected over the tokens expected to appear, for 60,000 draws.</summary>
    private static double ChiSquared(Sampler sampler, float[] probabilities, double[] expected)
    {
        const int Draws = 60_000;
        var counts = new int[probabilities.Length];
        for (int n = 0; n < Draws; n++)
        {
            counts[sampler.Sample(probabilities)]++;
        }

        double statistic = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            if (expected[i] == 0)
            {
                Assert.Equal(0, counts[i]);
                continue;
            }

            double expectedCount = Draws * expected[i];
            statistic += (counts[i] - expectedCount) * (counts[i] - expectedCount) / expectedCount;
        }

        return statistic;
    }

    /// <summary>A skewed random distribution (uniform values cubed, then normalised).</summary>
    private static float[] RandomDistribution(int length, int seed)
    {
        var random = new SeededRandom(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)Math.Pow(random.NextDouble(), 3);
        }

        float sum = values.Sum();
        for (int i = 0; i < length; i++)
        {
            values[i] /= sum;
        }

        return values;
    }

    /// <summary>Token indices from most to least probable, the lower index first on ties.</summary>
    private static int[] Ranked(float[] probabilities) =>
        Enumerable.Range(0, probabilities.Length).OrderByDescending(i => probabilities[i]).ThenBy(i => i).ToArray();
}
