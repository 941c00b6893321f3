using System;
using System.IO;
using QuickStart;

// Three models from the Keras tutorials, declared in Models.cs with attributes and compiled at build time.
var sentiment = new SentimentModel();
var classifier = new SimpleClassifier();
var forecaster = new Forecaster();

Console.WriteLine(sentiment.Summary());
Console.WriteLine(classifier.Summary());
Console.WriteLine(forecaster.Summary());

// Token ids as a tokenizer would produce them for a short review; untrained weights, so about 0.5.
ReadOnlySpan<int> review = [12, 845, 7, 3021, 56, 9, 1, 774];
Span<float> probability = stackalloc float[SentimentModel.OutputWidth];
sentiment.Predict(review, probability);
Console.WriteLine($"SentimentModel    P(positive) = {probability[0]:F6} for {review.Length} tokens");

classifier.Predict(review, probability);
Console.WriteLine($"SimpleClassifier  P(positive) = {probability[0]:F6} for {review.Length} tokens");

// Ten steps of a sine wave, one feature per step.
Span<float> window = stackalloc float[10];
for (int t = 0; t < window.Length; t++)
{
    window[t] = MathF.Sin(0.3f * t);
}

Span<float> next = stackalloc float[Forecaster.OutputWidth];
forecaster.Predict(window, next);
Console.WriteLine($"Forecaster        next value  = {next[0]:F6} after a 10-step sine window");

Console.WriteLine();
string generated = Path.Combine("samples", "QuickStart", "obj", "Generated", "RnnDsl.Generators", "RnnDsl.Generators.RnnDslGenerator");
Console.WriteLine("The code that ran is plain C#, written at build time. Read it in your IDE (Go To Definition on a model),");
Console.WriteLine($"or in {generated}/QuickStart.SentimentModel.g.cs (this project sets EmitCompilerGeneratedFiles).");
