using System;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RnnDsl.Kernels;

namespace RnnDsl.Benchmarks;

/// <summary>
/// Where an LSTM(128) / GRU(128) prediction spends its time: a stopwatch breakdown over one sequence of 100 steps,
/// each part of the generated forward pass (see the generated <c>LstmRecurrence</c> / <c>GruRecurrence</c>) run on its
/// own with the same kernels and sizes, against the whole <c>Predict</c>. Then experiments that are not in the library:
/// a panel-packed recurrent kernel, a step-blocked input projection, both together (<see cref="GatedExperiment"/>),
/// other column orders, and a recurrence over 8 sequences at once (what a batched <c>PredictBatch</c> could do); the
/// parts of one sequence's backward pass; and the recurrent product with its matrix at chosen distances from a 64-byte
/// boundary. benchmarks/README.md records and explains the figures.
/// <code>dotnet run -c Release --project benchmarks/RnnDsl.Benchmarks -- --profile</code>
/// Each figure is the median of 9 rounds (each round long enough to take tens of milliseconds); the spread printed
/// is the lowest and highest round.
/// </summary>
internal static class GatedProfile
{
    private const int Steps = 100;
    private const int InputWidth = 32;
    private const int Units = 128;
    private const int Rounds = 9;

    private static bool s_quiet;

    public static void Run()
    {
        // A silent pass first: every method called here reaches tier-1 code (tiered compilation recompiles a method
        // after 30 calls, once no new method has started for 100 ms), so the pass that prints measures optimised code.
        s_quiet = true;
        Cell("LSTM(128)", gates: 4);
        Cell("GRU(128)", gates: 3);
        Peak();
        Alignment();
        System.Threading.Thread.Sleep(500);
        s_quiet = false;
        Header();
        Cell("LSTM(128)", gates: 4);
        Cell("GRU(128)", gates: 3);
        Peak();
        Alignment();
    }

    private static void Print(string line)
    {
        if (!s_quiet)
        {
            Console.WriteLine(line);
        }
    }

    private static void Header()
    {
        Console.WriteLine($"Stopwatch profile, {Environment.ProcessorCount} cores, Vector512 {Vector512.IsHardwareAccelerated}; median [min - max] of {Rounds} rounds, µs per sequence of {Steps} steps");
    }

