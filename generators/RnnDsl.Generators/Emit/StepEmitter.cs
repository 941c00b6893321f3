using System.Collections.Generic;
using System.Linq;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// The step-by-step API: <c>CreateState</c>, which makes the caller-owned <c>RnnState</c> of a stream, and <c>Step</c>,
/// which reads one more step of input into it and writes what <c>Predict</c> gives for the sequence read so far. A
/// model with a Bidirectional or go_backwards layer has neither: those layers read the last step first, so they cannot
/// start before the sequence ends.
/// </summary>
internal static class StepEmitter
{
    public const string StateLength = nameof(StateLength);

    /// <summary>Whether every layer can run forward one step at a time.</summary>
    public static bool CanStep(ModelSpec model) => model.Layers.All(layer => !layer.Bidirectional && !layer.GoBackwards);

    /// <summary>The constant for where a recurrent layer's values start in the state.</summary>
    public static string StateOffsetConstant(LayerSpec layer) => layer.Identifier + "StateOffset";

    private static IEnumerable<LayerSpec> Recurrent(ModelSpec model) => model.Layers.Where(layer => layer.Kind == LayerKind.Recurrent);

    /// <summary>The member names this emitter declares for <paramref name="model"/>, for <see cref="Members"/>.</summary>
    public static IEnumerable<string> MemberNames(ModelSpec model)
    {
        if (!CanStep(model))
        {
            yield break;
        }

        yield return StateLength;
        yield return "CreateState";
        yield return "Step";
        foreach (LayerSpec layer in Recurrent(model))
        {
            yield return StateOffsetConstant(layer);
            yield return RecurrenceEmitter.StepMethod(layer);
        }
    }

    /// <summary><c>lstm h [256], c [256]</c>: what a layer keeps in the state, for comments.</summary>
    private static string Describe(LayerSpec layer) =>
        layer.KerasName + " " + string.Join(", ", layer.Cell!.StateVectors.Select(v => v + " [" + Format.Int(layer.Units) + "]"));

    /// <summary>The state layout, <c>CreateState</c> and <c>Step</c>, for a model that can step; nothing otherwise.</summary>
    public static void Write(IndentedWriter writer, ModelSpec model)
    {
        if (!CanStep(model))
        {
            LayerSpec layer = model.Layers.First(l => l.Bidirectional || l.GoBackwards);
            writer.Line();
            writer.Line("// No CreateState or Step: " + (layer.Bidirectional ? "the backward direction of " + layer.KerasName + " (Bidirectional)" : layer.KerasName + " (go_backwards)")
                + " reads the last step first,");
            writer.Line("// so the model has nothing to give before a sequence ends. Predict takes the whole sequence.");
            return;
        }

        RuntimeNames n = model.Names;
        List<LayerSpec> recurrent = Recurrent(model).ToList();
        writer.Line();
        writer.Line("// The state of a stream read step by step (RnnState.Values): each recurrent layer's values, in layer order.");
        int offset = 0;
        foreach (LayerSpec layer in recurrent)
        {
            writer.Line("private const int " + StateOffsetConstant(layer) + " = " + Format.Int(offset) + "; // " + Describe(layer));
            offset += RecurrenceEmitter.StateWidth(layer);
        }

        writer.Line();
        writer.Line("/// <summary>The number of values in a state of this model (<see cref=\"CreateState\"/>).</summary>");
        writer.Line("public const int " + StateLength + " = " + Format.Int(offset) + ";");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// A new state for <c>Step</c>, every value zero: the state before a sequence's first step. Its values are");
        writer.Line("/// " + (recurrent.Count == 0 ? "none: this model has no recurrent layer." : string.Join(", then ", recurrent.Select(Describe)) + "."));
        writer.Line("/// The caller owns it: one model steps any number of states at once, from any threads, each state on one thread at a time.");
        writer.Line("/// </summary>");
        writer.Line("public " + n.RnnState + " CreateState() => new(ArchitectureDescription, " + Format.Literal(model.ClassName) + ", " + StateLength + ");");
        writer.Line();
        WriteStep(writer, model);
        foreach (LayerSpec layer in recurrent)
        {
            writer.Line();
            RecurrenceEmitter.WriteStepMethod(writer, model, layer);
        }
    }

