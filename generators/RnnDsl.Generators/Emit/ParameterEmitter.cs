using System.Collections.Generic;
using System.Linq;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>Writes the parameter layout, the buffer that holds it, and the Keras default initialisation, all from the weight descriptions.</summary>
internal static class ParameterEmitter
{
    public const int DefaultSeed = 42;

    public static void WriteLayout(IndentedWriter writer, ModelSpec model)
    {
        writer.Line("// The parameter layout: Keras model.get_weights() order, each array in C order.");
        foreach (LayerSpec layer in model.Layers)
        {
            foreach (WeightSpec weight in layer.Weights)
            {
                writer.Line("private const int " + weight.ConstantName + " = " + Format.Int(weight.Offset) + "; // " + layer.KerasName + " " + weight.DescribedName + ", " + weight.ShapeText);
            }
        }

        foreach (LayerSpec layer in model.Layers)
        {
            if (layer.Kind == LayerKind.Recurrent)
            {
                string direction = layer.Bidirectional ? " of each direction" : string.Empty;
                writer.Line();
                writer.Line("private const int " + RecurrenceEmitter.UnitsConstant(layer) + " = " + Format.Int(layer.Units) + "; // " + layer.KerasName + ": state width" + direction);
                writer.Line("private const int " + RecurrenceEmitter.WeightsLengthConstant(layer) + " = " + Format.Int(WeightSpec.TotalLength(layer.Weights, layer.Directions[0]))
                    + "; // " + layer.KerasName + ": " + string.Join(", ", layer.Weights.Where(w => w.Direction == layer.Directions[0]).Select(w => w.Name))
                    + (layer.Bidirectional ? " of one direction" : string.Empty) + ", back to back");
            }
        }

        writer.Line();
        writer.Line("private readonly float[] _parameters = new float[ParameterCount];");
        writer.Line();
        WriteManifest(writer, model);
    }

    /// <summary>The public weight manifest: what weight readers and writers go by, so none restates the layout.</summary>
    private static void WriteManifest(IndentedWriter writer, ModelSpec model)
    {
        RuntimeNames n = model.Names;
        writer.Line("/// <summary>Each array of <see cref=\"Parameters\"/>: its Keras and PyTorch names, shape and offset, in get_weights() order.</summary>");
        writer.Line("public " + n.WeightManifest + " Weights => WeightList;");
        writer.Line();
        writer.Line("private static readonly " + n.WeightManifest + " WeightList = new(");
        var weights = new List<WeightSpec>();
        foreach (LayerSpec layer in model.Layers)
        {
            weights.AddRange(layer.Weights);
        }

        using (writer.Indent())
        {
            for (int i = 0; i < weights.Count; i++)
            {
                WeightSpec w = weights[i];
                string shape = "new[] { " + string.Join(", ", w.Shape.Select(d => Format.Int(d.Size))) + " }";
                string gates = w.Gates == 1 ? string.Empty : ", " + Format.Int(w.Gates) + ", " + Format.Literal(w.KerasGateOrder) + ", " + Format.Literal(w.TorchGateOrder);
                writer.Line("new " + n.WeightInfo + "(" + Format.Literal(w.Layer) + ", " + Format.Literal(w.Direction) + ", " + Format.Literal(w.Name) + ", "
                    + Format.Literal(w.KerasPath) + ", " + Format.Literal(w.TorchName) + ", " + n.WeightRole + "." + w.Role + ", " + shape + ", " + w.ConstantName + gates + ")"
                    + (i == weights.Count - 1 ? ");" : ","));
            }
        }

        if (weights.Count == 0)
        {
            writer.Line(");");
        }
    }