    private static void Cell(string name, int gates)
    {
        int gateWidth = gates * Units;
        var random = new SeededRandom(7);
        float[] kernel = Fill(new float[InputWidth * gateWidth], random, 0.1f);
        float[] recurrentKernel = Fill(new float[Units * gateWidth], random, 0.1f);
        float[] packedKernel = Pack(recurrentKernel, Units, gateWidth);
        float[] bias = Fill(new float[gateWidth], random, 0.1f);
        float[] inputs = Fill(new float[Steps * InputWidth], random, 0.05f);
        float[] states = Fill(new float[Steps * Units], random, 0.5f);
        float[] cells = new float[Steps * Units];
        float[] gatesBuffer = new float[Steps * gateWidth];
        float[] recurrence = new float[Steps * gateWidth];
        int[] tokens = new int[Steps];
        for (int t = 0; t < Steps; t++)
        {
            tokens[t] = 1 + random.NextInt(9999);
        }

        float[] output = new float[1];
        LstmClassifier lstm = new();
        GruClassifier gru = new();

        Print(string.Empty);
        Print($"{name}: recurrent kernel [{Units}, {gateWidth}] = {Units * gateWidth * 4 / 1024} KiB, kernel [{InputWidth}, {gateWidth}] = {InputWidth * gateWidth * 4 / 1024} KiB");
        double whole = Report("whole Predict (generated code)", () =>
        {
            if (gates == 4)
            {
                lstm.Predict(tokens, output);
            }
            else
            {
                gru.Predict(tokens, output);
            }
        });

        double projection = Report("input projection, step by step (bias copy + MultiplyAdd [32, G])", () =>
        {
            for (int t = 0; t < Steps; t++)
            {
                Span<float> gate = gatesBuffer.AsSpan(t * gateWidth, gateWidth);
                bias.CopyTo(gate);
                LinearAlgebra.MultiplyAdd(inputs.AsSpan(t * InputWidth, InputWidth), kernel, gate);
            }
        });

        double product = Report("recurrent product, 99 steps (MultiplyAdd [128, G])", () =>
        {
            for (int t = 1; t < Steps; t++)
            {
                LinearAlgebra.MultiplyAdd(states.AsSpan((t - 1) * Units, Units), recurrentKernel, gatesBuffer.AsSpan(t * gateWidth, gateWidth));
            }
        });

        double elementwise = gates == 4
            ? Report("gate activations and c, h updates (TensorPrimitives)", () =>
            {
                for (int t = 0; t < Steps; t++)
                {
                    Span<float> gate = gatesBuffer.AsSpan(t * gateWidth, gateWidth);
                    gate.Fill(0.1f);
                    Span<float> cell = cells.AsSpan(t * Units, Units);
                    Span<float> state = states.AsSpan(t * Units, Units);
                    Activations.Sigmoid(gate.Slice(0, 2 * Units));
                    Activations.Tanh(gate.Slice(2 * Units, Units));
                    Activations.Sigmoid(gate.Slice(3 * Units, Units));
                    TensorPrimitives.Multiply(gate.Slice(0, Units), gate.Slice(2 * Units, Units), cell);
                    if (t > 0)
                    {
                        TensorPrimitives.MultiplyAdd(gate.Slice(Units, Units), cells.AsSpan((t - 1) * Units, Units), cell, cell);
                    }

                    cell.CopyTo(state);
                    Activations.Tanh(state);
                    TensorPrimitives.Multiply(state, gate.Slice(3 * Units, Units), state);
                }
            })
            : Report("gate activations and h update (TensorPrimitives)", () =>
            {
                for (int t = 0; t < Steps; t++)
                {
                    Span<float> gate = gatesBuffer.AsSpan(t * gateWidth, gateWidth);
                    gate.Fill(0.1f);
                    Span<float> rec = recurrence.AsSpan(t * gateWidth, gateWidth);
                    Span<float> state = states.AsSpan(t * Units, Units);
                    Span<float> zr = gate.Slice(0, 2 * Units);
                    Span<float> candidate = gate.Slice(2 * Units, Units);
                    bias.CopyTo(rec);
                    TensorPrimitives.Add(zr, rec.Slice(0, 2 * Units), zr);
                    Activations.Sigmoid(zr);
                    TensorPrimitives.MultiplyAdd(gate.Slice(Units, Units), rec.Slice(2 * Units, Units), candidate, candidate);
                    Activations.Tanh(candidate);
                    if (t > 0)
                    {
                        TensorPrimitives.Subtract(states.AsSpan((t - 1) * Units, Units), candidate, state);
                        TensorPrimitives.MultiplyAdd(gate.Slice(0, Units), state, candidate, state);
                    }
                }
            });

        // The experiment: the same forward pass with a packed recurrent kernel and a step-blocked input projection.
        var experiment = gates == 4
            ? new GatedExperiment(lstm, ParametersOf(lstm), 4)
            : new GatedExperiment(gru, ParametersOf(gru), 3);
        float expected = gates == 4 ? Predicted(lstm, tokens) : Predicted(gru, tokens);
        float got = experiment.Predict(tokens);
        double fast = Report("whole forward pass, packed + blocked projection (experiment)", () => experiment.Predict(tokens));
        Print($"    its output {got:R} against Predict's {expected:R} (difference {Math.Abs(got - expected):E1}); {whole - fast:F1} µs less than Predict");
        Print($"  {"sum of the parts",-66} {projection + product + elementwise,8:F1}   (whole - parts: {whole - projection - product - elementwise:F1})");
        Print("  experiments:");
        double packed = Report("recurrent product, packed panels [G/64][128][64] (experiment)", () =>
        {
            for (int t = 1; t < Steps; t++)
            {
                MultiplyAddPacked(states.AsSpan((t - 1) * Units, Units), packedKernel, gatesBuffer.AsSpan(t * gateWidth, gateWidth), reverse: false);
            }
        });
        float[] packTarget = new float[packedKernel.Length];
        Report("packing the recurrent kernel into panels (cost if done per Predict)", () => PackInto(recurrentKernel, Units, gateWidth, packTarget));
        double blocked = Report("input projection, 4 steps per kernel load (experiment)", () =>
        {
            for (int t = 0; t < Steps; t++)
            {
                bias.CopyTo(gatesBuffer.AsSpan(t * gateWidth, gateWidth));
            }

            MultiplyAddSteps(inputs, kernel, gatesBuffer, Steps, InputWidth, gateWidth);
        });
        Print($"    packed recurrent product saves {product - packed:F1} µs, blocked projection saves {projection - blocked:F1} µs per sequence");
        double copy = Report("recurrent product, a copy of the library kernel (control)", () =>
        {
            for (int t = 1; t < Steps; t++)
            {
                MultiplyAddOrdered(states.AsSpan((t - 1) * Units, Units), recurrentKernel, gatesBuffer.AsSpan(t * gateWidth, gateWidth), reverse: false);
            }
        });
        double zigzag = Report("recurrent product, column blocks in reverse on odd steps (experiment)", () =>
        {
            for (int t = 1; t < Steps; t++)
            {
                MultiplyAddOrdered(states.AsSpan((t - 1) * Units, Units), recurrentKernel, gatesBuffer.AsSpan(t * gateWidth, gateWidth), reverse: (t & 1) != 0);
            }
        });
        double wide = Report("recurrent product, 8 vectors (128 columns) per block (experiment)", () =>
        {
            for (int t = 1; t < Steps; t++)
            {
                MultiplyAddWide(states.AsSpan((t - 1) * Units, Units), recurrentKernel, gatesBuffer.AsSpan(t * gateWidth, gateWidth), reverse: false);
            }
        });
        double wideZigzag = Report("recurrent product, 8 vectors per block, reverse on odd steps (experiment)", () =>
        {
            for (int t = 1; t < Steps; t++)
            {
                MultiplyAddWide(states.AsSpan((t - 1) * Units, Units), recurrentKernel, gatesBuffer.AsSpan(t * gateWidth, gateWidth), reverse: (t & 1) != 0);
            }
        });
        double packedZigzag = Report("recurrent product, packed panels, reverse on odd steps (experiment)", () =>
        {
            for (int t = 1; t < Steps; t++)
            {
                MultiplyAddPacked(states.AsSpan((t - 1) * Units, Units), packedKernel, gatesBuffer.AsSpan(t * gateWidth, gateWidth), reverse: (t & 1) != 0);
            }
        });

        // Eight sequences at once: h[8, 128] · recurrent_kernel, each matrix vector loaded once for all eight.
        const int Batch = 8;
        float[] batchStates = Fill(new float[Batch * Units], random, 0.5f);
        float[] batchGates = new float[Batch * gateWidth];
        double batched = Report("recurrent product for 8 sequences at once, 99 steps, per sequence (experiment)", () =>
        {
            for (int t = 1; t < Steps; t++)
            {
                MultiplyAddRows8(batchStates, recurrentKernel, batchGates, gateWidth);
            }
        }, divideBy: Batch);
        Print($"    the batched product takes {batched / product:P0} of the one-sequence product's time per sequence");

        // Training: one sequence's AccumulateGradients, and the parts of the generated backward pass.
        Print("  training, one sequence (AccumulateGradients) and the parts of its backward pass:");
        float[] gradients = new float[gates == 4 ? LstmClassifier.ParameterCount : GruClassifier.ParameterCount];
        float[] target = { 1f };
        double accumulate = Report("whole AccumulateGradients (forward + backward, generated code)", () =>
        {
            if (gates == 4)
            {
                lstm.AccumulateGradients(tokens, target, Loss.BinaryCrossentropy, 1f / 32, gradients, Span<float>.Empty);
            }
            else
            {
                gru.AccumulateGradients(tokens, target, Loss.BinaryCrossentropy, 1f / 32, gradients, Span<float>.Empty);
            }
        });
        float[] transposedRecurrent = new float[recurrentKernel.Length];
        float[] transposedKernel = new float[kernel.Length];
        double transposes = Report("the two Transposes of the weights (per sequence)", () =>
        {
            LinearAlgebra.Transpose(recurrentKernel, Units, transposedRecurrent);
            LinearAlgebra.Transpose(kernel, InputWidth, transposedKernel);
        });
        float[] dStates = new float[Steps * Units];
        double backProduct = Report("dh[previous] += dGates[t] · recurrent_kernelᵀ, 99 steps", () =>
        {
            for (int t = Steps - 1; t >= 1; t--)
            {
                LinearAlgebra.MultiplyAdd(gatesBuffer.AsSpan(t * gateWidth, gateWidth), transposedRecurrent, dStates.AsSpan((t - 1) * Units, Units));
            }
        });
        float[] dRecurrent = new float[recurrentKernel.Length];
        float[] dKernel = new float[kernel.Length];
        double dRecurrentTime = Report("d(recurrent_kernel) += h[previous]ᵀ dGates (AddTransposedProduct)", () =>
            LinearAlgebra.AddTransposedProduct(states.AsSpan(0, (Steps - 1) * Units), gatesBuffer.AsSpan(gateWidth, (Steps - 1) * gateWidth), dRecurrent, gateWidth));
        double dKernelTime = Report("d(kernel) += xᵀ dGates (AddTransposedProduct)", () =>
            LinearAlgebra.AddTransposedProduct(inputs, gatesBuffer, dKernel, gateWidth));
        float[] dInputs = new float[Steps * InputWidth];
        double dInputTime = Report("dx[t] += dGates[t] · kernelᵀ, 100 steps", () =>
        {
            for (int t = 0; t < Steps; t++)
            {
                LinearAlgebra.MultiplyAdd(gatesBuffer.AsSpan(t * gateWidth, gateWidth), transposedKernel, dInputs.AsSpan(t * InputWidth, InputWidth));
            }
        });
        Print($"  {"backward products and transposes",-66} {transposes + backProduct + dRecurrentTime + dKernelTime + dInputTime,8:F1}");
        double rowDots = Report("dh[previous] += recurrent_kernel · dGates[t] (MultiplyAddTransposed, no transpose; experiment)", () =>
        {
            for (int t = Steps - 1; t >= 1; t--)
            {
                LinearAlgebra.MultiplyAddTransposed(recurrentKernel, gatesBuffer.AsSpan(t * gateWidth, gateWidth), dStates.AsSpan((t - 1) * Units, Units));
            }
        });
        Print($"    row dot products instead of the transposed product save {backProduct - rowDots:F1} µs per sequence, and the transpose ({transposes:F1} µs) with it");
        double blockedGradient = Report("d(recurrent_kernel), 4 rows of it per pass over dGates (experiment)", () =>
            AddTransposedProduct4(states.AsSpan(0, (Steps - 1) * Units), gatesBuffer.AsSpan(gateWidth, (Steps - 1) * gateWidth), dRecurrent, gateWidth));
        Print($"    blocking the weight gradient by 4 saves {dRecurrentTime - blockedGradient:F1} µs per sequence");
    }