    private static void WriteStep(IndentedWriter writer, ModelSpec model)
    {
        RuntimeNames n = model.Names;
        bool tokens = model.TokenInput;
        string input = tokens ? "token" : "features";
        writer.Line("/// <summary>");
        writer.Line("/// Reads one more step of a sequence, " + (tokens ? "the token <paramref name=\"token\"/>" : "<paramref name=\"features\"/>") + ", into <paramref name=\"state\"/>, and writes to");
        writer.Line(model.OutputIsSequence
            ? "/// <paramref name=\"output\"/> the row of this step of what <c>Predict</c> gives for the sequence read into the state so far."
            : "/// <paramref name=\"output\"/> what <c>Predict</c> gives for the sequence read into the state so far.");
        if (model.Mask.IsMasked)
        {
            writer.Line("/// Token 0 is padding, as in a sequence: it leaves the state as it was.");
        }

        writer.Line("/// A stream may run longer than MaxSequenceLength. Allocates nothing after the first call on a thread.");
        writer.Line("/// </summary>");
        writer.Line(tokens
            ? "/// <param name=\"token\">The step's token id, in <c>[0, VocabularySize)</c>.</param>"
            : "/// <param name=\"features\">The step's Features values.</param>");
        writer.Line("/// <param name=\"state\">The stream's state, from <see cref=\"CreateState\"/>: read, then replaced by the state after this step.</param>");
        writer.Line("/// <param name=\"output\">Receives OutputWidth values.</param>");
        writer.Line("/// <exception cref=\"" + n.ArgumentException + "\">" + (tokens ? "The token id is out of range" : "features does not hold Features values")
            + ", the state is another model's, or output has the wrong length.</exception>");
        string signature = tokens
            ? "public void Step(int token, " + n.RnnState + " state, " + n.Span + "<float> output)"
            : "public void Step(" + n.ReadOnlySpan + "<float> features, " + n.RnnState + " state, " + n.Span + "<float> output)";
        using (writer.Block(signature))
        {
            writer.Line(tokens
                ? n.ModelInput + ".CheckToken(token, VocabularySize, " + n.NameOf("token") + ");"
                : n.ModelInput + ".CheckFeatures(features.Length, Features, " + n.NameOf("features") + ");");
            writer.Line(n.ModelInput + ".CheckState(state, ArchitectureDescription, " + StateLength + ", " + Format.Literal(model.ClassName) + ", " + n.NameOf("state") + ");");
            writer.Line(n.ModelInput + ".CheckLength(output.Length, OutputWidth, " + n.NameOf("output") + ");");
            WriteStepBody(writer, model);
        }
    }

