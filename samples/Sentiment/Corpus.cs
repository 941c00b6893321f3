using System;
using System.Collections.Generic;
using System.Linq;
using RnnDsl;

namespace Sentiment;

/// <summary>
/// A labelled corpus of short sentences in which negation and word order decide the label, generated
/// deterministically from templates. "the food was good , not bad" and "the food was bad , not good"
/// have the same words and opposite labels, so counting words cannot tell them apart.
/// </summary>
internal static class Corpus
{
    private static readonly string[] Things =
    {
        "the movie", "the film", "the food", "the service", "this book", "the hotel",
        "the show", "the concert", "the game", "this phone", "the song", "the trip",
    };

    private static readonly string[] Good = { "good", "great", "fun", "wonderful", "excellent", "lovely", "amazing", "enjoyable", "nice", "brilliant" };

    private static readonly string[] Bad = { "bad", "awful", "boring", "terrible", "dull", "horrible", "poor", "disappointing", "bland", "annoying" };

    private static readonly string[] Happy = { "happy", "glad", "pleased", "delighted" };

    private static readonly string[] Unhappy = { "sad", "unhappy", "upset", "angry" };

    /// <summary>One sentence and its label (1 = positive), and which template made it.</summary>
    public sealed record Example(string Text, float Label, string Template);

    /// <summary>
    /// The training and test sets. The test set holds adjective pairings and subject-adjective pairings that
    /// never occur in training, so it asks for word orders the model has not seen.
    /// </summary>
    public static (Example[] Train, Example[] Test) Build(int trainCount, int testCount, int seed)
    {
        var random = new SeededRandom(seed);
        var train = new List<Example>();
        var test = new List<Example>();

        // Hold out about a third of the adjective pairs, and of the (subject, adjective) pairs, for testing.
        bool HeldOut(string a, string b) => (StableHash(a + "|" + b) % 3) == 0;

        void Add(string text, bool positive, string template, bool heldOut) =>
            (heldOut ? test : train).Add(new Example(text, positive ? 1f : 0f, template));

        foreach (var (subject, verb, positive, negative) in Subjects())
        {
            foreach (string adjective in positive.Concat(negative))
            {
                bool good = positive.Contains(adjective);
                bool heldOut = HeldOut(subject, adjective);
                Add($"{subject} {verb} {adjective}", good, "X is A", heldOut);
                Add($"{subject} {verb} not {adjective}", !good, "X is not A", heldOut);
                Add($"{subject} {verb} not {adjective} at all", !good, "X is not A at all", heldOut);
            }

            foreach (string first in positive.Concat(negative))
            {
                foreach (string second in positive.Contains(first) ? negative : positive)
                {
                    bool heldOut = HeldOut(first, second) || HeldOut(second, first);
                    bool firstGood = positive.Contains(first);
                    Add($"{subject} {verb} {first} , not {second}", firstGood, "X is A, not B", heldOut);
                    Add($"{subject} {verb} not {first} but {second}", !firstGood, "X is not A but B", heldOut);
                }
            }
        }

        return (Sample(train, trainCount, random), Sample(test, testCount, random));
    }

    private static IEnumerable<(string Subject, string Verb, string[] Positive, string[] Negative)> Subjects()
    {
        foreach (string thing in Things)
        {
            yield return (thing, "was", Good, Bad);
            yield return (thing, "is", Good, Bad);
        }

        yield return ("i", "am", Happy, Unhappy);
        yield return ("i", "was", Happy, Unhappy);
        yield return ("we", "are", Happy, Unhappy);
        yield return ("we", "were", Happy, Unhappy);
    }

    /// <summary>A seeded sample of <paramref name="count"/> examples, half positive and half negative.</summary>
    private static Example[] Sample(List<Example> pool, int count, SeededRandom random)
    {
        Example[] Shuffled(IEnumerable<Example> examples)
        {
            Example[] items = examples.ToArray();
            for (int i = items.Length - 1; i > 0; i--)
            {
                int j = random.NextInt(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }

            return items;
        }

        Example[] positives = Shuffled(pool.Where(e => e.Label == 1f)).Take(count / 2).ToArray();
        Example[] negatives = Shuffled(pool.Where(e => e.Label == 0f)).Take(count - positives.Length).ToArray();
        return Shuffled(positives.Concat(negatives));
    }

    /// <summary>FNV-1a: a hash that does not change between runs or .NET versions.</summary>
    private static uint StableHash(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash;
    }
}