    /// <summary>c += aᵀ b with a [rows, m], b [rows, n], c [m, n], four rows of c per pass (each b vector loaded once for four).</summary>
    private static void AddTransposedProduct4(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int columns)
    {
        int m = c.Length / columns;
        int rows = b.Length / columns;
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        ref float pc = ref MemoryMarshal.GetReference(c);
        for (int i = 0; i < m; i += 4)
        {
            for (int column = 0; column < columns; column += 64)
            {
                ref float d = ref Unsafe.Add(ref pc, i * columns);
                nuint cc = (nuint)column;
                nuint s = (nuint)columns;
                Vector512<float> a00 = Vector512.LoadUnsafe(ref d, cc), a01 = Vector512.LoadUnsafe(ref d, cc + 16), a02 = Vector512.LoadUnsafe(ref d, cc + 32), a03 = Vector512.LoadUnsafe(ref d, cc + 48);
                Vector512<float> a10 = Vector512.LoadUnsafe(ref d, s + cc), a11 = Vector512.LoadUnsafe(ref d, s + cc + 16), a12 = Vector512.LoadUnsafe(ref d, s + cc + 32), a13 = Vector512.LoadUnsafe(ref d, s + cc + 48);
                Vector512<float> a20 = Vector512.LoadUnsafe(ref d, 2 * s + cc), a21 = Vector512.LoadUnsafe(ref d, 2 * s + cc + 16), a22 = Vector512.LoadUnsafe(ref d, 2 * s + cc + 32), a23 = Vector512.LoadUnsafe(ref d, 2 * s + cc + 48);
                Vector512<float> a30 = Vector512.LoadUnsafe(ref d, 3 * s + cc), a31 = Vector512.LoadUnsafe(ref d, 3 * s + cc + 16), a32 = Vector512.LoadUnsafe(ref d, 3 * s + cc + 32), a33 = Vector512.LoadUnsafe(ref d, 3 * s + cc + 48);
                for (int k = 0; k < rows; k++)
                {
                    nuint at = (nuint)(k * columns + column);
                    Vector512<float> k0 = Vector512.LoadUnsafe(ref pb, at), k1 = Vector512.LoadUnsafe(ref pb, at + 16), k2 = Vector512.LoadUnsafe(ref pb, at + 32), k3 = Vector512.LoadUnsafe(ref pb, at + 48);
                    ref float ak = ref Unsafe.Add(ref pa, k * m + i);
                    Vector512<float> x0 = Vector512.Create(ak), x1 = Vector512.Create(Unsafe.Add(ref ak, 1)), x2 = Vector512.Create(Unsafe.Add(ref ak, 2)), x3 = Vector512.Create(Unsafe.Add(ref ak, 3));
                    a00 = Vector512.MultiplyAddEstimate(k0, x0, a00); a01 = Vector512.MultiplyAddEstimate(k1, x0, a01); a02 = Vector512.MultiplyAddEstimate(k2, x0, a02); a03 = Vector512.MultiplyAddEstimate(k3, x0, a03);
                    a10 = Vector512.MultiplyAddEstimate(k0, x1, a10); a11 = Vector512.MultiplyAddEstimate(k1, x1, a11); a12 = Vector512.MultiplyAddEstimate(k2, x1, a12); a13 = Vector512.MultiplyAddEstimate(k3, x1, a13);
                    a20 = Vector512.MultiplyAddEstimate(k0, x2, a20); a21 = Vector512.MultiplyAddEstimate(k1, x2, a21); a22 = Vector512.MultiplyAddEstimate(k2, x2, a22); a23 = Vector512.MultiplyAddEstimate(k3, x2, a23);
                    a30 = Vector512.MultiplyAddEstimate(k0, x3, a30); a31 = Vector512.MultiplyAddEstimate(k1, x3, a31); a32 = Vector512.MultiplyAddEstimate(k2, x3, a32); a33 = Vector512.MultiplyAddEstimate(k3, x3, a33);
                }

                a00.StoreUnsafe(ref d, cc); a01.StoreUnsafe(ref d, cc + 16); a02.StoreUnsafe(ref d, cc + 32); a03.StoreUnsafe(ref d, cc + 48);
                a10.StoreUnsafe(ref d, s + cc); a11.StoreUnsafe(ref d, s + cc + 16); a12.StoreUnsafe(ref d, s + cc + 32); a13.StoreUnsafe(ref d, s + cc + 48);
                a20.StoreUnsafe(ref d, 2 * s + cc); a21.StoreUnsafe(ref d, 2 * s + cc + 16); a22.StoreUnsafe(ref d, 2 * s + cc + 32); a23.StoreUnsafe(ref d, 2 * s + cc + 48);
                a30.StoreUnsafe(ref d, 3 * s + cc); a31.StoreUnsafe(ref d, 3 * s + cc + 16); a32.StoreUnsafe(ref d, 3 * s + cc + 32); a33.StoreUnsafe(ref d, 3 * s + cc + 48);
            }
        }
    }

