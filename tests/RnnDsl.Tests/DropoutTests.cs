using System;
using System.Linq;
using RnnDsl.Tests.Dropouts;
using Xunit;
using static RnnDsl.Activation;

namespace RnnDsl.Tests.Dropouts
{
    // Dropout on a recurrent layer's x and h, a Dropout layer between layers, and the same models without dropout.
    [Input(3)]
    [SimpleRnn(4, Dropout = 0.3f, RecurrentDropout = 0.4f, ReturnSequences = true)]
    [Dropout(0.5f)]
    [Dense(2)]
    public partial class DropSimple { }

    [Input(3)]
    [SimpleRnn(4, ReturnSequences = true)]
    [Dense(2)]
    public partial class NoDropSimple { }

    [Embedding(20, 4, MaskZero = true)]
    [Bidirectional, Lstm(3, Dropout = 0.2f, RecurrentDropout = 0.3f)]
    [Dense(1, Sigmoid)]
    public partial class DropBidiLstm { }

    [Embedding(20, 4, MaskZero = true)]
    [Bidirectional, Lstm(3)]
    [Dense(1, Sigmoid)]
    public partial class NoDropBidiLstm { }

    [Input(2)]
    [Gru(3, Dropout = 0.5f, RecurrentDropout = 0.5f)]
    [Dense(1)]
    public partial class DropGru { }

    [Input(2)]
    [Gru(3)]
    [Dense(1)]
    public partial class NoDropGru { }

    [Input(2)]
    [Gru(3, Dropout = 0.25f, RecurrentDropout = 0.5f, ResetAfter = false)]
    [Dense(1)]
    public partial class DropGruKeras1 { }

    [Input(2)]
    [Gru(3, ResetAfter = false)]
    [Dense(1)]
    public partial class NoDropGruKeras1 { }

    [Input(3)]
    [Dropout(0.5f)]
    [SimpleRnn(4)]
    [Dense(1)]
    public partial class DropInputs { }

    [Input(3)]
    [SimpleRnn(4)]
    [Dense(1)]
    public partial class NoDropInputs { }
}

namespace RnnDsl.Tests
{
    /// <summary>
    /// Dropout as Keras does it: identity at inference; while training, one mask per sequence for a recurrent layer's x and h
    /// (reused at every step) and a fresh mask for every value of a Dropout layer, kept values scaled by 1 / (1 - rate).
    /// Training mode is checked against the same model without dropout whose weights (or inputs) carry the masks, which is
    /// what Keras's masks mean: (x · m) · kernel = x · (kernel with row i scaled by m[i]).
    /// </summary>
    public class DropoutTests
    {
        private const ulong Seed = 0x5EED_1234_ABCDUL;

        private static float[] Random(int count, int seed) => TestData.Reals(count, seed);

        [Fact]
        public void Masks_keep_one_minus_rate_scaled_and_depend_only_on_the_seed()
        {
            var mask = new float[200_000];
            ulong state = 42;
            DropoutMasks.Fill(mask, 0.3f, ref state);
            Assert.All(mask, v => Assert.True(v == 0f || v == 1f / 0.7f));
            double kept = mask.Count(v => v != 0) / (double)mask.Length;
            Assert.InRange(kept, 0.7 - 0.005, 0.7 + 0.005);
            Assert.InRange(mask.Average(), 1 - 0.01, 1 + 0.01); // inverted dropout keeps the expectation

            var again = new float[mask.Length];
            ulong same = 42;
            DropoutMasks.Fill(again, 0.3f, ref same);
            Assert.Equal(mask, again);
            Assert.Equal(state, same);
            Assert.NotEqual(DropoutMasks.SequenceSeed(Seed, 0), DropoutMasks.SequenceSeed(Seed, 1));
            Assert.NotEqual(DropoutMasks.BatchSeed(1, 1, 1), DropoutMasks.BatchSeed(1, 1, 2));

            ulong s = 1;
            Assert.Throws<ArgumentOutOfRangeException>(() => DropoutMasks.Fill(new float[1], 1f, ref s));
            Assert.Throws<ArgumentOutOfRangeException>(() => DropoutMasks.Fill(new float[1], float.NaN, ref s));
            var zero = new float[1000];
            DropoutMasks.Fill(zero, 0f, ref s);
            Assert.All(zero, v => Assert.Equal(1f, v));
        }

