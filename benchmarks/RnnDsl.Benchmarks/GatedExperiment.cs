using System;
using System.Linq;
using System.Numerics.Tensors;
using RnnDsl.Kernels;

namespace RnnDsl.Benchmarks;

/// <summary>
/// An experiment for <see cref="GatedProfile"/>, not library code: the generated LSTM / GRU forward pass of
/// <see cref="LstmClassifier"/> / <see cref="GruClassifier"/> step for step (same equations, same TensorPrimitives
/// calls for the gates), with two changes to the products only: the recurrent kernel is read from a copy packed in
/// panels of 64 columns (<c>[G / 64][128][64]</c>, each panel one contiguous stream) at a 64-byte boundary, and the input
/// projection loads each kernel vector once for four steps. Reads the model's own parameters, so its output can be
/// checked against <c>Predict</c>.
/// </summary>
internal sealed class GatedExperiment
{
    private const int InputWidth = 32;
    private const int Units = 128;
    private const int Dimension = 32;

    private readonly float[] _parameters;
    private readonly int _gates;
    private readonly int _embeddings, _kernel, _bias, _denseKernel, _denseBias;
    private readonly float[] _packed; // pinned, the packed recurrent kernel from _packedAt
    private readonly int _packedAt;
    private readonly float[] _inputs, _gatesBuffer, _recurrence, _states, _cells;

    public GatedExperiment(IRnnModel model, float[] parameters, int gates)
    {
        _parameters = parameters;
        _gates = gates;
        string layer = gates == 4 ? "lstm" : "gru";
        int Offset(string layerName, string name) => model.Weights.First(w => w.Layer == layerName && w.Name == name).Offset;
        _embeddings = Offset("embedding", "embeddings");
        _kernel = Offset(layer, "kernel");
        _bias = Offset(layer, "bias");
        _denseKernel = Offset("dense", "kernel");
        _denseBias = Offset("dense", "bias");
        int gateWidth = gates * Units;
        float[] packed = GatedProfile.Pack(parameters.AsSpan(Offset(layer, "recurrent_kernel"), Units * gateWidth).ToArray(), Units, gateWidth);
        _packed = GC.AllocateArray<float>(packed.Length + 16, pinned: true);
        _packedAt = GatedProfile.AlignedStart(_packed);
        packed.CopyTo(_packed.AsSpan(_packedAt));
        int steps = 100;
        _inputs = new float[steps * InputWidth];
        _gatesBuffer = new float[steps * gateWidth];
        _recurrence = new float[gateWidth];
        _states = new float[steps * Units];
        _cells = new float[steps * Units];
    }

    public float Predict(ReadOnlySpan<int> tokens)
    {
        int steps = tokens.Length;
        int gateWidth = _gates * Units;
        ReadOnlySpan<float> parameters = _parameters;
        Span<float> inputs = _inputs.AsSpan(0, steps * InputWidth);
        for (int t = 0; t < steps; t++)
        {
            parameters.Slice(_embeddings + tokens[t] * Dimension, Dimension).CopyTo(inputs.Slice(t * Dimension, Dimension));
        }

        // gates[t] = x[t] · kernel + (input) bias, four steps per kernel load.
        Span<float> gates = _gatesBuffer.AsSpan(0, steps * gateWidth);
        ReadOnlySpan<float> inputBias = parameters.Slice(_bias, gateWidth);
        for (int t = 0; t < steps; t++)
        {
            inputBias.CopyTo(gates.Slice(t * gateWidth, gateWidth));
        }

        GatedProfile.MultiplyAddSteps(inputs, parameters.Slice(_kernel, InputWidth * gateWidth), gates, steps, InputWidth, gateWidth);
        ReadOnlySpan<float> packed = _packed.AsSpan(_packedAt, Units * gateWidth);
        Span<float> last = _gates == 4 ? Lstm(gates, packed, steps) : Gru(gates, packed, parameters.Slice(_bias + gateWidth, gateWidth), steps);

        Span<float> y = stackalloc float[1];
        y[0] = parameters[_denseBias] + TensorPrimitives.Dot(last, parameters.Slice(_denseKernel, Units));
        Activations.Sigmoid(y);
        return y[0];
    }

    private Span<float> Lstm(Span<float> gates, ReadOnlySpan<float> packed, int steps)
    {
        const int GateWidth = 4 * Units;
        Span<float> previous = Span<float>.Empty;
        Span<float> previousCell = Span<float>.Empty;
        for (int t = 0; t < steps; t++)
        {
            Span<float> state = _states.AsSpan(t * Units, Units);
            Span<float> cell = _cells.AsSpan(t * Units, Units);
            Span<float> gate = gates.Slice(t * GateWidth, GateWidth);
            if (!previous.IsEmpty)
            {
                GatedProfile.MultiplyAddPacked(previous, packed, gate, reverse: false);
            }

            Span<float> inputGate = gate.Slice(0, Units);
            Span<float> forgetGate = gate.Slice(Units, Units);
            Span<float> cellCandidate = gate.Slice(2 * Units, Units);
            Span<float> outputGate = gate.Slice(3 * Units, Units);
            Activations.Sigmoid(gate.Slice(0, 2 * Units));
            Activations.Tanh(cellCandidate);
            Activations.Sigmoid(outputGate);
            TensorPrimitives.Multiply(inputGate, cellCandidate, cell);
            if (!previousCell.IsEmpty)
            {
                TensorPrimitives.MultiplyAdd(forgetGate, previousCell, cell, cell);
            }

            cell.CopyTo(state);
            Activations.Tanh(state);
            TensorPrimitives.Multiply(state, outputGate, state);
            previous = state;
            previousCell = cell;
        }

        return previous;
    }

    private Span<float> Gru(Span<float> gates, ReadOnlySpan<float> packed, ReadOnlySpan<float> recurrentBias, int steps)
    {
        const int GateWidth = 3 * Units;
        Span<float> recurrence = _recurrence;
        Span<float> previous = Span<float>.Empty;
        for (int t = 0; t < steps; t++)
        {
            Span<float> state = _states.AsSpan(t * Units, Units);
            Span<float> gate = gates.Slice(t * GateWidth, GateWidth);
            recurrentBias.CopyTo(recurrence);
            if (!previous.IsEmpty)
            {
                GatedProfile.MultiplyAddPacked(previous, packed, recurrence, reverse: false);
            }

            Span<float> updateGate = gate.Slice(0, Units);
            Span<float> resetGate = gate.Slice(Units, Units);
            Span<float> candidate = gate.Slice(2 * Units, Units);
            Span<float> gatesZr = gate.Slice(0, 2 * Units);
            TensorPrimitives.Add(gatesZr, recurrence.Slice(0, 2 * Units), gatesZr);
            Activations.Sigmoid(gatesZr);
            TensorPrimitives.MultiplyAdd(resetGate, recurrence.Slice(2 * Units, Units), candidate, candidate);
            Activations.Tanh(candidate);
            if (previous.IsEmpty)
            {
                TensorPrimitives.Multiply(updateGate, candidate, state);
                TensorPrimitives.Subtract(candidate, state, state);
            }
            else
            {
                TensorPrimitives.Subtract(previous, candidate, state);
                TensorPrimitives.MultiplyAdd(updateGate, state, candidate, state);
            }

            previous = state;
        }

        return previous;
    }
}