    public static void WriteConstructionAndInitialization(IndentedWriter writer, ModelSpec model)
    {
        RuntimeNames n = model.Names;
        writer.Line("/// <summary>The seed the parameterless constructor initialises from.</summary>");
        writer.Line("public const int DefaultSeed = " + Format.Int(DefaultSeed) + ";");
        writer.Line();
        writer.Line("/// <summary>Creates the model with Keras default initialisers, from <see cref=\"DefaultSeed\"/>.</summary>");
        writer.Line("public " + model.ClassSyntax + "()");
        using (writer.Indent())
        {
            writer.Line(": this(DefaultSeed)");
        }

        writer.Line("{");
        writer.Line("}");
        writer.Line();
        writer.Line("/// <summary>Creates the model with Keras default initialisers, from the given seed.</summary>");
        using (writer.Block("public " + model.ClassSyntax + "(int seed)"))
        {
            writer.Line("Initialize(seed);");
        }

        if (!model.IsAbstract) // nothing creates an abstract model; its derived classes load with LoadWeights
        {
            WriteLoadFactories(writer, model);
        }

        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// All parameters in one buffer, in Keras <c>model.get_weights()</c> order with each array in C order.");
        writer.Line("/// Writing to it changes the model.");
        writer.Line("/// </summary>");
        writer.Line("public " + n.Span + "<float> Parameters => _parameters;");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Resets every parameter with the Keras defaults: embeddings uniform(-0.05, 0.05), kernels glorot_uniform,");
        writer.Line("/// recurrent kernels orthogonal, biases zeros. The same seed always gives the same parameters.");
        writer.Line("/// </summary>");
        using (writer.Block("public void Initialize(int seed)"))
        {
            // Not "var": a type named var where the model is declared would capture it.
            writer.Line(n.SeededRandom + " random = new(seed);");
            writer.Line(n.Span + "<float> parameters = _parameters;");
            foreach (LayerSpec layer in model.Layers)
            {
                foreach (WeightSpec weight in layer.Weights)
                {
                    string rows = Format.Int(weight.Shape[0].Size);
                    string columns = weight.Shape.Count > 1 ? Format.Int(weight.Length / weight.Shape[0].Size) : "1";
                    string slice = "parameters.Slice(" + weight.ConstantName + ", " + (weight.Shape.Count > 1 ? rows + " * " + columns : rows) + ")";
                    writer.Line(weight.Initializer switch
                    {
                        Initializer.Uniform => n.Initializers + ".Uniform(" + slice + ", -0.05f, 0.05f, random);",
                        Initializer.GlorotUniform => n.Initializers + ".GlorotUniform(" + slice + ", " + rows + ", " + columns + ", random);",
                        Initializer.Orthogonal => n.Initializers + ".Orthogonal(" + slice + ", " + rows + ", " + columns + ", random);",
                        _ => slice + ".Clear();",
                    });
                    if (weight.Initializer == Initializer.UnitForgetBias)
                    {
                        string units = Format.Int(weight.Length / weight.Gates);
                        writer.Line("parameters.Slice(" + weight.ConstantName + " + " + units + ", " + units + ").Fill(1f); // unit_forget_bias: the forget gate's block");
                    }
                }
            }
        }
    }

    /// <summary>A constructor that skips the initialisers, and the <c>Load</c> factories that use it.</summary>
    private static void WriteLoadFactories(IndentedWriter writer, ModelSpec model)
    {
        RuntimeNames n = model.Names;
        writer.Line();
        writer.Line("/// <summary>Creates the model with every parameter zero: for <see cref=\"Load(string)\"/>, whose weights replace them anyway.</summary>");
        writer.Line("/// <param name=\"initialize\">Whether to run the Keras default initialisers from <see cref=\"DefaultSeed\"/>.</param>");
        using (writer.Block("private " + model.ClassSyntax + "(bool initialize)"))
        {
            using (writer.Block("if (initialize)"))
            {
                writer.Line("Initialize(DefaultSeed);");
            }
        }

        // System.IO is not among the generated file's imports, so Stream is always written in full.
        foreach (var (parameter, type, what) in new[] { ("path", "string", "the file at <paramref name=\"path\"/>"), ("stream", "global::System.IO.Stream", "<paramref name=\"stream\"/>") })
        {
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// Creates the model from " + what + ", written by <c>SaveWeights</c>, without spending time on random initialisation:");
            writer.Line("/// what an edge app calls at start-up. The file must be for this architecture (see <c>LoadWeights</c>).");
            writer.Line("/// </summary>");
            writer.Line("/// <exception cref=\"global::System.IO.InvalidDataException\">The file is for another model, truncated or corrupted.</exception>");
            using (writer.Block("public static " + model.ClassSyntax + " Load(" + type + " " + parameter + ")"))
            {
                writer.Line(model.ClassSyntax + " model = new(initialize: false);");
                writer.Line(n.WeightFiles + ".LoadWeights(model, " + parameter + ");");
                writer.Line("return model;");
            }
        }
    }
}
