using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using RnnDsl.Tests.Models;
using RnnDsl.Tests.WeightFiles;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// Saving and loading weights: the own format's round trip and its refusals, the atomic save, and the Keras .npz and
/// PyTorch safetensors writers and readers on files made here. Files made by NumPy, h5py and PyTorch are in
/// <see cref="ReferenceWeightFileTests"/>.
/// </summary>
public sealed class WeightFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rnndsl-weights-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static byte[] Saved(IRnnModel model)
    {
        using var stream = new MemoryStream();
        model.SaveWeights(stream);
        return stream.ToArray();
    }

    /// <summary>Asserts that loading <paramref name="bytes"/> throws InvalidDataException containing each of <paramref name="expected"/>, and leaves the model as it was.</summary>
    private static InvalidDataException RefusedUnchanged(IRnnModel model, Action<IRnnModel> load, params string[] expected)
    {
        float[] before = model.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => load(model));
        foreach (string part in expected)
        {
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
        }

        Assert.True(before.AsSpan().SequenceEqual(model.Parameters), "the model's weights changed although the load failed");
        return error;
    }

    [Fact]
    public void Own_format_round_trip_is_bit_exact_and_the_factory_skips_initialisation()
    {
        var trained = new SentimentModel(seed: 7);
        trained.Parameters[123] = float.Epsilon; // a subnormal survives too
        trained.Parameters[5] = -0f;
        string path = PathOf("sentiment.rnnw");
        trained.SaveWeights(path);

        var loaded = new SentimentModel(seed: 1);
        loaded.LoadWeights(path);
        Assert.Equal(
            trained.Parameters.ToArray().Select(BitConverter.SingleToInt32Bits),
            loaded.Parameters.ToArray().Select(BitConverter.SingleToInt32Bits));

        SentimentModel edge = SentimentModel.Load(path);
        Assert.True(trained.Parameters.SequenceEqual(edge.Parameters));
        using FileStream stream = File.OpenRead(path);
        Assert.True(trained.Parameters.SequenceEqual(SentimentModel.Load(stream).Parameters));
        Assert.Equal(new[] { "sentiment.rnnw" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void The_file_layout_is_the_documented_one()
    {
        var model = new Forecaster(seed: 3);
        byte[] bytes = Saved(model);
        Assert.Equal(new byte[] { 0x89, (byte)'R', (byte)'N', (byte)'N', (byte)'W', 0x0D, 0x0A, 0x1A }, bytes[..8]);
        Assert.Equal(1u, BitConverter.ToUInt32(bytes, 8));
        int length = (int)BitConverter.ToUInt32(bytes, 12);
        string fingerprint = Encoding.UTF8.GetString(bytes, 16, length);
        Assert.Equal(model.Architecture.Fingerprint, fingerprint);
        Assert.Equal(
            "input_layer: InputLayer(batch_shape=[null, 10, 1]); simple_rnn: SimpleRNN(units=32, activation=tanh, use_bias=true, return_sequences=false, go_backwards=false); dense: Dense(units=1, activation=linear, use_bias=true)",
            fingerprint);
        Assert.Equal(Forecaster.ParameterCount, BitConverter.ToInt64(bytes, 16 + length));
        Assert.Equal(model.Parameters[0], BitConverter.ToSingle(bytes, 24 + length));
        Assert.Equal(24 + length + (4 * Forecaster.ParameterCount) + 8, bytes.Length);
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)), BitConverter.ToUInt64(bytes, bytes.Length - 8));
    }

    [Fact]
    public void Every_flipped_byte_is_refused_and_the_model_is_unchanged()
    {
        var source = new WText();
        source.Initialize(5);
        byte[] good = Saved(source);
        var model = new WText();
        foreach (byte mask in new byte[] { 0x01, 0x10, 0x20, 0x40, 0x80, 0xFF })
        {
            for (int i = 0; i < good.Length; i++)
            {
                byte[] bad = (byte[])good.Clone();
                bad[i] ^= mask;
                RefusedUnchanged(model, m => m.LoadWeights(new MemoryStream(bad)), "the stream: ");
            }
        }
    }

    [Fact]
    public void A_corrupted_parameter_count_is_refused_before_anything_is_allocated()
    {
        byte[] bytes = Saved(new WText());
        int countAt = 16 + (int)BitConverter.ToUInt32(bytes, 12);
        foreach (long count in new[] { 600_000_000L, int.MaxValue, long.MaxValue, -1L })
        {
            BitConverter.GetBytes(count).CopyTo(bytes, countAt);
            RefusedUnchanged(new WText(), m => m.LoadWeights(new MemoryStream(bytes)), $"the header gives {count} parameters for this architecture, which has {WText.ParameterCount}");
        }
    }

    [Fact]
    public void A_flipped_parameter_byte_is_reported_as_a_checksum_mismatch()
    {
        byte[] bytes = Saved(new SentimentModel(seed: 2));
        bytes[bytes.Length / 2] ^= 1;
        string path = PathOf("flipped.rnnw");
        File.WriteAllBytes(path, bytes);
        RefusedUnchanged(new SentimentModel(), m => m.LoadWeights(path), path, "checksum does not match", "corrupted");
    }

    [Fact]
    public void A_truncated_file_is_refused_at_every_length()
    {
        byte[] good = Saved(new WText());
        var model = new WText();
        RefusedUnchanged(model, m => m.LoadWeights(new MemoryStream(Array.Empty<byte>())), "empty");
        for (int length = 1; length < good.Length; length++)
        {
            InvalidDataException error = RefusedUnchanged(model, m => m.LoadWeights(new MemoryStream(good[..length])));
            Assert.True(error.Message.Contains("truncated", StringComparison.Ordinal) || error.Message.Contains("not an RnnDsl weight file", StringComparison.Ordinal), error.Message);
        }

        RefusedUnchanged(model, m => m.LoadWeights(new MemoryStream(good.Concat(new byte[] { 0 }).ToArray())), "bytes after the checksum");
    }

    [Fact]
    public void A_file_for_another_model_names_the_layer_that_differs()
    {
        string path = PathOf("classifier.rnnw");
        new SimpleClassifier().SaveWeights(path);
        RefusedUnchanged(new SentimentModel(), m => m.LoadWeights(path), path, "another model", "Layer 2", "simple_rnn: SimpleRNN(units=64", "bidirectional: Bidirectional(merge_mode=concat");

        // The same shapes and parameter count with another activation: the weights would fit but compute something else.
        new Tiny().SaveWeights(path);
        RefusedUnchanged(new TinyRelu(), m => m.LoadWeights(path), "Layer 2: the file has simple_rnn: SimpleRNN(units=1, activation=tanh", "this model has simple_rnn: SimpleRNN(units=1, activation=relu");
    }

    [Fact]
    public void A_future_format_version_is_refused_by_name()
    {
        byte[] bytes = Saved(new WText());
        BitConverter.GetBytes(2u).CopyTo(bytes, 8);
        RefusedUnchanged(new WText(), m => m.LoadWeights(new MemoryStream(bytes)), "format version 2", "reads version 1", "newer RnnDsl");
    }

    [Fact]
    public void Other_formats_are_refused_with_the_method_that_reads_them()
    {
        var model = new WText();
        using var npz = new MemoryStream();
        model.SaveKerasWeights(npz);
        RefusedUnchanged(model, m => m.LoadWeights(new MemoryStream(npz.ToArray())), "not an RnnDsl weight file", "LoadKerasWeights");
    }

    [Fact]
    public void An_interrupted_save_leaves_the_old_file_and_no_temporary_file()
    {
        string path = PathOf("model.rnnw");
        var old = new SentimentModel(seed: 1);
        old.SaveWeights(path);
        byte[] before = File.ReadAllBytes(path);
        string? temporary = null;
        AtomicFile.BeforeRename = file =>
        {
            temporary = file;
            Assert.True(File.Exists(file));
            Assert.Equal(Path.GetDirectoryName(Path.GetFullPath(path)), Path.GetDirectoryName(file));
            throw new IOException("simulated crash before the rename");
        };
        try
        {
            Assert.Throws<IOException>(() => new SentimentModel(seed: 2).SaveWeights(path));
            Assert.Throws<IOException>(() => new SentimentModel(seed: 2).SaveKerasWeights(path));
            Assert.Throws<IOException>(() => new SentimentModel(seed: 2).SaveTorchStateDict(path));
        }
        finally
        {
            AtomicFile.BeforeRename = null;
        }

        Assert.NotNull(temporary);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.rnnw" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
        var loaded = new SentimentModel(seed: 3);
        loaded.LoadWeights(path);
        Assert.True(old.Parameters.SequenceEqual(loaded.Parameters));

        // A save that fails while writing (here: a directory in the way of nothing, a bad path) leaves nothing behind either.
        Assert.ThrowsAny<IOException>(() => old.SaveWeights(Path.Combine(_folder, "no-such-folder", "x.rnnw")));
        Assert.Equal(new[] { "model.rnnw" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Keras_npz_export_is_what_np_savez_writes_and_reimports_bit_exact()
    {
        var model = new Tagger(seed: 11);
        string path = PathOf("tagger.npz");
        model.SaveKerasWeights(path);
        using (ZipArchive zip = ZipFile.OpenRead(path))
        {
            Assert.Equal(Enumerable.Range(0, model.Weights.Count).Select(i => $"arr_{i}.npy"), zip.Entries.Select(e => e.FullName));
            using var reader = new BinaryReader(zip.Entries[1].Open());
            Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, reader.ReadBytes(8));
            int headerLength = reader.ReadUInt16();
            string header = Encoding.Latin1.GetString(reader.ReadBytes(headerLength));
            Assert.Equal(0, (10 + headerLength) % 64);
            Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (6, 5), }", header, StringComparison.Ordinal);
            Assert.EndsWith("\n", header, StringComparison.Ordinal);
            Assert.Equal(model.Parameters[model.Weights[1].Offset], reader.ReadSingle());
        }

        var loaded = new Tagger(seed: 12);
        loaded.LoadKerasWeights(path);
        Assert.True(model.Parameters.SequenceEqual(loaded.Parameters));

        // The same weights give the same bytes (no time stamps).
        string again = PathOf("again.npz");
        model.SaveKerasWeights(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void Torch_export_transposes_kernels_and_puts_the_whole_bias_in_bias_ih()
    {
        var model = new SimpleClassifier(seed: 4);
        model.Parameters.Slice(model.Weights.FindByKerasPath("simple_rnn/simple_rnn_cell/bias")!.Offset, 64).Fill(0.25f);
        using var stream = new MemoryStream();
        model.SaveTorchStateDict(stream);
        stream.Position = 0;
        Dictionary<string, NamedArray> tensors = SafeTensors.Read(stream, "export", model.Parameters.Length);
        Assert.Equal(
            new[] { "dense.bias", "dense.weight", "embedding.weight", "simple_rnn.bias_hh_l0", "simple_rnn.bias_ih_l0", "simple_rnn.weight_hh_l0", "simple_rnn.weight_ih_l0" },
            tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { 64, 32 }, tensors["simple_rnn.weight_ih_l0"].Shape);
        Assert.Equal(new[] { 1, 64 }, tensors["dense.weight"].Shape);
        WeightInfo kernel = model.Weights.FindByKerasPath("simple_rnn/simple_rnn_cell/kernel")!;
        Assert.Equal(model.Parameters[kernel.Offset + (3 * 64) + 10], tensors["simple_rnn.weight_ih_l0"].Values[(10 * 32) + 3]); // Keras [3, 10] = torch [10, 3]
        Assert.All(tensors["simple_rnn.bias_ih_l0"].Values, v => Assert.Equal(0.25f, v));
        Assert.All(tensors["simple_rnn.bias_hh_l0"].Values, v => Assert.Equal(0f, v));

        stream.Position = 0;
        var loaded = new SimpleClassifier(seed: 5);
        loaded.LoadTorchStateDict(stream);
        Assert.True(model.Parameters.SequenceEqual(loaded.Parameters));
    }

    [Fact]
    public void Torch_prefixes_rename_the_modules_one_per_layer()
    {
        var model = new SentimentModel(seed: 9);
        string path = PathOf("prefixed.safetensors");
        model.SaveTorchStateDict(path, "emb", "rnn", "fc");
        using (FileStream stream = File.OpenRead(path))
        {
            Assert.Contains("rnn.weight_hh_l0_reverse", SafeTensors.Read(stream, path, model.Parameters.Length).Keys);
        }

        var loaded = new SentimentModel(seed: 10);
        loaded.LoadTorchStateDict(path, "emb", "rnn", "fc");
        Assert.True(model.Parameters.SequenceEqual(loaded.Parameters));

        var error = Assert.Throws<ArgumentException>(() => loaded.LoadTorchStateDict(path, "emb", "rnn"));
        Assert.Equal("prefixes", error.ParamName);
        Assert.Contains("embedding, bidirectional, dense", error.Message, StringComparison.Ordinal);
        RefusedUnchanged(loaded, m => m.LoadTorchStateDict(path), path, "tensor embedding.weight", "is missing", "emb.weight", "one prefix per layer");
    }

    private static byte[] StateDict(params (string Name, string Dtype, int[] Shape, byte[] Data)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach (var (name, dtype, shape, data) in tensors)
        {
            header.Append(header.Length > 1 ? "," : string.Empty)
                .Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + data.Length}]}}");
            offset += data.Length;
        }

        byte[] json = Encoding.UTF8.GetBytes(header.Append('}').ToString());
        return BitConverter.GetBytes((ulong)json.Length).Concat(json).Concat(tensors.SelectMany(t => t.Data)).ToArray();
    }

    private static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    [Fact]
    public void Torch_state_dicts_with_a_missing_extra_misshapen_or_unknown_tensor_are_refused()
    {
        var model = new Tiny(); // Input(1) -> SimpleRnn(1) -> Dense(1): five torch tensors of one value, and bias_hh
        (string, string, int[], byte[])[] good =
        {
            ("simple_rnn.weight_ih_l0", "F32", new[] { 1, 1 }, Floats(0.5f)),
            ("simple_rnn.weight_hh_l0", "F32", new[] { 1, 1 }, Floats(0.25f)),
            ("simple_rnn.bias_ih_l0", "F32", new[] { 1 }, Floats(0.125f)),
            ("simple_rnn.bias_hh_l0", "F32", new[] { 1 }, Floats(1f)),
            ("dense.weight", "F32", new[] { 1, 1 }, Floats(2f)),
            ("dense.bias", "F32", new[] { 1 }, Floats(-1f)),
        };
        model.LoadTorchStateDict(new MemoryStream(StateDict(good)));
        Assert.Equal(new[] { 0.5f, 0.25f, 1.125f, 2f, -1f }, model.Parameters.ToArray()); // the two biases add up

        model.Parameters.Fill(7f);
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(StateDict(good[1..]))), "tensor simple_rnn.weight_ih_l0", "is missing");
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(StateDict(good.Append(("dense.extra", "F32", new[] { 1 }, Floats(0f))).ToArray()))), "tensor dense.extra is not a weight of this model");
        var misshapen = ((string, string, int[], byte[])[])good.Clone();
        misshapen[4] = ("dense.weight", "F32", new[] { 2, 1 }, Floats(1f, 2f));
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(StateDict(misshapen))), "tensor dense.weight", "expected shape [1, 1], found [2, 1]");
        var integer = ((string, string, int[], byte[])[])good.Clone();
        integer[5] = ("dense.bias", "I32", new[] { 1 }, BitConverter.GetBytes(3));
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(StateDict(integer))), "tensor dense.bias has dtype I32", "expected F32, F64, F16 or BF16");
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(StateDict(good.Append(good[0]).ToArray()))), "lists tensor simple_rnn.weight_ih_l0 twice");
        byte[] whole = StateDict(good);
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(whole.Concat(new byte[] { 0, 0, 0, 0 }).ToArray())), "bytes after the last tensor");
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(StateDict(good.Append(("huge", "F32", new[] { 600_000_000 }, Array.Empty<byte>())).ToArray()))), "tensor huge has shape [600000000]: more values than the whole model (5)");
        byte[] gap = System.Text.Encoding.UTF8.GetBytes("{\"dense.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}");
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(BitConverter.GetBytes((ulong)gap.Length).Concat(gap).Concat(new byte[8]).ToArray())), "starts at 4; the tensors before it end at 0");
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(whole[..^3])), "truncated");
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(whole[..20])), "truncated");
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(Array.Empty<byte>())), "empty");
        byte[] garbage = (byte[])whole.Clone();
        garbage[9] = (byte)'#';
        RefusedUnchanged(model, m => m.LoadTorchStateDict(new MemoryStream(garbage)), "JSON header is malformed");
        Assert.All(model.Parameters.ToArray(), v => Assert.Equal(7f, v));
    }

    [Fact]
    public void Half_bfloat16_and_double_tensors_are_converted_to_float()
    {
        var model = new Tiny();
        byte[] Half(float v) => BitConverter.GetBytes((Half)v);
        byte[] BFloat(float v) => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(v) >> 16));
        model.LoadTorchStateDict(new MemoryStream(StateDict(
            ("simple_rnn.weight_ih_l0", "F16", new[] { 1, 1 }, Half(0.5f)),
            ("simple_rnn.weight_hh_l0", "BF16", new[] { 1, 1 }, BFloat(-0.375f)),
            ("simple_rnn.bias_ih_l0", "F64", new[] { 1 }, BitConverter.GetBytes(0.125)),
            ("simple_rnn.bias_hh_l0", "F16", new[] { 1 }, Half(1.5f)),
            ("dense.weight", "BF16", new[] { 1, 1 }, BFloat(3f)),
            ("dense.bias", "F64", new[] { 1 }, BitConverter.GetBytes(-2.0)))));
        Assert.Equal(new[] { 0.5f, -0.375f, 1.625f, 3f, -2f }, model.Parameters.ToArray());
    }

    private static byte[] Npz(params (string Name, string Header, byte[] Data)[] arrays)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, header, data) in arrays)
            {
                using Stream entry = zip.CreateEntry(name + ".npy").Open();
                string padded = header.PadRight(((10 + header.Length + 1 + 63) / 64 * 64) - 11) + "\n";
                entry.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
                entry.Write(BitConverter.GetBytes((ushort)padded.Length));
                entry.Write(Encoding.Latin1.GetBytes(padded));
                entry.Write(data);
            }
        }

        return stream.ToArray();
    }

    private static string NpyHeader(string descr, string shape) => $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";

    [Fact]
    public void Keras_npz_files_are_read_by_position_or_by_name_and_checked()
    {
        var model = new Tiny();
        byte[] Doubles(params double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
        (string, string, byte[])[] positional =
        {
            ("arr_0", NpyHeader("<f4", "(1, 1)"), Floats(0.5f)),
            ("arr_1", NpyHeader("<f8", "(1, 1)"), Doubles(0.25)),
            ("arr_2", NpyHeader("<f4", "(1,)"), Floats(0.125f)),
            ("arr_3", NpyHeader("<f4", "(1, 1)"), Floats(2f)),
            ("arr_4", NpyHeader("<f4", "(1,)"), Floats(-1f)),
        };
        model.LoadKerasWeights(new MemoryStream(Npz(positional)));
        Assert.Equal(new[] { 0.5f, 0.25f, 0.125f, 2f, -1f }, model.Parameters.ToArray());

        // Named by Keras variable path, in any order, with a ":0" suffix or a model prefix.
        model.LoadKerasWeights(new MemoryStream(Npz(
            ("dense/bias", NpyHeader("<f4", "(1,)"), Floats(4f)),
            ("sequential/simple_rnn/simple_rnn_cell/kernel:0", NpyHeader("<f4", "(1, 1)"), Floats(1f)),
            ("simple_rnn/simple_rnn_cell/recurrent_kernel", NpyHeader("<f4", "(1, 1)"), Floats(2f)),
            ("simple_rnn/simple_rnn_cell/bias", NpyHeader("<f4", "(1,)"), Floats(3f)),
            ("dense/kernel", NpyHeader("<f4", "(1, 1)"), Floats(5f)))));
        Assert.Equal(new[] { 1f, 2f, 3f, 5f, 4f }, model.Parameters.ToArray());

        RefusedUnchanged(model, m => m.LoadKerasWeights(new MemoryStream(Npz(positional[..4]))), "holds 4 arrays", "get_weights() has 5", "dense/bias [1]");
        var misshapen = ((string, string, byte[])[])positional.Clone();
        misshapen[2] = ("arr_2", NpyHeader("<f4", "(2,)"), Floats(1f, 2f));
        RefusedUnchanged(model, m => m.LoadKerasWeights(new MemoryStream(Npz(misshapen))), "array arr_2 is simple_rnn/simple_rnn_cell/bias", "expected shape [1], found [2]");
        var integer = ((string, string, byte[])[])positional.Clone();
        integer[0] = ("arr_0", NpyHeader("<i8", "(1, 1)"), BitConverter.GetBytes(1L));
        RefusedUnchanged(model, m => m.LoadKerasWeights(new MemoryStream(Npz(integer))), "dtype '<i8'");
        var fortran = ((string, string, byte[])[])positional.Clone();
        fortran[0] = ("arr_0", "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", Floats(1f));
        RefusedUnchanged(model, m => m.LoadKerasWeights(new MemoryStream(Npz(fortran))), "Fortran order");
        var shortData = ((string, string, byte[])[])positional.Clone();
        shortData[3] = ("arr_3", NpyHeader("<f4", "(1, 1)"), new byte[2]);
        RefusedUnchanged(model, m => m.LoadKerasWeights(new MemoryStream(Npz(shortData))), "truncated");
        RefusedUnchanged(model, m => m.LoadKerasWeights(new MemoryStream(Npz(("dense/other", NpyHeader("<f4", "(1,)"), Floats(1f))))), "array dense/other is not a weight of this model");
        RefusedUnchanged(model, m => m.LoadKerasWeights(new MemoryStream(Encoding.ASCII.GetBytes("hello"))), "not a Keras .npz");
        RefusedUnchanged(model, m => m.LoadKerasWeights(new MemoryStream(Npz(("arr_0", NpyHeader("<f4", "(600000000,)"), Floats(1f))))), "holds more values than the whole model (5)");
        var farIndex = ((string, string, byte[])[])positional.Clone();
        farIndex[4] = ("arr_99999999999", NpyHeader("<f4", "(1,)"), Floats(-1f));
        RefusedUnchanged(model, m => m.LoadKerasWeights(new MemoryStream(Npz(farIndex))), "arr_99999999999 is past the model's 5 weights");

        // A stream that does not start at the zip: the reader takes it from where it stands.
        var prefixed = new MemoryStream();
        prefixed.Write(new byte[] { 1, 2, 3 });
        prefixed.Write(Npz(positional));
        prefixed.Position = 3;
        model.LoadKerasWeights(prefixed);
        Assert.Equal(new[] { 0.5f, 0.25f, 0.125f, 2f, -1f }, model.Parameters.ToArray());
        byte[] npz = Npz(positional);
        RefusedUnchanged(model, m => m.LoadKerasWeights(new MemoryStream(npz[..(npz.Length / 2)])), "the stream");
    }

    [Fact]
    public void Keras_hdf5_files_need_the_Keras_package()
    {
        byte[] hdf5 = { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0 };
        IRnnModel model = new Tiny(); // held as IRnnModel, the core method is chosen even with RnnDsl.Keras referenced
        var error = Assert.Throws<NotSupportedException>(() => model.LoadKerasWeights(new MemoryStream(hdf5)));
        Assert.Contains("RnnDsl.Keras", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_GRU_without_reset_after_has_no_PyTorch_state_dict_but_round_trips_in_Keras_and_own_formats()
    {
        var model = new WGruKeras1(seed: 3);
        Assert.Equal(new[] { 12 }, model.Weights.FindByKerasPath("gru/gru_cell/bias")!.Shape); // one bias row
        Assert.Equal(string.Empty, model.Weights[0].TorchName);
        Assert.Null(model.Weights.FindByTorchName(string.Empty));
        var export = Assert.Throws<NotSupportedException>(() => model.SaveTorchStateDict(new MemoryStream()));
        Assert.Contains("Layer gru has no PyTorch equivalent", export.Message, StringComparison.Ordinal);
        Assert.Contains("ResetAfter = false", export.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => model.LoadTorchStateDict(new MemoryStream(new byte[16])));
        Assert.Empty(Directory.GetFiles(_folder));

        var copy = new WGruKeras1(seed: 4);
        using var npz = new MemoryStream();
        model.SaveKerasWeights(npz);
        copy.LoadKerasWeights(new MemoryStream(npz.ToArray()));
        Assert.True(model.Parameters.SequenceEqual(copy.Parameters));
        copy.Initialize(5);
        copy.LoadWeights(new MemoryStream(Saved(model)));
        Assert.True(model.Parameters.SequenceEqual(copy.Parameters));
    }

    /// <summary>A model-like manifest with a GRU-shaped gated layer, to check gate reordering and the two bias rows by hand.</summary>
    private sealed class GatedManifestModel : IRnnModel
    {
        private readonly float[] _parameters = new float[(2 * 6) + (2 * 6) + (2 * 6)];

        public Span<float> Parameters => _parameters;

        public int MaxSequenceLength => 0;

        public WeightManifest Weights { get; } = new(
            new WeightInfo("gru", "", "kernel", "gru/gru_cell/kernel", "gru.weight_ih_l0", WeightRole.Kernel, new[] { 2, 6 }, 0, 3, "z,r,h", "r,z,n"),
            new WeightInfo("gru", "", "recurrent_kernel", "gru/gru_cell/recurrent_kernel", "gru.weight_hh_l0", WeightRole.RecurrentKernel, new[] { 2, 6 }, 12, 3, "z,r,h", "r,z,n"),
            new WeightInfo("gru", "", "bias", "gru/gru_cell/bias", "gru.bias_ih_l0", WeightRole.Bias, new[] { 2, 6 }, 24, 3, "z,r,h", "r,z,n"));

        public ModelArchitecture Architecture { get; } = new(new LayerConfig("gru", "GRU", "units=2"));

        public int OutputLength(int steps) => 2;

        public int StepsOf(int length) => length;

        public bool MasksPaddingSteps => false;

        public void Initialize(int seed) => throw new NotSupportedException();

        public string Summary() => string.Empty;
    }

    [Fact]
    public void Gate_blocks_are_reordered_between_Keras_and_PyTorch_and_two_row_biases_map_to_bias_ih_and_bias_hh()
    {
        var model = new GatedManifestModel();
        Assert.Equal(new[] { 1, 0, 2 }, WeightMapping.GatePermutation(model.Weights[0]));
        Assert.Equal(new[] { 0, 1, 2, 3 }, WeightMapping.GatePermutation(new WeightInfo("lstm", "", "kernel", "k", "lstm.weight_ih_l0", WeightRole.Kernel, new[] { 1, 4 }, 0, 4, "i,f,c,o", "i,f,g,o")));
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            model.Parameters[i] = i;
        }

        var tensors = WeightMapping.ToStateDict(model, null).ToDictionary(t => t.Name);

        // Keras kernel [2 inputs, z z r r h h]; torch weight_ih [r r z z n n rows, 2 inputs].
        Assert.Equal(new[] { 6, 2 }, tensors["gru.weight_ih_l0"].Shape);
        Assert.Equal(new float[] { 2, 8, 3, 9, 0, 6, 1, 7, 4, 10, 5, 11 }, tensors["gru.weight_ih_l0"].Values);
        Assert.Equal(new float[] { 26, 27, 24, 25, 28, 29 }, tensors["gru.bias_ih_l0"].Values);
        Assert.Equal(new float[] { 32, 33, 30, 31, 34, 35 }, tensors["gru.bias_hh_l0"].Values);

        var back = WeightMapping.FromStateDict(model, tensors.Values.ToDictionary(t => t.Name, t => new NamedArray(t.Name, t.Shape, t.Values)), null, "test");
        Assert.Equal(Enumerable.Range(0, 36).Select(i => (float)i), back);
    }
}
