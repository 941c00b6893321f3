using System;
using System.Globalization;

namespace RnnDsl.Generators.Helpers;

internal static class Text
{
    /// <summary>An interpolated string formatted with the invariant culture.</summary>
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
