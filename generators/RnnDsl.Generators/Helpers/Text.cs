using System;
using System.Globalization;

namespace RnnDsl.Generators.Helpers;

internal static class Text
{
    /// <summary>An interpolated string formatted with the invariant culture.</summary>
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A float as Python writes it (and so Keras configs): the shortest round trip, with <c>.0</c> for whole numbers.</summary>
    public static string Float(float value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E', 'e', 'N', 'I' }) >= 0 ? text : text + ".0";
    }

    /// <summary>A float literal for the generated code: <c>0.25f</c>.</summary>
    public static string FloatLiteral(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";
}
