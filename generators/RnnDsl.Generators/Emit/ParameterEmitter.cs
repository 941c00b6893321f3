using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>Writes the parameter layout, the buffer that holds it, and the Keras default initialisation.</summary>
internal static class ParameterEmitter
{
    public const int DefaultSeed = 42;

    public static void WriteLayout(IndentedWriter writer, ModelSpec model)
    {
        writer.Line("// The parameter layout: Keras model.get_weights() order, each array in C order.");
        foreach (LayerSpec layer in model.Layers)
        {
            foreach (WeightBlock block in Weights.Of(layer))
            {
                writer.Line("private const int " + block.ConstantName + " = " + Format.Int(block.Offset) + "; // " + layer.KerasName + " " + block.KerasName + ", " + block.Shape);
            }
        }

        writer.Line();
        writer.Line("private readonly float[] _parameters = new float[ParameterCount];");
    }

    public static void WriteConstructionAndInitialization(IndentedWriter writer, ModelSpec model)
    {
        string name = model.ClassName;
        writer.Line("/// <summary>The seed the parameterless constructor initialises from.</summary>");
        writer.Line("public const int DefaultSeed = " + Format.Int(DefaultSeed) + ";");
        writer.Line();
        writer.Line("/// <summary>Creates the model with Keras default initialisers, from <see cref=\"DefaultSeed\"/>.</summary>");
        writer.Line("public " + name + "()");
        using (writer.Indent())
        {
            writer.Line(": this(DefaultSeed)");
        }

        writer.Line("{");
        writer.Line("}");
        writer.Line();
        writer.Line("/// <summary>Creates the model with Keras default initialisers, from the given seed.</summary>");
        using (writer.Block("public " + name + "(int seed)"))
        {
            writer.Line("Initialize(seed);");
        }

        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// All parameters in one buffer, in Keras <c>model.get_weights()</c> order with each array in C order.");
        writer.Line("/// Writing to it changes the model.");
        writer.Line("/// </summary>");
        writer.Line("public Span<float> Parameters => _parameters;");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Resets every parameter with the Keras defaults: embeddings uniform(-0.05, 0.05), kernels glorot_uniform,");
        writer.Line("/// recurrent kernels orthogonal, biases zeros. The same seed always gives the same parameters.");
        writer.Line("/// </summary>");
        using (writer.Block("public void Initialize(int seed)"))
        {
            writer.Line("var random = new SeededRandom(seed);");
            writer.Line("Span<float> parameters = _parameters;");
            foreach (LayerSpec layer in model.Layers)
            {
                foreach (WeightBlock block in Weights.Of(layer))
                {
                    string slice = "parameters.Slice(" + block.ConstantName + ", " + Format.Int(block.Length) + ")";
                    writer.Line(block.Initializer switch
                    {
                        Initializer.Uniform => "Initializers.Uniform(" + slice + ", -0.05f, 0.05f, random);",
                        Initializer.GlorotUniform => "Initializers.GlorotUniform(" + slice + ", " + Format.Int(block.Rows) + ", " + Format.Int(block.Columns) + ", random);",
                        Initializer.Orthogonal => "Initializers.Orthogonal(" + slice + ", " + Format.Int(block.Rows) + ", " + Format.Int(block.Columns) + ", random);",
                        _ => slice + ".Clear();",
                    });
                }
            }
        }
    }
}
