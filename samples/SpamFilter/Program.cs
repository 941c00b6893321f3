using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using RnnDsl;
using RnnDsl.Samples;
using RnnDsl.Text;
using SpamFilter;

// A spam filter on real e-mail: the SpamAssassin public corpus (Data/NOTICE.md), split once into training, validation
// and test sets by source folder. A TF-IDF logistic regression and three recurrent models (SimpleRNN, LSTM,
// bidirectional GRU) train on the same words; the validation set picks their epochs (early stopping) and the test set
// is used once, for the table. Then the plots, and the models saved for the edge binary.
//
//   dotnet run --project samples/SpamFilter -c Release              everything (about 25 s on 2 cores)
//   dotnet run --project samples/SpamFilter -c Release -- --quick   a sixth of the data, one epoch (seconds; what CI runs)
//   ... -- --save samples/EdgeClassifier/Model                     also copies the LSTM and the tokenizer there, for the edge binary
bool quick = args.Contains("--quick");
string output = Path.Combine(AppContext.BaseDirectory, quick ? "output-quick" : "output");
string? saveTo = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] is "--output" or "--save" && i + 1 == args.Length)
    {
        Console.Error.WriteLine($"{args[i]} needs a folder.");
        return 2;
    }

    if (args[i] == "--output")
    {
        output = args[++i];
    }
    else if (args[i] == "--save")
    {
        saveTo = args[++i];
    }
    else if (args[i] != "--quick")
    {
        Console.Error.WriteLine($"Unknown argument {args[i]}. Options: --quick, --output DIR (default: output beside the program), --save DIR (copies the LSTM and tokenizer there).");
        return 2;
    }
}

Directory.CreateDirectory(output);
List<Message> messages = Corpus.Load();
List<Message> Split(string name, int every) => messages.Where(m => m.Split == name).Where((_, i) => i % every == 0).ToList();
List<Message> train = Split("train", quick ? 6 : 1);
List<Message> validation = Split("validation", quick ? 6 : 1);
List<Message> test = Split("test", quick ? 6 : 1);
Console.WriteLine($"SpamAssassin public corpus: {messages.Count:N0} messages after de-duplication{(quick ? " (--quick: every sixth)" : string.Empty)}.");
Console.WriteLine($"  {"folder",-12} {"label",-5} {"train",6} {"valid.",6} {"test",6}");
foreach (var folder in messages.GroupBy(m => m.Folder))
{
    int Count(List<Message> split) => split.Count(m => m.Folder == folder.Key);
    Console.WriteLine($"  {folder.Key,-12} {(folder.First().IsSpam ? "spam" : "ham"),-5} {Count(train),6} {Count(validation),6} {Count(test),6}");
}

// Keras-style preprocessing: a vocabulary from the training split only, each message cut or padded to 200 tokens at
// its end (the subject and the start of the body are kept). Token 0 is padding, which the models mask.
var tokenizer = new Tokenizer(numWords: Messages.Vocabulary, oovToken: "<oov>");
tokenizer.FitOnTexts(train.Select(m => m.Text));
int[][] Encode(List<Message> split) => Sequences.Pad(tokenizer.TextsToSequences(split.Select(m => m.Text)), Messages.Length, PadSide.Post, PadSide.Post);
int[][] trainInputs = Encode(train);
int[][] validationInputs = Encode(validation);
int[][] testInputs = Encode(test);
float[] trainLabels = train.Select(m => m.Label).ToArray();
float[] validationLabels = validation.Select(m => m.Label).ToArray();
float[] testLabels = test.Select(m => m.Label).ToArray();
bool[] hardHam = test.Select(m => m.Folder == "hard_ham").ToArray();

// Spam is about a third of the corpus: each class is weighted so that both count equally (scikit-learn's "balanced",
// n / (2 · n_class)), through Keras's class_weight.
float spamShare = trainLabels.Average();
var classWeight = new Dictionary<int, float> { [0] = 0.5f / (1 - spamShare), [1] = 0.5f / spamShare };
Console.WriteLine($"Vocabulary: {tokenizer.WordIndex.Count:N0} words in training, the {Messages.Vocabulary:N0} most frequent kept; {spamShare:P1} of training messages are spam, class weights ham {classWeight[0]:F2}, spam {classWeight[1]:F2}.");
Console.WriteLine();

var results = new List<ModelResult>();

