using System.Collections.Generic;
using RnnDsl.Generators.Emit;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Cells;

/// <summary>
/// The one place that knows which cells exist. A new cell is a description (its <see cref="CellSpec"/> and
/// weights), an emitter (its step and backward step), a runtime attribute with its reader in
/// <see cref="Parsing.AttributeReaders"/>, and a line in each switch below.
/// </summary>
internal static class CellRegistry
{
    /// <summary>The cell a recurrent attribute declares.</summary>
    public static CellSpec Describe(RecurrentDeclaration declaration) => declaration switch
    {
        SimpleRnnDeclaration simpleRnn => SimpleRnnCell.Describe(simpleRnn),
        LstmDeclaration lstm => LstmCell.Describe(lstm),
        GruDeclaration gru => GruCell.Describe(gru),
        _ => throw new KeyNotFoundException("no cell for " + declaration.GetType().Name),
    };

    /// <summary>The weights of one direction of a recurrent layer, from <paramref name="offset"/> on.</summary>
    public static IEnumerable<WeightSpec> Weights(CellSpec cell, RecurrentNames names, int inputWidth, int units, long offset) => cell.Kind switch
    {
        CellKind.SimpleRnn => SimpleRnnCell.Weights(cell, names, inputWidth, units, offset),
        CellKind.Lstm => LstmCell.Weights(cell, names, inputWidth, units, offset),
        CellKind.Gru => GruCell.Weights(cell, names, inputWidth, units, offset),
        _ => throw new KeyNotFoundException("no weights for cell " + cell.Kind),
    };

    /// <summary>The emitter that writes a cell's step and backward step.</summary>
    public static CellEmitter Emitter(CellSpec cell) => cell.Kind switch
    {
        CellKind.SimpleRnn => SimpleRnnEmitter.Instance,
        CellKind.Lstm => LstmEmitter.Instance,
        CellKind.Gru => GruEmitter.Instance,
        _ => throw new KeyNotFoundException("no emitter for cell " + cell.Kind),
    };
}

/// <summary>The names a recurrent layer's weights are known by in Keras and PyTorch, for one direction.</summary>
internal sealed record RecurrentNames(string Layer, string WrappedLayer, string Identifier, string Direction)
{
    /// <summary>The Keras 3 variable path of a cell weight: <c>bidirectional/forward_simple_rnn/simple_rnn_cell/kernel</c>.</summary>
    public string KerasPath(CellSpec cell, string weight) => Direction.Length == 0
        ? Layer + "/" + cell.KerasCellName + "/" + weight
        : Layer + "/" + Direction + "_" + WrappedLayer + "/" + cell.KerasCellName + "/" + weight;

    /// <summary>The PyTorch state_dict key: <c>simple_rnn.weight_ih_l0</c>, <c>bidirectional.weight_hh_l0_reverse</c>.</summary>
    public string TorchName(string parameter) =>
        Layer + "." + parameter + "_l0" + (Direction == WeightSpec.Backward ? "_reverse" : string.Empty);

    /// <summary>The offset constant: <c>BidirectionalForwardKernelOffset</c>.</summary>
    public string ConstantName(string weight) =>
        Identifier + (Direction.Length == 0 ? string.Empty : char.ToUpperInvariant(Direction[0]) + Direction.Substring(1)) + weight + "Offset";
}