        [Fact]
        public void Outside_training_dropout_changes_nothing()
        {
            var drop = new DropSimple();
            var plain = new NoDropSimple();
            TestData.Randomize(drop.Parameters, 3);
            drop.Parameters.CopyTo(plain.Parameters);
            Assert.True(drop.HasDropout);
            Assert.False(plain.HasDropout);
            Assert.Equal(NoDropSimple.ParameterCount, DropSimple.ParameterCount);
            Assert.Contains("dropout (Dropout)", drop.Summary(), StringComparison.Ordinal);

            float[] x = Random(5 * 3, 7);
            float[] a = new float[drop.OutputLength(5)], b = new float[a.Length];
            drop.Predict(x, a);
            plain.Predict(x, b);
            Assert.Equal(b, a);

            float[] y = Random(a.Length, 8);
            var ga = new float[DropSimple.ParameterCount];
            var gb = new float[ga.Length];
            Assert.Equal(plain.ComputeGradients(x, y, 1, gb, Loss.MeanSquaredError), drop.ComputeGradients(x, y, 1, ga, Loss.MeanSquaredError));
            Assert.Equal(gb, ga);

            // A model without dropout: training mode is the same call.
            var gc = new float[gb.Length];
            Assert.Equal(plain.ComputeGradients(x, y, 1, gb, Loss.MeanSquaredError), plain.ComputeGradients(x, y, 1, gc, Loss.MeanSquaredError, Seed));
            Assert.Equal(gb, gc);
        }

        /// <summary>
        /// Training mode of a model whose only dropout is a recurrent layer's (x mask of <paramref name="inputWidth"/>, h mask of
        /// <paramref name="units"/>, per direction) equals its twin without dropout whose kernel and recurrent kernel rows carry the masks;
        /// and the gradient of each masked weight is the twin's times its row's mask.
        /// </summary>
        private static void AssertFoldedMasks<TInput>(ISequenceModel<TInput> drop, ISequenceModel<TInput> twin, TInput[] input, float inputRate, float recurrentRate, int inputWidth, int units)
            where TInput : unmanaged
        {
            TestData.Randomize(drop.Parameters, 11);
            drop.Parameters.CopyTo(twin.Parameters);

            // The masks, drawn as the generated code draws them: each direction's x mask, then its h mask.
            ulong state = Seed;
            var rowScale = new float[drop.Parameters.Length];
            rowScale.AsSpan().Fill(1f);
            foreach (string direction in drop.Weights.Where(w => w.Role == WeightRole.RecurrentKernel).Select(w => w.Direction))
            {
                var inputMask = new float[inputWidth];
                var recurrentMask = new float[units];
                if (inputRate > 0)
                {
                    DropoutMasks.Fill(inputMask, inputRate, ref state);
                }

                if (recurrentRate > 0)
                {
                    DropoutMasks.Fill(recurrentMask, recurrentRate, ref state);
                }

                WeightInfo kernel = drop.Weights.Single(w => w.Direction == direction && w.Role == WeightRole.Kernel && w.KerasPath.Contains("_cell/", StringComparison.Ordinal));
                WeightInfo recurrent = drop.Weights.Single(w => w.Direction == direction && w.Role == WeightRole.RecurrentKernel);
                int kernelColumns = kernel.Shape[1];
                for (int r = 0; r < inputWidth; r++)
                {
                    rowScale.AsSpan(kernel.Offset + (r * kernelColumns), kernelColumns).Fill(inputRate > 0 ? inputMask[r] : 1f);
                }

                for (int r = 0; r < units; r++)
                {
                    rowScale.AsSpan(recurrent.Offset + (r * kernelColumns), kernelColumns).Fill(recurrentRate > 0 ? recurrentMask[r] : 1f);
                }
            }

            for (int i = 0; i < rowScale.Length; i++)
            {
                twin.Parameters[i] *= rowScale[i];
            }

            int steps = drop.StepsOf(input.Length);
            float[] target = Random(drop.OutputLength(steps), 5).Select(v => v > 0 ? 1f : 0f).ToArray();
            var loss = Loss.MeanSquaredError;
            var gDrop = new float[drop.Parameters.Length];
            var gTwin = new float[drop.Parameters.Length];
            float trained = drop.AccumulateGradients(input, target, loss, 1f, gDrop, Span<float>.Empty, Seed);
            float folded = twin.AccumulateGradients(input, target, loss, 1f, gTwin, Span<float>.Empty);
            Assert.Equal(folded, trained, 5);
            for (int i = 0; i < gDrop.Length; i++)
            {
                float expected = gTwin[i] * rowScale[i];
                Assert.True(Math.Abs(expected - gDrop[i]) <= 1e-5 + (1e-4 * Math.Abs(expected)), $"gradient {i}: folded twin {expected}, dropout {gDrop[i]}");
            }

            // The masks changed something: another seed, another loss.
            Assert.NotEqual(trained, drop.AccumulateGradients(input, target, loss, 1f, new float[gDrop.Length], Span<float>.Empty, Seed + 1));
        }

        [Fact]
        public void LSTM_dropout_on_x_and_h_is_the_masks_folded_into_the_weights_in_both_directions() =>
            AssertFoldedMasks(new DropBidiLstm(), new NoDropBidiLstm(), new[] { 3, 7, 1, 11, 5, 0, 0 }, 0.2f, 0.3f, 4, 3);

        [Fact]
        public void GRU_dropout_is_the_masks_folded_into_the_weights() =>
            AssertFoldedMasks(new DropGru(), new NoDropGru(), Random(6 * 2, 4), 0.5f, 0.5f, 2, 3);