    private static float[] ParametersOf(IRnnModel model) => model switch
    {
        LstmClassifier m => ParametersArray(m.Parameters),
        GruClassifier m => ParametersArray(m.Parameters),
        _ => throw new ArgumentException("not a gated benchmark model", nameof(model)),
    };

    // The experiment reads a copy of the parameters (Parameters is a span over the model's private array).
    private static float[] ParametersArray(Span<float> parameters) => parameters.ToArray();

    private static float Predicted(LstmClassifier model, int[] tokens)
    {
        float[] y = new float[1];
        model.Predict(tokens, y);
        return y[0];
    }

    private static float Predicted(GruClassifier model, int[] tokens)
    {
        float[] y = new float[1];
        model.Predict(tokens, y);
        return y[0];
    }

    /// <summary>The FMA peak and the L2 stream rate of this core, to set the figures above against.</summary>
    private static void Peak()
    {
        Print(string.Empty);

        // L1-resident: [128, 64] (32 KiB), the same kernel, so it is bound by the core, not by L2.
        var random = new SeededRandom(3);
        float[] small = Fill(new float[Units * 64], random, 0.1f);
        float[] x = Fill(new float[Units], random, 0.1f);
        float[] y = new float[64];
        double l1 = Median(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                LinearAlgebra.MultiplyAdd(x, small, y);
            }
        }) / 1000;
        Print($"MultiplyAdd [128, 64] from L1: {l1 * 1000:F0} ns = {Units * 64 / 16 / (l1 * 1000):F2} AVX-512 FMAs per ns");

        float[] big = Fill(new float[Units * 512], random, 0.1f);
        float[] y2 = new float[512];
        double l2 = Median(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                LinearAlgebra.MultiplyAdd(x, big, y2);
            }
        }) / 1000;
        Print($"MultiplyAdd [128, 512] (256 KiB, from L2): {l2 * 1000:F0} ns = {big.Length * 4 / (l2 * 1000):F1} bytes per ns");
        double sum = Median(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                y2[0] += TensorPrimitives.Sum(big);
            }
        }) / 1000;
        Print($"TensorPrimitives.Sum over the same 256 KiB: {sum * 1000:F0} ns = {big.Length * 4 / (sum * 1000):F1} bytes per ns");
    }

    /// <summary>
    /// The recurrent product with the matrix at a chosen distance from a 64-byte boundary. A .NET array's elements are
    /// only 8-byte aligned, so which of these a model gets depends on where its parameter array was allocated.
    /// </summary>
    private static void Alignment()
    {
        Print(string.Empty);
        Print("Alignment of the recurrent kernel (µs per 99 steps; 64-byte aligned gates and h):");
        var random = new SeededRandom(5);
        foreach (int columns in new[] { 512, 384 })
        {
            float[] source = Fill(new float[Units * columns], random, 0.1f);
            float[] packedSource = Pack(source, Units, columns);
            float[] buffer = GC.AllocateArray<float>(Units * columns + 32, pinned: true);
            float[] h = GC.AllocateArray<float>(Units + 16, pinned: true);
            float[] d = GC.AllocateArray<float>(columns + 16, pinned: true);
            int hAt = AlignedStart(h), dAt = AlignedStart(d);
            Fill(h, random, 0.5f);
            foreach (int misalignment in new[] { 0, 2, 4, 8, 12 })
            {
                int at = AlignedStart(buffer) + misalignment;
                source.CopyTo(buffer.AsSpan(at));
                Report($"[{Units}, {columns}], {misalignment * 4,2} bytes past a 64-byte boundary, library MultiplyAdd", () =>
                {
                    for (int t = 1; t < Steps; t++)
                    {
                        LinearAlgebra.MultiplyAdd(h.AsSpan(hAt, Units), buffer.AsSpan(at, Units * columns), d.AsSpan(dAt, columns));
                    }
                });
                packedSource.CopyTo(buffer.AsSpan(at));
                Report($"[{Units}, {columns}], {misalignment * 4,2} bytes past a 64-byte boundary, packed panels", () =>
                {
                    for (int t = 1; t < Steps; t++)
                    {
                        MultiplyAddPacked(h.AsSpan(hAt, Units), buffer.AsSpan(at, Units * columns), d.AsSpan(dAt, columns), reverse: false);
                    }
                });
            }
        }
    }

    /// <summary>The first index of a pinned array whose address is a multiple of 64 bytes.</summary>
    internal static int AlignedStart(float[] pinned)
    {
        GCHandle handle = GCHandle.Alloc(pinned, GCHandleType.Pinned);
        long address = handle.AddrOfPinnedObject();
        handle.Free();
        return (int)((64 - (address % 64)) % 64 / sizeof(float));
    }

    private static double Report(string what, Action action, int divideBy = 1)
    {
        // Each round runs the action enough times to take about 30 ms.
        action();
        var watch = Stopwatch.StartNew();
        int calls = 0;
        while (watch.ElapsedMilliseconds < 30)
        {
            action();
            calls++;
        }

        double[] rounds = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++)
            {
                action();
            }

            rounds[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls / divideBy;
        }

        Array.Sort(rounds);
        Print($"  {what,-66} {rounds[Rounds / 2],8:F1}   [{rounds[0]:F1} - {rounds[^1]:F1}]");
        return rounds[Rounds / 2];
    }

    private static double Median(Action action)
    {
        action();
        double[] rounds = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            rounds[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(rounds);
        return rounds[Rounds / 2];
    }

    private static float[] Fill(float[] values, SeededRandom random, float scale)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = scale * (2f * random.NextInt(1 << 20) / (1 << 20) - 1f);
        }

        return values;
    }

    /// <summary>[rows, columns] row-major to panels of 64 columns: [columns / 64][rows][64], each panel contiguous.</summary>
    internal static float[] Pack(float[] matrix, int rows, int columns)
    {
        float[] packed = new float[matrix.Length];
        PackInto(matrix, rows, columns, packed);
        return packed;
    }

    private static void PackInto(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> packed)
    {
        int at = 0;
        for (int panel = 0; panel < columns; panel += 64)
        {
            for (int row = 0; row < rows; row++)
            {
                matrix.Slice(row * columns + panel, 64).CopyTo(packed.Slice(at, 64));
                at += 64;
            }
        }
    }

    /// <summary>The library kernel's 4-vector block with even/odd accumulators, reading the matrix from packed panels (one sequential stream).</summary>
    internal static void MultiplyAddPacked(ReadOnlySpan<float> xs, ReadOnlySpan<float> packed, Span<float> destination, bool reverse)
    {
        int rows = xs.Length;
        int columns = destination.Length;
        ref float x = ref MemoryMarshal.GetReference(xs);
        ref float m = ref MemoryMarshal.GetReference(packed);
        ref float d = ref MemoryMarshal.GetReference(destination);
        for (int block = 0; block < columns; block += 64)
        {
            int column = reverse ? columns - 64 - block : block;
            ref float panel = ref Unsafe.Add(ref m, column * rows);
            Vector512<float> e0 = Vector512.LoadUnsafe(ref d, (nuint)column);
            Vector512<float> e1 = Vector512.LoadUnsafe(ref d, (nuint)(column + 16));
            Vector512<float> e2 = Vector512.LoadUnsafe(ref d, (nuint)(column + 32));
            Vector512<float> e3 = Vector512.LoadUnsafe(ref d, (nuint)(column + 48));
            Vector512<float> o0 = default, o1 = default, o2 = default, o3 = default;
            for (int row = 0; row < rows; row += 2)
            {
                Vector512<float> xe = Vector512.Create(Unsafe.Add(ref x, row));
                Vector512<float> xo = Vector512.Create(Unsafe.Add(ref x, row + 1));
                nuint e = (nuint)(row * 64);
                e0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref panel, e), xe, e0);
                e1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref panel, e + 16), xe, e1);
                e2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref panel, e + 32), xe, e2);
                e3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref panel, e + 48), xe, e3);
                o0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref panel, e + 64), xo, o0);
                o1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref panel, e + 80), xo, o1);
                o2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref panel, e + 96), xo, o2);
                o3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref panel, e + 112), xo, o3);
            }

            (e0 + o0).StoreUnsafe(ref d, (nuint)column);
            (e1 + o1).StoreUnsafe(ref d, (nuint)(column + 16));
            (e2 + o2).StoreUnsafe(ref d, (nuint)(column + 32));
            (e3 + o3).StoreUnsafe(ref d, (nuint)(column + 48));
        }
    }

    /// <summary>
    /// destination[t] += inputs[t] · kernel for every step, four steps at a time: each kernel vector is loaded once and
    /// used by four steps (16 accumulators: 4 steps × 4 column vectors).
    /// </summary>
    internal static void MultiplyAddSteps(ReadOnlySpan<float> inputs, ReadOnlySpan<float> kernel, Span<float> destination, int steps, int rows, int columns)
    {
        ref float x = ref MemoryMarshal.GetReference(inputs);
        ref float m = ref MemoryMarshal.GetReference(kernel);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int t = 0;
        for (; t + 4 <= steps; t += 4)
        {
            ref float x0 = ref Unsafe.Add(ref x, t * rows);
            ref float d0 = ref Unsafe.Add(ref d, t * columns);
            for (int column = 0; column < columns; column += 64)
            {
                Block4(ref x0, rows, ref m, columns, column, ref d0);
            }
        }

        for (; t < steps; t++)
        {
            LinearAlgebra.MultiplyAdd(inputs.Slice(t * rows, rows), kernel, destination.Slice(t * columns, columns));
        }
    }

    private static void Block4(ref float x, int rows, ref float m, int columns, int column, ref float d)
    {
        nuint c = (nuint)column;
        nuint s = (nuint)columns;
        Vector512<float> a00 = Vector512.LoadUnsafe(ref d, c), a01 = Vector512.LoadUnsafe(ref d, c + 16), a02 = Vector512.LoadUnsafe(ref d, c + 32), a03 = Vector512.LoadUnsafe(ref d, c + 48);
        Vector512<float> a10 = Vector512.LoadUnsafe(ref d, s + c), a11 = Vector512.LoadUnsafe(ref d, s + c + 16), a12 = Vector512.LoadUnsafe(ref d, s + c + 32), a13 = Vector512.LoadUnsafe(ref d, s + c + 48);
        Vector512<float> a20 = Vector512.LoadUnsafe(ref d, 2 * s + c), a21 = Vector512.LoadUnsafe(ref d, 2 * s + c + 16), a22 = Vector512.LoadUnsafe(ref d, 2 * s + c + 32), a23 = Vector512.LoadUnsafe(ref d, 2 * s + c + 48);
        Vector512<float> a30 = Vector512.LoadUnsafe(ref d, 3 * s + c), a31 = Vector512.LoadUnsafe(ref d, 3 * s + c + 16), a32 = Vector512.LoadUnsafe(ref d, 3 * s + c + 32), a33 = Vector512.LoadUnsafe(ref d, 3 * s + c + 48);
        for (int row = 0; row < rows; row++)
        {
            nuint at = (nuint)(row * columns + column);
            Vector512<float> k0 = Vector512.LoadUnsafe(ref m, at), k1 = Vector512.LoadUnsafe(ref m, at + 16), k2 = Vector512.LoadUnsafe(ref m, at + 32), k3 = Vector512.LoadUnsafe(ref m, at + 48);
            Vector512<float> x0 = Vector512.Create(Unsafe.Add(ref x, row));
            Vector512<float> x1 = Vector512.Create(Unsafe.Add(ref x, rows + row));
            Vector512<float> x2 = Vector512.Create(Unsafe.Add(ref x, 2 * rows + row));
            Vector512<float> x3 = Vector512.Create(Unsafe.Add(ref x, 3 * rows + row));
            a00 = Vector512.MultiplyAddEstimate(k0, x0, a00); a01 = Vector512.MultiplyAddEstimate(k1, x0, a01); a02 = Vector512.MultiplyAddEstimate(k2, x0, a02); a03 = Vector512.MultiplyAddEstimate(k3, x0, a03);
            a10 = Vector512.MultiplyAddEstimate(k0, x1, a10); a11 = Vector512.MultiplyAddEstimate(k1, x1, a11); a12 = Vector512.MultiplyAddEstimate(k2, x1, a12); a13 = Vector512.MultiplyAddEstimate(k3, x1, a13);
            a20 = Vector512.MultiplyAddEstimate(k0, x2, a20); a21 = Vector512.MultiplyAddEstimate(k1, x2, a21); a22 = Vector512.MultiplyAddEstimate(k2, x2, a22); a23 = Vector512.MultiplyAddEstimate(k3, x2, a23);
            a30 = Vector512.MultiplyAddEstimate(k0, x3, a30); a31 = Vector512.MultiplyAddEstimate(k1, x3, a31); a32 = Vector512.MultiplyAddEstimate(k2, x3, a32); a33 = Vector512.MultiplyAddEstimate(k3, x3, a33);
        }

        a00.StoreUnsafe(ref d, c); a01.StoreUnsafe(ref d, c + 16); a02.StoreUnsafe(ref d, c + 32); a03.StoreUnsafe(ref d, c + 48);
        a10.StoreUnsafe(ref d, s + c); a11.StoreUnsafe(ref d, s + c + 16); a12.StoreUnsafe(ref d, s + c + 32); a13.StoreUnsafe(ref d, s + c + 48);
        a20.StoreUnsafe(ref d, 2 * s + c); a21.StoreUnsafe(ref d, 2 * s + c + 16); a22.StoreUnsafe(ref d, 2 * s + c + 32); a23.StoreUnsafe(ref d, 2 * s + c + 48);
        a30.StoreUnsafe(ref d, 3 * s + c); a31.StoreUnsafe(ref d, 3 * s + c + 16); a32.StoreUnsafe(ref d, 3 * s + c + 32); a33.StoreUnsafe(ref d, 3 * s + c + 48);
    }

    /// <summary>destination[b] += h[b] · matrix for 8 rows b at once (the same 4×4 block as <see cref="Block4"/>, twice).</summary>
    private static void MultiplyAddRows8(ReadOnlySpan<float> h, ReadOnlySpan<float> matrix, Span<float> destination, int columns)
    {
        int rows = Units;
        ref float x = ref MemoryMarshal.GetReference(h);
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float d = ref MemoryMarshal.GetReference(destination);
        for (int column = 0; column < columns; column += 64)
        {
            Block4(ref x, rows, ref m, columns, column, ref d);
            Block4(ref Unsafe.Add(ref x, 4 * rows), rows, ref m, columns, column, ref Unsafe.Add(ref d, 4 * columns));
        }
    }

    /// <summary>
    /// The library's 512-bit block (4 vectors of columns, even and odd rows in separate accumulators), copied, with the
    /// column blocks walked last to first when <paramref name="reverse"/>: alternating the direction every step leaves the
    /// blocks read last, still in L1, to be read first by the next step.
    /// </summary>
    private static void MultiplyAddOrdered(ReadOnlySpan<float> xs, ReadOnlySpan<float> matrix, Span<float> destination, bool reverse)
    {
        int rows = xs.Length;
        int columns = destination.Length;
        ref float x = ref MemoryMarshal.GetReference(xs);
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float d = ref MemoryMarshal.GetReference(destination);
        for (int block = 0; block < columns; block += 64)
        {
            int column = reverse ? columns - 64 - block : block;
            Vector512<float> e0 = Vector512.LoadUnsafe(ref d, (nuint)column);
            Vector512<float> e1 = Vector512.LoadUnsafe(ref d, (nuint)(column + 16));
            Vector512<float> e2 = Vector512.LoadUnsafe(ref d, (nuint)(column + 32));
            Vector512<float> e3 = Vector512.LoadUnsafe(ref d, (nuint)(column + 48));
            Vector512<float> o0 = default, o1 = default, o2 = default, o3 = default;
            for (int row = 0; row < rows; row += 2)
            {
                Vector512<float> xe = Vector512.Create(Unsafe.Add(ref x, row));
                Vector512<float> xo = Vector512.Create(Unsafe.Add(ref x, row + 1));
                nuint e = (nuint)(row * columns + column);
                nuint o = e + (nuint)columns;
                e0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e), xe, e0);
                e1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e + 16), xe, e1);
                e2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e + 32), xe, e2);
                e3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, e + 48), xe, e3);
                o0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, o), xo, o0);
                o1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, o + 16), xo, o1);
                o2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, o + 32), xo, o2);
                o3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref m, o + 48), xo, o3);
            }

            (e0 + o0).StoreUnsafe(ref d, (nuint)column);
            (e1 + o1).StoreUnsafe(ref d, (nuint)(column + 16));
            (e2 + o2).StoreUnsafe(ref d, (nuint)(column + 32));
            (e3 + o3).StoreUnsafe(ref d, (nuint)(column + 48));
        }
    }

    /// <summary>
    /// Blocks of 8 vectors (128 columns, 512 contiguous bytes of each row), one accumulator per vector (8 chains, enough
    /// to cover the multiply-add latency), column blocks last to first when <paramref name="reverse"/>.
    /// </summary>
    private static void MultiplyAddWide(ReadOnlySpan<float> xs, ReadOnlySpan<float> matrix, Span<float> destination, bool reverse)
    {
        int rows = xs.Length;
        int columns = destination.Length;
        ref float x = ref MemoryMarshal.GetReference(xs);
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float d = ref MemoryMarshal.GetReference(destination);
        for (int block = 0; block < columns; block += 128)
        {
            int column = reverse ? columns - 128 - block : block;
            ref float dc = ref Unsafe.Add(ref d, column);
            Vector512<float> a0 = Vector512.LoadUnsafe(ref dc), a1 = Vector512.LoadUnsafe(ref dc, 16), a2 = Vector512.LoadUnsafe(ref dc, 32), a3 = Vector512.LoadUnsafe(ref dc, 48);
            Vector512<float> a4 = Vector512.LoadUnsafe(ref dc, 64), a5 = Vector512.LoadUnsafe(ref dc, 80), a6 = Vector512.LoadUnsafe(ref dc, 96), a7 = Vector512.LoadUnsafe(ref dc, 112);
            for (int row = 0; row < rows; row++)
            {
                Vector512<float> xr = Vector512.Create(Unsafe.Add(ref x, row));
                ref float r = ref Unsafe.Add(ref m, row * columns + column);
                a0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref r), xr, a0);
                a1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref r, 16), xr, a1);
                a2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref r, 32), xr, a2);
                a3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref r, 48), xr, a3);
                a4 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref r, 64), xr, a4);
                a5 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref r, 80), xr, a5);
                a6 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref r, 96), xr, a6);
                a7 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref r, 112), xr, a7);
            }

            a0.StoreUnsafe(ref dc); a1.StoreUnsafe(ref dc, 16); a2.StoreUnsafe(ref dc, 32); a3.StoreUnsafe(ref dc, 48);
            a4.StoreUnsafe(ref dc, 64); a5.StoreUnsafe(ref dc, 80); a6.StoreUnsafe(ref dc, 96); a7.StoreUnsafe(ref dc, 112);
        }
    }
}
