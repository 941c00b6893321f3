using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using RnnDsl;
using RnnDsl.Samples;
using RnnDsl.Text;
using TextGeneration;

// Next-character generation on Moby-Dick: train a character-level LSTM on 95 % of the novel, measure its perplexity on
// the last 5 % against unigram and bigram models counted here, save it, then continue a prompt one character at a
// time with the step API (CreateState / Step), greedily and sampled.
//
//   dotnet run --project samples/TextGeneration -c Release                         train (about 2 minutes on 2 cores), then generate
//   dotnet run --project samples/TextGeneration -c Release -- "the whale"          the same, continuing your prompt
//   dotnet run --project samples/TextGeneration -c Release -- --reuse "the whale"  generate with the model an earlier run saved
//   dotnet run --project samples/TextGeneration -c Release -- --quick              a small slice, one epoch (seconds; what CI runs),
//                                                                                  saved apart (output-quick), so it never replaces a full run's model
//
// Why characters, not words: in a few minutes on 2 cores a word model of Moby-Dick (17,500 distinct words, 10,700 seen
// at most twice) learns little beyond the common words, and its softmax over the vocabulary costs more per step than
// the LSTM. A character model has 49 outputs, sees most of them thousands of times, and after a couple of passes over
// the book writes English-looking words and punctuation.
bool quick = args.Contains("--quick");
bool reuse = false;
int epochs = 3;
string output = Path.Combine(AppContext.BaseDirectory, quick ? "output-quick" : "output");
var promptWords = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            break;
        case "--reuse":
            reuse = true;
            break;
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int e) && e > 0:
            epochs = e;
            i++;
            break;
        case "--output" when i + 1 < args.Length:
            output = args[++i];
            break;
        case "--epochs" or "--output":
            Console.Error.WriteLine($"{args[i]} needs a value: --epochs <count>, --output <folder>.");
            return 2;
        default:
            promptWords.Add(args[i]);
            break;
    }
}

const int SequenceLength = 100; // characters per training sequence (truncated backpropagation through time)
string text = ReadEmbeddedText("moby-dick.txt");

// The last 5 % is held out, cut at a paragraph start (Data/NOTICE.md: character 1,151,030).
int cut = text.IndexOf('\n', (int)(text.Length * 0.95)) + 1;
string training = text[..cut];
string heldOut = text[cut..];
if (quick)
{
    training = training[..150_000];
    heldOut = heldOut[..10_000];
    epochs = 1;
}

Console.WriteLine($"Moby-Dick: {text.Length:N0} characters; training on {training.Length:N0}, holding out the last {heldOut.Length:N0}{(quick ? " (--quick: a slice, one epoch)" : string.Empty)}.");

Directory.CreateDirectory(output);
string weightsPath = Path.Combine(output, "moby.rnnw");
string tokenizerPath = Path.Combine(output, "tokenizer.json");
bool load = reuse && File.Exists(weightsPath) && File.Exists(tokenizerPath);
if (reuse && !load)
{
    Console.WriteLine($"--reuse: no saved model in {output} (moby.rnnw and tokenizer.json), so this run trains one.");
}

// Characters become token ids with the Keras-style tokenizer in character mode: 1 for the most frequent character.
// A reused model comes with the tokenizer it was trained with.
Tokenizer tokenizer;
if (load)
{
    tokenizer = Tokenizer.Load(tokenizerPath);
}
else
{
    tokenizer = new Tokenizer(charLevel: true, lower: false);
    tokenizer.FitOnTexts([text[..cut]]);
}

if (tokenizer.VocabularySize > MobyModel.Alphabet)
{
    Console.Error.WriteLine($"The text has {tokenizer.VocabularySize - 1} characters; MobyModel is declared for {MobyModel.Alphabet - 1}.");
    return 1;
}

int[] trainingIds = tokenizer.TextToSequence(training);
int[] heldOutIds = tokenizer.TextToSequence(heldOut);
Console.WriteLine($"Alphabet: {tokenizer.WordIndex.Count} characters, most frequent first: \"{string.Concat(tokenizer.WordIndex.Keys.Take(30)).Replace("\n", "\\n")}…\"");

// Each training example: 100 characters in, and at every step the character that follows.
(int[][] inputs, float[][] targets) = Sequences(trainingIds, SequenceLength);
(int[][] heldOutInputs, float[][] heldOutTargets) = Sequences(heldOutIds, SequenceLength);

