using System.Collections.Generic;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Cells;

/// <summary>
/// The three arrays of a recurrent cell, as every Keras cell has them: kernel <c>[InputWidth, G·Units]</c>,
/// recurrent_kernel <c>[Units, G·Units]</c> and bias (<c>[G·Units]</c>, or <c>[2, G·Units]</c> for a GRU with
/// reset_after), gate blocks side by side; PyTorch's <c>weight_ih</c>, <c>weight_hh</c> and <c>bias_ih</c> (+ <c>bias_hh</c>),
/// or no PyTorch name where PyTorch has no such cell (<paramref name="inPyTorch"/> false).
/// </summary>
internal static class CellWeights
{
    /// <summary>The symbol the generated code calls the gates' width by: <c>Units</c> for one gate, else <c>GateWidth</c>.</summary>
    public static string GateWidthSymbol(int gates) => gates == 1 ? "Units" : "GateWidth";

    public static IEnumerable<WeightSpec> Of(CellSpec cell, RecurrentNames names, int inputWidth, int units, long offset, int biasRows, Initializer biasInitializer, bool inPyTorch = true)
    {
        var inputs = new Dimension("InputWidth", inputWidth);
        var state = new Dimension("Units", units);
        var gateWidth = new Dimension(GateWidthSymbol(cell.Gates), cell.Gates * units);
        Dimension[] bias = biasRows == 1 ? new[] { gateWidth } : new[] { new Dimension(null, biasRows), gateWidth };
        var arrays = new (string Name, string Constant, string Torch, WeightRole Role, Dimension[] Shape, Initializer Initializer)[]
        {
            ("kernel", "Kernel", "weight_ih", WeightRole.Kernel, new[] { inputs, gateWidth }, Initializer.GlorotUniform),
            ("recurrent_kernel", "RecurrentKernel", "weight_hh", WeightRole.RecurrentKernel, new[] { state, gateWidth }, Initializer.Orthogonal),
            ("bias", "Bias", "bias_ih", WeightRole.Bias, bias, biasInitializer),
        };
        foreach (var array in arrays)
        {
            var weight = new WeightSpec(names.Layer, names.Direction, array.Name, array.Role, new EquatableArray<Dimension>(array.Shape), offset, array.Initializer)
            {
                ConstantName = names.ConstantName(array.Constant),
                KerasPath = names.KerasPath(cell, array.Name),
                TorchName = inPyTorch ? names.TorchName(array.Torch) : string.Empty,
                Gates = cell.Gates,
                KerasGateOrder = cell.KerasGateOrder,
                TorchGateOrder = cell.TorchGateOrder,
            };
            offset = Checked.Add(offset, weight.Length);
            yield return weight;
        }
    }
}