        [Fact]
        public void Keras_1_GRU_dropout_is_the_masks_folded_into_the_weights() =>
            AssertFoldedMasks(new DropGruKeras1(), new NoDropGruKeras1(), Random(6 * 2, 4), 0.25f, 0.5f, 2, 3);

        [Fact]
        public void A_Dropout_layer_on_the_inputs_is_the_twin_on_masked_inputs()
        {
            var drop = new DropInputs();
            var twin = new NoDropInputs();
            TestData.Randomize(drop.Parameters, 2);
            drop.Parameters.CopyTo(twin.Parameters);
            float[] x = Random(6 * 3, 9);
            var mask = new float[x.Length];
            ulong state = Seed;
            DropoutMasks.Fill(mask, 0.5f, ref state); // a fresh value for every step and feature
            Assert.Contains(0f, mask);
            float[] masked = x.Select((v, i) => v * mask[i]).ToArray();
            float[] y = { 0.4f };
            var gDrop = new float[drop.Parameters.Length];
            var gTwin = new float[gDrop.Length];
            float trained = drop.AccumulateGradients(x, y, Loss.MeanSquaredError, 1f, gDrop, Span<float>.Empty, Seed);
            float folded = twin.AccumulateGradients(masked, y, Loss.MeanSquaredError, 1f, gTwin, Span<float>.Empty);
            Assert.Equal(folded, trained, 6);
            Assert.Equal(gTwin, gDrop);
        }

        [Fact]
        public void Training_mode_gradients_match_central_differences_of_the_training_loss()
        {
            // The Dropout layer's mask sits between the recurrent layer and Dense; the recurrent layer has x and h masks.
            var model = new DropSimple();
            TestData.Randomize(model.Parameters, 5);
            float[] x = Random(5 * 3, 6);
            float[] y = Random(model.OutputLength(5), 7);
            var gradient = new float[DropSimple.ParameterCount];
            model.AccumulateGradients(x, y, Loss.MeanSquaredError, 1f, gradient, Span<float>.Empty, Seed);
            double Loss1() => model.AccumulateGradients(x, y, Loss.MeanSquaredError, 1f, new float[DropSimple.ParameterCount], Span<float>.Empty, Seed);
            for (int i = 0; i < DropSimple.ParameterCount; i++)
            {
                float keep = model.Parameters[i];
                const float h = 1e-2f;
                model.Parameters[i] = keep + h;
                double up = Loss1();
                model.Parameters[i] = keep - h;
                double down = Loss1();
                model.Parameters[i] = keep;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - gradient[i]) <= 2e-3 + (2e-2 * Math.Abs(numeric)), $"parameter {i}: central difference {numeric}, gradient {gradient[i]}");
            }
        }

        [Fact]
        public void A_training_step_with_dropout_allocates_nothing()
        {
            var model = new DropBidiLstm();
            int[] tokens = { 3, 7, 1, 11, 5, 0, 0 };
            float[] y = { 1f };
            var gradients = new float[DropBidiLstm.ParameterCount];
            model.AccumulateGradients(tokens, y, Loss.BinaryCrossentropy, 1f, gradients, Span<float>.Empty, Seed);
            long before = TestData.AllocatedBytes();
            for (int i = 0; i < 10; i++)
            {
                model.AccumulateGradients(tokens, y, Loss.BinaryCrossentropy, 1f, gradients, Span<float>.Empty, Seed + (ulong)i);
            }

            Assert.Equal(0, TestData.AllocatedBytes() - before);
        }

        [Fact]
        public void Fit_with_dropout_is_reproducible_and_the_same_with_one_and_two_threads()
        {
            float[][] inputs = Enumerable.Range(0, 48).Select(i => Random(5 * 2, 100 + i)).ToArray();
            float[][] targets = inputs.Select(x => new[] { x.Sum() > 0 ? 1f : 0f }).ToArray();
            float[] Train(int threads)
            {
                var model = new DropGru();
                model.Fit(inputs, targets, new FitOptions { Epochs = 2, BatchSize = 16, Loss = Loss.MeanSquaredError, Optimizer = new Adam(0.01f), Seed = 3, Threads = threads });
                return model.Parameters.ToArray();
            }

            float[] one = Train(1);
            Assert.Equal(one, Train(1));
            float[] two = Train(2);
            for (int i = 0; i < one.Length; i++)
            {
                Assert.True(Math.Abs(one[i] - two[i]) <= 1e-4, $"parameter {i}: {one[i]} with one thread, {two[i]} with two");
            }

            var plain = new NoDropGru();
            new DropGru().Parameters.CopyTo(plain.Parameters);
            plain.Fit(inputs, targets, new FitOptions { Epochs = 2, BatchSize = 16, Loss = Loss.MeanSquaredError, Optimizer = new Adam(0.01f), Seed = 3, Threads = 1 });
            Assert.NotEqual(plain.Parameters.ToArray(), one); // the masks did change training
        }
    }
}
