using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using RnnDsl.Tests.WeightFiles;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// Weight files made by the real libraries (<c>Reference/weights</c>, written by <c>Reference/make_weight_files.py</c> with
/// PyTorch, NumPy and h5py in Keras's exact layouts): every format loads every layer kind and option to exactly the
/// reference parameters, and the model then computes PyTorch's float64 outputs within 1e-5. Exports re-import bit-exact,
/// and the checked-in exports are what the script loads into torch with <c>load_state_dict(strict=True)</c>.
/// </summary>
public class ReferenceWeightFileTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Reference", "weights");

    private static readonly Lazy<JsonElement> Reference = new(() =>
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "weights_reference.json")));
        return document.RootElement.Clone();
    });

    private static IRnnModel Create(string name) => name switch
    {
        nameof(WText) => new WText(),
        nameof(WMaskedStack) => new WMaskedStack(),
        nameof(WBidiSum) => new WBidiSum(),
        nameof(WBidiMul) => new WBidiMul(),
        nameof(WBidiAveSequence) => new WBidiAveSequence(),
        nameof(WForecast) => new WForecast(),
        nameof(WLstm) => new WLstm(),
        nameof(WBidiGruLstm) => new WBidiGruLstm(),
        nameof(WGruStack) => new WGruStack(),
        _ => throw new ArgumentException("Unknown reference model " + name, nameof(name)),
    };

    private static JsonElement ModelCase(string name) => Reference.Value.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);

    private static IEnumerable<double> Flatten(JsonElement element) => element.ValueKind == JsonValueKind.Array
        ? element.EnumerateArray().SelectMany(Flatten)
        : new[] { element.GetDouble() };

    public static TheoryData<string> LoadableFiles()
    {
        var data = new TheoryData<string>();
        foreach (JsonElement file in Reference.Value.GetProperty("files").EnumerateArray().Where(f => f.GetProperty("expect").GetString() == "parameters"))
        {
            data.Add(file.GetProperty("file").GetString()!);
        }

        return data;
    }

    public static TheoryData<string> RefusedFiles()
    {
        var data = new TheoryData<string>();
        foreach (JsonElement file in Reference.Value.GetProperty("files").EnumerateArray().Where(f => f.GetProperty("expect").GetString() == "error"))
        {
            data.Add(file.GetProperty("file").GetString()!);
        }

        return data;
    }

    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (JsonElement model in Reference.Value.GetProperty("models").EnumerateArray())
        {
            data.Add(model.GetProperty("name").GetString()!);
        }

        return data;
    }

    private static JsonElement FileCase(string file) => Reference.Value.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("file").GetString() == file);

    private static void Load(IRnnModel model, JsonElement file)
    {
        string path = Path.Combine(Folder, file.GetProperty("file").GetString()!);
        switch (file.GetProperty("format").GetString())
        {
            case "safetensors":
                string[] prefixes = file.TryGetProperty("prefixes", out JsonElement p) && p.ValueKind == JsonValueKind.Array
                    ? p.EnumerateArray().Select(e => e.GetString()!).ToArray()
                    : Array.Empty<string>();
                model.LoadTorchStateDict(path, prefixes);
                break;
            default:
                // .npz, .weights.h5, .h5 and .keras all go through RnnDsl.Keras's LoadKerasWeights.
                KerasWeightFiles.LoadKerasWeights(model, path);
                break;
        }
    }

    /// <summary>Runs the model on the reference sequences and compares with PyTorch's float64 outputs.</summary>
    private static void AssertOutputs(IRnnModel model, JsonElement reference, string what)
    {
        double tolerance = Reference.Value.GetProperty("tolerance").GetDouble();
        JsonElement[] sequences = reference.GetProperty("sequences").EnumerateArray().ToArray();
        JsonElement[] outputs = reference.GetProperty("outputs").EnumerateArray().ToArray();
        for (int n = 0; n < sequences.Length; n++)
        {
            double[] expected = Flatten(outputs[n]).ToArray();
            float[] actual;
            if (model is ITokenModel tokens)
            {
                int[] input = sequences[n].EnumerateArray().Select(v => v.GetInt32()).ToArray();
                actual = new float[tokens.OutputLength(input.Length)];
                tokens.Predict(input, actual);
            }
            else
            {
                var real = (IRealValuedModel)model;
                float[] input = Flatten(sequences[n]).Select(v => (float)v).ToArray();
                actual = new float[real.OutputLength(real.StepsOf(input.Length))];
                real.Predict(input, actual);
            }

            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}: sequence {n}, output {i}: PyTorch {expected[i]:R}, RnnDsl {actual[i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(LoadableFiles))]
    public void Each_reference_file_loads_exactly_and_computes_PyTorchs_outputs(string name)
    {
        JsonElement file = FileCase(name);
        string modelName = file.GetProperty("model").GetString()!;
        JsonElement reference = ModelCase(modelName);
        IRnnModel model = Create(modelName);
        Load(model, file);
        float[] expected = reference.GetProperty("parameters").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        Assert.Equal(expected, model.Parameters.ToArray());
        AssertOutputs(model, reference, name);
    }

    [Theory]
    [MemberData(nameof(RefusedFiles))]
    public void A_keras_archive_for_another_architecture_names_the_layer_and_the_setting(string name)
    {
        JsonElement file = FileCase(name);
        IRnnModel model = Create(file.GetProperty("model").GetString()!);
        float[] before = model.Parameters.ToArray();
        var invalid = Assert.Throws<InvalidDataException>(() => Load(model, file));
        Assert.Contains(name, invalid.Message, StringComparison.Ordinal);
        Assert.Contains(file.GetProperty("layer").GetString()!, invalid.Message, StringComparison.Ordinal);
        Assert.Contains(file.GetProperty("differs").EnumerateObject().Select(p => p.Name), key => invalid.Message.Contains(key + " = ", StringComparison.Ordinal));
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void With_RnnDsl_Keras_referenced_LoadKerasWeights_on_a_model_class_reads_HDF5()
    {
        // The same call as for an .npz: RnnDsl.Keras's generic overload is the better match for a model's own type.
        var model = new WMaskedStack();
        model.LoadKerasWeights(Path.Combine(Folder, "WMaskedStack.weights.h5"));
        var npz = new WMaskedStack();
        npz.LoadKerasWeights(Path.Combine(Folder, "WMaskedStack.npz"));
        Assert.Equal(npz.Parameters.ToArray(), model.Parameters.ToArray());
        using (FileStream stream = File.OpenRead(Path.Combine(Folder, "WMaskedStack.keras")))
        {
            var archive = new WMaskedStack();
            archive.LoadKerasWeights(stream);
            Assert.Equal(npz.Parameters.ToArray(), archive.Parameters.ToArray());
        }

        // Held as IRnnModel, the core method is chosen; it says how to reach the HDF5 reader.
        IRnnModel general = new WMaskedStack();
        var error = Assert.Throws<NotSupportedException>(() => general.LoadKerasWeights(Path.Combine(Folder, "WMaskedStack.h5")));
        Assert.Contains("KerasWeightFiles.LoadKerasWeights(model, path)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("WText.weights.h5")]
    [InlineData("WText.h5")]
    [InlineData("WText.keras")]
    [InlineData("WText.npz")]
    public void Keras_files_of_another_model_or_cut_short_are_refused_and_the_model_is_unchanged(string name)
    {
        var model = new WBidiSum(); // Embedding(20, 4) like WText, then other layers
        float[] before = model.Parameters.ToArray();
        string path = Path.Combine(Folder, name);
        var other = Assert.Throws<InvalidDataException>(() => model.LoadKerasWeights(path));
        Assert.Contains(name, other.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Parameters.ToArray());

        byte[] bytes = File.ReadAllBytes(path);
        foreach (int length in new[] { bytes.Length / 3, bytes.Length - 100 })
        {
            var text = new WText();
            float[] original = text.Parameters.ToArray();
            Assert.Throws<InvalidDataException>(() => text.LoadKerasWeights(new MemoryStream(bytes[..length])));
            Assert.Equal(original, text.Parameters.ToArray());
        }
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"config\": {\"layers\": [[1, 2]]}}")]
    [InlineData("{\"config\": {\"layers\": [{\"class_name\": \"Embedding\", \"config\": []}]}}")]
    [InlineData("{\"config\": 3}")]
    [InlineData("not json")]
    public void A_keras_archive_with_a_config_that_is_not_a_model_config_is_refused(string config)
    {
        var archive = new MemoryStream();
        archive.Write(File.ReadAllBytes(Path.Combine(Folder, "WText.keras")));
        using (var zip = new System.IO.Compression.ZipArchive(archive, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        {
            zip.GetEntry("config.json")!.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("config.json").Open());
            writer.Write(config);
        }

        archive.Position = 0;
        var model = new WText();
        float[] before = model.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => model.LoadKerasWeights(archive));
        Assert.Contains("config.json", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Exports_reimport_bit_exact_and_match_the_files_the_script_checks_in_torch(string name)
    {
        IRnnModel model = Create(name);
        model.LoadKerasWeights(Path.Combine(Folder, name + ".npz"));
        string exported = Path.Combine(Folder, "exported");
        foreach (string extension in new[] { ".safetensors", ".npz" })
        {
            using var stream = new MemoryStream();
            if (extension == ".npz")
            {
                model.SaveKerasWeights(stream);
            }
            else
            {
                model.SaveTorchStateDict(stream);
            }

            byte[] bytes = stream.ToArray();
            IRnnModel again = Create(name);
            if (extension == ".npz")
            {
                again.LoadKerasWeights(new MemoryStream(bytes));
            }
            else
            {
                again.LoadTorchStateDict(new MemoryStream(bytes));
            }

            Assert.Equal(model.Parameters.ToArray().Select(BitConverter.SingleToInt32Bits), again.Parameters.ToArray().Select(BitConverter.SingleToInt32Bits));

            // The checked-in export is this one: `make_weight_files.py --check-exports` loads it into torch.
            // After an intended change of the writers: RNNDSL_ACCEPT_EXPORTS=<the source folder of Reference/weights/exported>.
            string path = Path.Combine(exported, name + extension);
            if (Environment.GetEnvironmentVariable("RNNDSL_ACCEPT_EXPORTS") is { Length: > 0 } accept)
            {
                Directory.CreateDirectory(accept);
                File.WriteAllBytes(Path.Combine(accept, name + extension), bytes);
            }
            else
            {
                Assert.True(File.Exists(path), $"{path} is missing: run the tests with RNNDSL_ACCEPT_EXPORTS=tests/RnnDsl.Tests/Reference/weights/exported (absolute path), then the script's --check-exports.");
                Assert.Equal(File.ReadAllBytes(path), bytes);
            }
        }
    }
}
