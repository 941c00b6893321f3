using System;
using System.Collections.Generic;
using System.IO;
using EdgeClassifier;
using RnnDsl.Text;
using Sentiment;

// An edge app: one native executable that classifies text with a model trained elsewhere.
//
//   EdgeClassifier --benchmark [options]   times the design card's model (see Benchmark.cs)
//   EdgeClassifier [--model DIR] [text ...] classifies each text given, or each line of standard input, with the
//                                          model and tokenizer the Sentiment sample trained and saved (Model/ here)
if (args.Length > 0 && args[0] == "--benchmark")
{
    return Benchmark.Run(args.AsSpan(1));
}

string folder = Path.Combine(AppContext.BaseDirectory, "Model");
var texts = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--model" && i + 1 < args.Length)
    {
        folder = args[++i];
    }
    else if (args[i] is "--help" or "-h")
    {
        Console.WriteLine(Usage);
        return 0;
    }
    else
    {
        texts.Add(args[i]);
    }
}

// Start-up: the weights straight into a model that skips random initialisation, and the tokenizer they were trained with.
SentimentModel model;
Tokenizer tokenizer;
try
{
    model = SentimentModel.Load(Path.Combine(folder, "sentiment.rnnw"));
    tokenizer = Tokenizer.Load(Path.Combine(folder, "tokenizer.json"));
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
{
    // A missing file, or one for another model, cut short or corrupted (InvalidDataException): the message says which.
    Console.Error.WriteLine("EdgeClassifier: " + e.Message);
    return 1;
}

if (texts.Count == 0)
{
    if (!Console.IsInputRedirected)
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }

    while (Console.ReadLine() is { } line)
    {
        if (line.Trim().Length > 0)
        {
            texts.Add(line);
        }
    }
}

Span<float> probability = stackalloc float[SentimentModel.OutputWidth];
foreach (string text in texts)
{
    // As in training: the tokenizer's words, cut or padded at the end to the model's sentence length.
    int[] tokens = Sequences.Pad([tokenizer.TextToSequence(text)], SentimentModel.SentenceLength, PadSide.Post, PadSide.Post)[0];
    if (Array.TrueForAll(tokens, t => t == 0))
    {
        Console.WriteLine($"unknown   -       \"{text}\" (no known words)");
        continue;
    }

    model.Predict(tokens, probability);
    Console.WriteLine($"{(probability[0] > 0.5f ? "positive" : "negative"),-9} {probability[0]:F3}   \"{text}\"");
}

return 0;

partial class Program
{
    private const string Usage = """
        Usage:
          EdgeClassifier [--model DIR] [text ...]
              Classifies each text (or each line of standard input) as positive or negative, with P(positive), using
              DIR/sentiment.rnnw and DIR/tokenizer.json (default: the Model folder beside the executable).
          EdgeClassifier --benchmark [--predictions N] [--rounds R] [--warmup-ms MS] [--steps T]
              Times N predictions of the design card's model on a T-step sequence (default 2000 x 7 rounds, T = 100)
              after MS milliseconds of warm-up (default 1000), and prints the time per prediction and the output.
        """;
}
