using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>
/// The merge of a Bidirectional layer's two directions (Keras <c>merge_mode</c>) and its gradient: the one
/// switch on the merge mode, used for the merge after the last step and for the merge at every step.
/// </summary>
internal static class MergeEmitter
{
    /// <summary>The merge rule for comments: <c>[forward[t], backward[t]]</c>.</summary>
    public static string Rule(MergeKind merge) => merge switch
    {
        MergeKind.Concat => "[forward[t], backward[t]]",
        MergeKind.Sum => "forward[t] + backward[t]",
        MergeKind.Mul => "forward[t] * backward[t]",
        _ => "(forward[t] + backward[t]) / 2",
    };

    /// <summary>Writes <paramref name="output"/> = the merge of the spans <paramref name="forward"/> and <paramref name="backward"/>.</summary>
    public static void WriteMerge(IndentedWriter writer, ModelSpec model, MergeKind merge, string forward, string backward, string output, string units)
    {
        string primitives = model.Names.TensorPrimitives;
        switch (merge)
        {
            case MergeKind.Concat:
                writer.Line(forward + ".CopyTo(" + output + ");");
                writer.Line(backward + ".CopyTo(" + output + ".Slice(" + units + "));");
                break;
            case MergeKind.Sum:
                writer.Line(primitives + ".Add(" + forward + ", " + backward + ", " + output + ");");
                break;
            case MergeKind.Mul:
                writer.Line(primitives + ".Multiply(" + forward + ", " + backward + ", " + output + ");");
                break;
            case MergeKind.Ave:
                writer.Line(primitives + ".Add(" + forward + ", " + backward + ", " + output + ");");
                writer.Line(primitives + ".Multiply(" + output + ", 0.5f, " + output + ");");
                break;
        }
    }

    /// <summary>
    /// Splits the gradient <paramref name="dMerged"/> of a merged output between the directions' gradients; the
    /// product merge needs each direction's value (<paramref name="forward"/>, <paramref name="backward"/>).
    /// </summary>
    public static void WriteMergeBackward(
        IndentedWriter writer, ModelSpec model, MergeKind merge, string dMerged, string dForward, string dBackward, string forward, string backward, string units)
    {
        string primitives = model.Names.TensorPrimitives;
        switch (merge)
        {
            case MergeKind.Concat:
                writer.Line(dMerged + ".Slice(0, " + units + ").CopyTo(" + dForward + ");");
                writer.Line(dMerged + ".Slice(" + units + ", " + units + ").CopyTo(" + dBackward + ");");
                break;
            case MergeKind.Sum:
                writer.Line(dMerged + ".CopyTo(" + dForward + ");");
                writer.Line(dMerged + ".CopyTo(" + dBackward + ");");
                break;
            case MergeKind.Mul:
                writer.Line(primitives + ".Multiply(" + dMerged + ", " + backward + ", " + dForward + ");");
                writer.Line(primitives + ".Multiply(" + dMerged + ", " + forward + ", " + dBackward + ");");
                break;
            case MergeKind.Ave:
                writer.Line(primitives + ".Multiply(" + dMerged + ", 0.5f, " + dForward + ");");
                writer.Line(primitives + ".Multiply(" + dMerged + ", 0.5f, " + dBackward + ");");
                break;
        }
    }
}