var model = new MobyModel(seed: 1);
if (load)
{
    model.LoadWeights(weightsPath);
    Console.WriteLine($"Loaded the model and tokenizer an earlier run saved: {weightsPath}, {tokenizerPath}");
}
else
{
    Console.WriteLine();
    Console.WriteLine(model.Summary());
    Console.WriteLine($"Training: {inputs.Length:N0} sequences of {SequenceLength} characters, {epochs} epoch(s), Adam, sparse categorical cross-entropy at every step, 5 % for validation:");
    var clock = Stopwatch.StartNew();
    TrainingProgress.Run(progress => model.Fit(inputs, targets, new FitOptions
    {
        Epochs = epochs,
        BatchSize = 32,
        Optimizer = new Adam(learningRate: 0.003f) { GlobalClipNorm = 5f },
        Loss = Loss.SparseCategoricalCrossentropy,
        ValidationSplit = 0.05,
        Seed = 1,
        OnBatchEnd = progress.OnBatch,
        OnEpochEnd = progress.OnEpoch,
    }));
    double seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"Trained in {seconds:F0} s: {(double)inputs.Length * SequenceLength * epochs / seconds:N0} characters per second on {Environment.ProcessorCount} core(s).");
    model.SaveWeights(weightsPath);
    tokenizer.Save(tokenizerPath);
    Console.WriteLine($"Saved the model to {weightsPath} and the tokenizer to {tokenizerPath}.");
}

// Perplexity on the held-out text: exp of the mean negative log-likelihood per character, each character predicted
// from the ones before it in its 100-character sequence (as in training). The baselines predict the same characters.
double modelLoss = model.Evaluate(heldOutInputs, heldOutTargets, Loss.SparseCategoricalCrossentropy)["loss"];
var counts = new CharacterCounts(trainingIds, MobyModel.Alphabet);
double unigramLoss = counts.MeanNegativeLogLikelihood(heldOutInputs, heldOutTargets, bigram: false);
double bigramLoss = counts.MeanNegativeLogLikelihood(heldOutInputs, heldOutTargets, bigram: true);
Console.WriteLine();
Console.WriteLine($"Held-out perplexity per character ({heldOutTargets.Sum(t => t.Length):N0} characters; lower is better):");
Console.WriteLine($"  unigram (character frequencies, add-one)                   {Math.Exp(unigramLoss),6:F2}   {unigramLoss / Math.Log(2),4:F2} bits/char");
Console.WriteLine($"  bigram (previous character, with the unigram as a prior)   {Math.Exp(bigramLoss),6:F2}   {bigramLoss / Math.Log(2),4:F2} bits/char");
Console.WriteLine($"  MobyModel (LSTM, 256 units)                                {Math.Exp(modelLoss),6:F2}   {modelLoss / Math.Log(2),4:F2} bits/char");

// Generation with the step API: the prompt is read one character at a time into a state, which then branches.
string prompt = promptWords.Count > 0 ? string.Join(' ', promptWords).ToLowerInvariant() : "call me ishmael. some years ago";
int[] promptIds = tokenizer.TextToSequence(prompt);
if (promptIds.Length < prompt.Length)
{
    Console.WriteLine($"(Characters outside the book's alphabet are left out of the prompt.)");
}

if (promptIds.Length == 0)
{
    Console.Error.WriteLine("The prompt has no character the model knows.");
    return 2;
}

RnnState state = model.CreateState();
var probabilities = new float[MobyModel.OutputWidth];
foreach (int id in promptIds)
{
    model.Step(id, state, probabilities);
}

int length = quick ? 80 : 300;
Console.WriteLine();
Console.WriteLine($"Prompt: \"{prompt}\"");
Console.WriteLine($"Greedy (always the most probable next character):\n  {Continue(state.Clone(), p => Sampler.Greedy(p))}");
var sampler = new Sampler(seed: 1) { Temperature = 0.8f };
Console.WriteLine($"Sampled (temperature 0.8, seed 1):\n  {Continue(state.Clone(), p => sampler.Sample(p))}");
var nucleus = new Sampler(seed: 2) { TopP = 0.9f };
Console.WriteLine($"Sampled (top-p 0.9, seed 2):\n  {Continue(state.Clone(), p => nucleus.Sample(p))}");
return 0;

// Continues the text from a state, one Step per character, and returns what it wrote.
string Continue(RnnState branch, Func<float[], int> pick)
{
    var written = new StringBuilder(prompt);
    float[] next = (float[])probabilities.Clone();
    for (int i = 0; i < length; i++)
    {
        int id = pick(next);
        written.Append(tokenizer.Word(id) ?? "?");
        model.Step(id, branch, next);
    }

    return written.ToString().Replace("\n", "\n  ");
}

static string ReadEmbeddedText(string name)
{
    using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"The resource {name} is not embedded in the program.");
    using var reader = new StreamReader(stream, Encoding.ASCII);
    return reader.ReadToEnd();
}

// Cuts a stream of ids into sequences of `length` inputs, each with the id after every input as its target.
static (int[][] Inputs, float[][] Targets) Sequences(int[] ids, int length)
{
    int count = (ids.Length - 1) / length;
    var inputs = new int[count][];
    var targets = new float[count][];
    for (int s = 0; s < count; s++)
    {
        inputs[s] = ids.AsSpan(s * length, length).ToArray();
        targets[s] = Array.ConvertAll(ids[((s * length) + 1)..((s * length) + 1 + length)], id => (float)id);
    }

    return (inputs, targets);
}