    private static void WriteStepBody(IndentedWriter writer, ModelSpec model)
    {
        RuntimeNames n = model.Names;
        List<LayerSpec> layers = model.Layers.Where(layer => layer.Kind != LayerKind.Input).ToList();
        List<LayerSpec> recurrent = Recurrent(model).ToList();
        var buffers = new List<(string Name, int Length, string Comment)>();
        foreach (LayerSpec layer in layers)
        {
            if (layer.Kind == LayerKind.Recurrent)
            {
                buffers.Add((Format.Camel(layer.Identifier) + "Scratch", RecurrenceEmitter.StepScratchLength(layer), layer.KerasName + ": this step's values while they are computed"));
            }
            else if (layer.Kind == LayerKind.Dense && layer != model.OutputLayer)
            {
                buffers.Add((Format.Camel(layer.Identifier) + "Output", layer.OutputWidth, layer.KerasName + " output, [" + Format.Int(layer.OutputWidth) + "]"));
            }
        }

        writer.Line(n.ReadOnlySpan + "<float> parameters = _parameters;");
        if (recurrent.Count > 0)
        {
            writer.Line(n.Span + "<float> memory = state.Values;");
        }

        if (buffers.Count > 0)
        {
            writer.Line(n.Span + "<float> scratch = " + n.ThreadScratch + ".Get(" + Format.Int(buffers.Sum(b => b.Length)) + ");");
            foreach (var (name, length, comment) in buffers)
            {
                writer.Line(n.Span + "<float> " + name + " = " + n.ThreadScratch + ".Take(ref scratch, " + Format.Int(length) + "); // " + comment);
            }
        }

        // The span the next layer reads: the input, then each layer's output in turn.
        string current = model.TokenInput ? "token" : "features";
        foreach (LayerSpec layer in layers)
        {
            bool isLast = layer == model.OutputLayer;
            string name = Format.Camel(layer.Identifier);

            // A layer whose output is a span it already has (a row of the parameters, the state's h): the next layer
            // reads it where it is, and the last layer copies it to the caller's output.
            void Pass(string span, string comment)
            {
                if (isLast)
                {
                    writer.Line(span + ".CopyTo(output);" + comment);
                }
                else
                {
                    writer.Line(n.ReadOnlySpan + "<float> " + name + "Output = " + span + ";" + comment);
                    current = name + "Output";
                }
            }

            writer.Line();
            switch (layer.Kind)
            {
                case LayerKind.Embedding:
                {
                    WeightSpec embeddings = LayerEmitter.Weight(layer, WeightRole.Embeddings);
                    writer.Line("// " + layer.KerasName + " (Embedding): x = embeddings[token], read in place");
                    Pass("parameters.Slice(" + embeddings.ConstantName + " + token * " + Format.Int(layer.Units) + ", " + Format.Int(layer.Units) + ")", string.Empty);
                    break;
                }

                case LayerKind.Dropout:
                    writer.Line("// " + layer.KerasName + " (Dropout): drops values only while training; here the identity");
                    if (isLast)
                    {
                        writer.Line(current + ".CopyTo(output);");
                    }

                    break;

                case LayerKind.Dense:
                {
                    string activation = layer.Activation == ActivationKind.Linear ? "x · kernel + bias" : Format.Keras(layer.Activation) + "(x · kernel + bias)";
                    writer.Line("// " + layer.KerasName + " (Dense): y = " + activation);
                    string output = isLast ? "output" : name + "Output";
                    writer.Line("Run" + layer.Identifier + "(" + current + ", " + output + ");");
                    current = output;
                    break;
                }

                case LayerKind.Recurrent:
                {
                    writer.Line("// " + layer.KerasName + " (" + layer.Cell!.KerasClassName + "):");
                    foreach (string line in RecurrenceEmitter.StepEquation(layer))
                    {
                        // The doc comment's lines as plain comments: no "///", no <c> tags.
                        writer.Line("// " + line.Replace("/// ", string.Empty).Replace("<c>", string.Empty).Replace("</c>", string.Empty));
                    }

                    string memory = "memory.Slice(" + StateOffsetConstant(layer) + ", " + Format.Int(RecurrenceEmitter.StateWidth(layer)) + ")";
                    string call = RecurrenceEmitter.StepCall(layer, current, memory, name + "Scratch");
                    if (layer.Masked)
                    {
                        using (writer.Block("if (token != 0) // token 0 is padding: the state carries over unchanged"))
                        {
                            writer.Line(call);
                        }

                        writer.Line();
                    }
                    else
                    {
                        writer.Line(call);
                    }

                    Pass("memory.Slice(" + StateOffsetConstant(layer) + ", " + RecurrenceEmitter.UnitsConstant(layer) + ")", " // h");
                    break;
                }
            }
        }
    }
}