// 1. The baseline.
var clock = Stopwatch.StartNew();
var bag = new BagOfWords(Messages.Vocabulary, trainInputs);
var trainFeatures = trainInputs.Select(bag.Features).ToArray();
var validationFeatures = validationInputs.Select(bag.Features).ToArray();
int bestEpochs = 0;
double bestValidation = double.NegativeInfinity;
float bestL2 = 0;
foreach (int epochs in quick ? new[] { 50 } : new[] { 500, 1000, 2000, 4000 })
{
    foreach (float l2 in quick ? new[] { 1e-5f } : new[] { 1e-5f, 1e-4f })
    {
        var candidate = new BagOfWords(Messages.Vocabulary, trainInputs);
        candidate.Train(trainFeatures, trainLabels, [classWeight[0], classWeight[1]], epochs, learningRate: 4f, l2);
        double auc = Classification.RocAuc(validationFeatures.Select(candidate.Probability).ToArray(), validationLabels);
        if (auc > bestValidation)
        {
            (bestValidation, bestEpochs, bestL2, bag) = (auc, epochs, l2, candidate);
        }
    }
}

double bagSeconds = clock.Elapsed.TotalSeconds;
(float[] bagScores, double bagMicroseconds) = PerMessage(i => bag.Probability(bag.Features(testInputs[i])));
var bagScratch = new float[test.Count];
results.Add(new ModelResult("TF-IDF logistic regression", bagScores, bagSeconds, bagMicroseconds, null, Throughput((start, count) =>
{
    for (int i = start; i < start + count; i++)
    {
        bagScratch[i] = bag.Probability(bag.Features(testInputs[i]));
    }
})));
Console.WriteLine($"Baseline: TF-IDF logistic regression; {bestEpochs} epochs and L2 {bestL2:G2} chosen on validation ROC AUC ({bestValidation:F4}); {bagSeconds:F1} s for all candidates.");
Console.WriteLine($"  its strongest spam words: {string.Join(", ", bag.StrongestWords(15, towardsSpam: true).Select(tokenizer.Word))}");
Console.WriteLine($"  its strongest ham words:  {string.Join(", ", bag.StrongestWords(15, towardsSpam: false).Select(tokenizer.Word))}");

// 2. The recurrent models, trained as Keras's model.fit would be: Adam, binary cross-entropy, class weights,
// early stopping on the validation loss with the best epoch's weights restored, and each improvement checkpointed.
ModelResult Train<TModel>(string name, TModel model, string file)
    where TModel : ITokenModel
{
    Console.WriteLine();
    Console.WriteLine(model.Summary());
    Console.WriteLine($"Training {name}:");
    string checkpoint = Path.Combine(output, file);
    var watch = Stopwatch.StartNew();
    History history = TrainingProgress.Run(progress => model.Fit(trainInputs, trainLabels, new FitOptions
    {
        Epochs = quick ? 1 : 12,
        BatchSize = 32,
        Optimizer = new Adam(learningRate: 0.002f),
        Loss = Loss.BinaryCrossentropy,
        Metrics = [Metric.Accuracy, Metric.Auc],
        ClassWeight = classWeight,
        EarlyStopping = new EarlyStopping { Monitor = "val_loss", Patience = 3, RestoreBestWeights = true },
        Checkpoint = new ModelCheckpoint(checkpoint) { Monitor = "val_loss", SaveBestOnly = true },
        Seed = 1,
        OnBatchEnd = progress.OnBatch,
        OnEpochEnd = progress.OnEpoch,
    }, validationInputs, validationLabels));
    double seconds = watch.Elapsed.TotalSeconds;

    // Per message, as a mail server would call it: one Predict each.
    var probability = new float[1];
    (float[] scores, double microseconds) = PerMessage(i =>
    {
        model.Predict(testInputs[i], probability);
        return probability[0];
    });
    Console.WriteLine($"Trained in {seconds:F1} s ({history.Epochs} epoch{(history.Epochs == 1 ? string.Empty : "s")}{(history.StoppedEarly ? ", stopped early" : string.Empty)}); the best epoch's weights are in {checkpoint}.");
    int[] all = testInputs.SelectMany(t => t).ToArray();
    var outputs = new float[test.Count];
    var throughput = Throughput((start, count) =>
        model.PredictBatch(all.AsSpan(start * Messages.Length, count * Messages.Length), count, outputs.AsSpan(start, count)));
    return new ModelResult(name, scores, seconds, microseconds, history, throughput);
}

results.Add(Train("SimpleRNN(32)", new SpamSimpleRnn(seed: 1), "spam-simplernn.rnnw"));
results.Add(Train("LSTM(32)", new SpamLstm(seed: 1), "spam-lstm.rnnw"));
results.Add(Train("Bidirectional GRU(32)", new SpamBiGru(seed: 1), "spam-bigru.rnnw"));
// The tokenizer's Keras JSON, cut to the 10,000 words it maps (the other 30,000 all map to the OOV token anyway).
tokenizer.Compact().Save(Path.Combine(output, "spam-tokenizer.json"));

