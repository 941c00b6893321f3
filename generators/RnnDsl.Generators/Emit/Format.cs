using System.Globalization;
using System.Linq;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Emit;

/// <summary>Culture-invariant text for numbers and names in generated code and comments.</summary>
internal static class Format
{
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>1 unit</c>, <c>64 units</c>.</summary>
    public static string Units(int count) => Int(count) + (count == 1 ? " unit" : " units");

    /// <summary>Keras style thousands separators: <c>332,545</c>.</summary>
    public static string Thousands(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary><c>SimpleRnn1</c> becomes <c>simpleRnn1</c>, for local names.</summary>
    public static string Camel(string identifier) => char.ToLowerInvariant(identifier[0]) + identifier.Substring(1);

    /// <summary><c>recurrent_kernel</c> becomes <c>recurrentKernel</c>.</summary>
    public static string CamelFromSnake(string name) => Camel(Pascal(name));

    /// <summary><c>simple_rnn_1</c> becomes <c>SimpleRnn1</c>.</summary>
    public static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part.Substring(1)));

    /// <summary>The Keras spelling of an activation: <c>tanh</c>, <c>sigmoid</c>.</summary>
    public static string Keras(ActivationKind activation) => activation.ToString().ToLowerInvariant();

    /// <summary>The runtime call that applies an activation in place, or null for the identity.</summary>
    public static string? ActivationCall(RuntimeNames names, ActivationKind activation, string span) => activation switch
    {
        ActivationKind.Linear => null,
        _ => names.Activations + "." + activation + "(" + span + ");",
    };

    /// <summary>The runtime call that turns the gradient of an activation's output into that of its input, in place.</summary>
    public static string? DerivativeCall(RuntimeNames names, ActivationKind activation, string output, string gradient) => activation switch
    {
        ActivationKind.Linear => null,
        _ => names.Activations + "." + activation + "Backward(" + output + ", " + gradient + ");",
    };

    /// <summary>Keras output shape: <c>(None, None, 32)</c> for a variable-length sequence.</summary>
    public static string Shape(bool sequence, int maxSteps, int width) =>
        sequence
            ? "(None, " + (maxSteps > 0 ? Int(maxSteps) : "None") + ", " + Int(width) + ")"
            : "(None, " + Int(width) + ")";

    /// <summary>A C# string literal.</summary>
    public static string Literal(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
