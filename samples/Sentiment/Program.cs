using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using RnnDsl;
using RnnDsl.Samples;
using RnnDsl.Text;
using Sentiment;

// Word order matters: a bag-of-words baseline against the Keras tutorial's recurrent model, on sentences
// where negation and order decide the label. Everything runs on data this sample generates.
// `--save <folder>` keeps the trained model and its tokenizer there (sentiment.rnnw, tokenizer.json), as
// samples/EdgeClassifier ships them; other arguments are sentences to classify.
string? saveTo = null;
var sentences = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--save")
    {
        if (i + 1 == args.Length)
        {
            Console.Error.WriteLine("--save needs a folder: dotnet run --project samples/Sentiment -- --save <folder> [sentences...]");
            return 2;
        }

        saveTo = args[++i];
    }
    else
    {
        sentences.Add(args[i]);
    }
}

var clock = Stopwatch.StartNew();
var (train, test) = Corpus.Build(trainCount: 4000, testCount: 1000, seed: 7);
Console.WriteLine($"Corpus: {train.Length} training and {test.Length} test sentences; the test set pairs words in ways training never does.");
foreach (var example in train.Take(4))
{
    Console.WriteLine($"  {(example.Label == 1f ? "positive" : "negative"),-8}  \"{example.Text}\"");
}

// Keras-style preprocessing: a tokenizer fitted on the training texts, sequences padded to one length.
const int Length = SentimentModel.SentenceLength;
var tokenizer = new Tokenizer(numWords: 1000, oovToken: "<oov>");
tokenizer.FitOnTexts(train.Select(e => e.Text));
int[][] Encode(IEnumerable<string> texts) => Sequences.Pad(tokenizer.TextsToSequences(texts), Length, PadSide.Post, PadSide.Post);
int[][] trainInputs = Encode(train.Select(e => e.Text));
int[][] testInputs = Encode(test.Select(e => e.Text));
float[][] trainTargets = train.Select(e => new[] { e.Label }).ToArray();
float[][] testTargets = test.Select(e => new[] { e.Label }).ToArray();
Console.WriteLine($"Vocabulary: {tokenizer.WordIndex.Count} words; sequences padded to {Length} tokens.");
Console.WriteLine();

// 1. The baseline: logistic regression on word counts.
var baseline = new BagOfWords(tokenizer.VocabularySize);
baseline.Train(trainInputs, train.Select(e => e.Label).ToArray(), epochs: 400, learningRate: 2f);
bool[] baselineRight = testInputs.Select((x, n) => (baseline.Probability(x) > 0.5f) == (test[n].Label == 1f)).ToArray();

// 2. The tutorial model: Embedding -> Bidirectional(SimpleRNN) -> Dense(1, sigmoid), trained like model.fit.
var model = new SentimentModel(seed: 1);
Console.WriteLine(model.Summary());
Console.WriteLine("Training SentimentModel (Adam, binary cross-entropy, batches of 32, 10% held out for validation):");
TrainingProgress.Run(progress => model.Fit(trainInputs, trainTargets, new FitOptions
{
    Epochs = 8,
    BatchSize = 32,
    Optimizer = new Adam(learningRate: 0.005f),
    Loss = Loss.BinaryCrossentropy,
    Metrics = [Metric.Accuracy],
    ValidationSplit = 0.1,
    Seed = 1,
    OnBatchEnd = progress.OnBatch,
    OnEpochEnd = progress.OnEpoch,
}));

var probability = new float[1];
bool[] modelRight = testInputs.Select((x, n) =>
{
    model.Predict(x, probability);
    return (probability[0] > 0.5f) == (test[n].Label == 1f);
}).ToArray();

Console.WriteLine();
Console.WriteLine("Test accuracy (sentences never seen in training):");
Console.WriteLine($"  {"",-22} {"bag of words",14} {"SentimentModel",16}");
foreach (var group in test.Select((e, n) => (e.Template, n)).GroupBy(x => x.Template).OrderBy(g => g.Key, StringComparer.Ordinal))
{
    int[] rows = group.Select(x => x.n).ToArray();
    Console.WriteLine($"  {group.Key,-22} {Rate(baselineRight, rows),14:P1} {Rate(modelRight, rows),16:P1}");
}

int[] all = Enumerable.Range(0, test.Length).ToArray();
Console.WriteLine($"  {"all",-22} {Rate(baselineRight, all),14:P1} {Rate(modelRight, all),16:P1}");
Console.WriteLine($"Trained and tested in {clock.Elapsed.TotalSeconds:F1} s.");
Console.WriteLine();

if (saveTo is not null)
{
    // The weights in RnnDsl's own format (architecture-checked, checksummed, written atomically) and the
    // tokenizer as Keras's to_json: all an app needs to classify without training.
    System.IO.Directory.CreateDirectory(saveTo);
    model.SaveWeights(System.IO.Path.Combine(saveTo, "sentiment.rnnw"));
    tokenizer.Save(System.IO.Path.Combine(saveTo, "tokenizer.json"));
    Console.WriteLine($"Saved the model and its tokenizer to {saveTo}: sentiment.rnnw, tokenizer.json.");
    Console.WriteLine();
}

// 3. Classify: sentences from the command line, else typed in at a terminal, else a built-in handful.
void Classify(string sentence)
{
    int[] tokens = Encode([sentence])[0];
    if (tokens.All(t => t == 0))
    {
        Console.WriteLine($"  (no known words)  \"{sentence}\"");
        return;
    }

    model.Predict(tokens, probability);
    Console.WriteLine($"  {(probability[0] > 0.5f ? "positive" : "negative"),-8} {probability[0],6:F3}   bag of words {baseline.Probability(tokens),6:F3}   \"{sentence}\"");
}

Console.WriteLine("P(positive) from SentimentModel, beside the bag-of-words baseline:");
if (sentences.Count > 0)
{
    foreach (string sentence in sentences)
    {
        Classify(sentence);
    }
}
else if (!Console.IsInputRedirected)
{
    Console.WriteLine("Type a sentence (an empty line ends):");
    while (Console.ReadLine() is { Length: > 0 } line)
    {
        Classify(line);
    }
}
else
{
    foreach (string sentence in new[]
    {
        "i am happy", "i am not happy", "the movie was not bad at all", "the movie was bad",
        "the food was good , not bad", "the food was bad , not good", "the hotel was not boring but lovely",
    })
    {
        Classify(sentence);
    }
}

return 0;

static double Rate(bool[] right, int[] rows) => rows.Count(r => right[r]) / (double)rows.Length;