// 3. The test set, once.
int hardHamCount = hardHam.Count(h => h);
Console.WriteLine();
Console.WriteLine($"Test set: {test.Count:N0} messages ({testLabels.Count(l => l == 1):N0} spam; {hardHamCount} hard ham). Spam is the positive class; a message is");
Console.WriteLine("called spam when its score is above 0.5. µs/msg: one message at a time from its token ids, on one core.");
Console.WriteLine($"  {"model",-38} {"accuracy",8} {"precision",9} {"recall",7} {"F1",6} {"ROC AUC",8} {"hard ham FP",11} {"train",7} {"µs/msg",7}");
foreach (ModelResult result in results)
{
    ConfusionMatrix matrix = Classification.ConfusionMatrix(result.Scores, testLabels);
    int hardHamSpam = result.Scores.Where((score, i) => hardHam[i] && score > 0.5f).Count();
    Console.WriteLine($"  {result.Name,-38} {matrix.Accuracy,8:P1} {matrix.Precision(1),9:P1} {matrix.Recall(1),7:P1} {matrix.F1Score(1),6:F3} {Classification.RocAuc(result.Scores, testLabels),8:F4} {hardHamSpam,5} / {hardHamCount,-3} {result.TrainingSeconds,6:F1}s {result.MicrosecondsPerMessage,7:F1}");
}

Console.WriteLine();
Console.WriteLine("Messages per second over the whole test set (the recurrent models through PredictBatch):");
foreach (ModelResult result in results.Where(r => r.Throughput is not null))
{
    Console.WriteLine($"  {result.Name,-38} one core {result.Throughput!.Value.OneCore,8:N0}   both cores {result.Throughput.Value.TwoCores,8:N0}");
}

string curves = Path.Combine(output, "training-curves.png");
string roc = Path.Combine(output, "roc.png");
Plots.TrainingCurves(curves, results.Select(r => (r.Name, r.History)).ToList());
Plots.Roc(roc, results.Select(r => (r.Name, Classification.RocCurve(r.Scores, testLabels))).ToList());
Console.WriteLine();
Console.WriteLine($"Wrote the training curves to {curves}");
Console.WriteLine($"Wrote the ROC curves to {roc}");
Console.WriteLine($"Saved each recurrent model's best weights and the tokenizer in {output}");
if (saveTo is not null)
{
    Directory.CreateDirectory(saveTo);
    File.Copy(Path.Combine(output, "spam-lstm.rnnw"), Path.Combine(saveTo, "spam-lstm.rnnw"), overwrite: true);
    File.Copy(Path.Combine(output, "spam-tokenizer.json"), Path.Combine(saveTo, "spam-tokenizer.json"), overwrite: true);
    Console.WriteLine($"Copied the LSTM (spam-lstm.rnnw) and the tokenizer (spam-tokenizer.json) to {saveTo}");
}

return 0;

// Every test message's score, one call each, and the microseconds per call of a pass timed after 0.3 s of passes
// (which let the JIT's optimised code take over).
(float[] Scores, double Microseconds) PerMessage(Func<int, float> score)
{
    var scores = new float[test.Count];
    void Pass()
    {
        for (int i = 0; i < test.Count; i++)
        {
            scores[i] = score(i);
        }
    }

    WarmUp(Pass);
    var watch = Stopwatch.StartNew();
    Pass();
    return (scores, watch.Elapsed.TotalMicroseconds / test.Count);
}

// Repeats a pass for 0.3 s, so that the JIT's optimised code runs by the time it is timed.
static void WarmUp(Action pass)
{
    var watch = Stopwatch.StartNew();
    while (watch.Elapsed.TotalSeconds < 0.3)
    {
        pass();
    }
}

// Messages per second for the whole test set: once on one thread, then in two halves on two threads.
// classify(start, count) scores count messages from start (the recurrent models: one PredictBatch).
// Each is repeated for at least half a second after 0.3 s of warm-up.
(double OneCore, double TwoCores) Throughput(Action<int, int> classify)
{
    int count = test.Count;
    int half = count / 2;
    double Rate(Action pass)
    {
        WarmUp(pass);
        int passes = 0;
        var watch = Stopwatch.StartNew();
        do
        {
            pass();
            passes++;
        }
        while (watch.Elapsed.TotalSeconds < 0.5);
        return passes * count / watch.Elapsed.TotalSeconds;
    }

    double one = Rate(() => classify(0, count));
    double two = Rate(() => Parallel.For(0, 2, part => classify(part * half, part == 0 ? half : count - half)));
    return (one, two);
}

/// <summary>One model's test scores and costs, for the table and the plots.</summary>
internal sealed record ModelResult(string Name, float[] Scores, double TrainingSeconds, double MicrosecondsPerMessage, History? History, (double OneCore, double TwoCores)? Throughput);
