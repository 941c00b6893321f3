using System;
using EdgeClassifier;

// An edge app: one native executable that classifies text with a model trained elsewhere.
//
//   EdgeClassifier --benchmark [options]   times the design card's model (see Benchmark.cs)
//   EdgeClassifier [text ...]              classifies text (not written yet, see below)
if (args.Length > 0 && args[0] == "--benchmark")
{
    return Benchmark.Run(args.AsSpan(1));
}

// TODO(issue 8, weight files): load the weight file and tokenizer that samples/Sentiment trains and saves (checked in
// beside this file), classify the text given as arguments, or each line of standard input when there are none, and
// print the prediction. Until then this mode prints the usage and fails.
Console.Error.WriteLine("""
    Usage:
      EdgeClassifier --benchmark [--predictions N] [--rounds R] [--warmup-ms MS] [--steps T]
          Times N predictions of the design card's model on a T-step sequence (default 2000 x 7 rounds, T = 100)
          after MS milliseconds of warm-up (default 1000), and prints the time per prediction and the output.
      EdgeClassifier [text ...]
          Classifying text is not implemented yet.
    """);
return 2;
