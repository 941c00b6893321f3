using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using EdgeClassifier;
using RnnDsl.Text;
using Sentiment;
using SpamFilter;

// An edge app: one native executable that classifies with models trained elsewhere.
//
//   cat message.eml | EdgeClassifier        spam or ham for the e-mail on standard input (the SpamFilter sample's LSTM)
//   EdgeClassifier --email FILE ...         the same for each e-mail file given
//   EdgeClassifier "text" ...               positive or negative for each text (the Sentiment sample's model)
//   EdgeClassifier --lines                  the same for each line of standard input
//   EdgeClassifier --benchmark [options]    times the design card's model (see Benchmark.cs)
// --model DIR reads the weights and tokenizers from DIR instead of the Model folder beside the executable.
if (args.Length > 0 && args[0] == "--benchmark")
{
    return Benchmark.Run(args.AsSpan(1));
}

string folder = Path.Combine(AppContext.BaseDirectory, "Model");
var texts = new List<string>();
var emails = new List<string>();
bool lines = false;
bool emailFiles = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model" when i + 1 < args.Length:
            folder = args[++i];
            break;
        case "--lines":
            lines = true;
            break;
        case "--email":
            emailFiles = true;
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        default:
            (emailFiles ? emails : texts).Add(args[i]);
            break;
    }
}

if (emailFiles && (texts.Count > 0 || lines))
{
    Console.Error.WriteLine("--email takes e-mail files; texts to classify by sentiment (or --lines) go in another run.");
    return 2;
}

try
{
    if (emailFiles || (texts.Count == 0 && !lines))
    {
        if (!emailFiles && !Console.IsInputRedirected)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        return ClassifyEmails(folder, emails);
    }

    return ClassifySentences(folder, texts, lines);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
{
    // A missing file, or one for another model, cut short or corrupted (InvalidDataException): the message says which.
    Console.Error.WriteLine("EdgeClassifier: " + e.Message);
    return 1;
}

// Spam or ham: the e-mail's subject and body text (EmailText, the extraction the corpus was prepared with), the
// tokenizer's words cut or padded at the end to the model's 200 tokens, then P(spam); spam when above 0.5, as Keras's
// metrics count it. A message of which fewer than a fifth of the words are in the vocabulary (binary junk, another
// language) is "unknown": the model was not trained on anything like it, and its score would mean little.
static int ClassifyEmails(string folder, List<string> files)
{
    SpamLstm model = SpamLstm.Load(Path.Combine(folder, "spam-lstm.rnnw"));
    Tokenizer tokenizer = Tokenizer.Load(Path.Combine(folder, "spam-tokenizer.json"));
    int outOfVocabulary = tokenizer.OovToken is { } oov && tokenizer.WordIndex.TryGetValue(oov, out int index) ? index : -1;
    var probability = new float[SpamLstm.OutputWidth];
    void Classify(byte[] message, string name)
    {
        string text = EmailText.Extract(message);
        int[] tokens = Sequences.Pad([tokenizer.TextToSequence(text)], Messages.Length, PadSide.Post, PadSide.Post)[0];
        string subject = text.Split('\n', 2)[0];
        int words = tokens.Count(t => t != 0);
        int known = tokens.Count(t => t != 0 && t != outOfVocabulary);
        if (known == 0 || known < words / 5)
        {
            Console.WriteLine($"unknown  -      {name}\"{subject}\" ({known} of {words} words in the vocabulary)");
            return;
        }

        model.Predict(tokens, probability);
        Console.WriteLine($"{(probability[0] > 0.5f ? "spam" : "ham"),-8} {probability[0]:F3}  {name}\"{subject}\"");
    }

    if (files.Count == 0)
    {
        using var input = new MemoryStream();
        Console.OpenStandardInput().CopyTo(input);
        Classify(input.ToArray(), string.Empty);
        return 0;
    }

    // Every file is tried; one that cannot be read is reported and the rest still classified (exit code 1 at the end).
    int failures = 0;
    foreach (string file in files)
    {
        byte[] message;
        try
        {
            message = Directory.Exists(file) ? throw new IOException($"{file} is a folder, not an e-mail file.") : File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("EdgeClassifier: " + e.Message);
            failures++;
            continue;
        }

        Classify(message, file + "  ");
    }

    return failures == 0 ? 0 : 1;
}

// Positive or negative: the tokenizer's words, cut or padded at the end to the model's sentence length, as in training.
static int ClassifySentences(string folder, List<string> texts, bool lines)
{
    SentimentModel model = SentimentModel.Load(Path.Combine(folder, "sentiment.rnnw"));
    Tokenizer tokenizer = Tokenizer.Load(Path.Combine(folder, "tokenizer.json"));
    if (lines)
    {
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
}

partial class Program
{
    private const string Usage = """
        Usage:
          EdgeClassifier [--model DIR] < message.eml
          EdgeClassifier [--model DIR] --email FILE ...
              Classifies the e-mail on standard input (or each FILE) as spam or ham, with P(spam), using
              DIR/spam-lstm.rnnw and DIR/spam-tokenizer.json (default: the Model folder beside the executable).
          EdgeClassifier [--model DIR] text ...
          EdgeClassifier [--model DIR] --lines < texts.txt
              Classifies each text (or each line of standard input) as positive or negative, with P(positive), using
              DIR/sentiment.rnnw and DIR/tokenizer.json.
          EdgeClassifier --benchmark [--predictions N] [--rounds R] [--warmup-ms MS] [--steps T]
              Times N predictions of the design card's model on a T-step sequence (default 2000 x 7 rounds, T = 100)
              after MS milliseconds of warm-up (default 1000), and prints the time per prediction and the output.
        """;
}
