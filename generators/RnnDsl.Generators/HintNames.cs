using System;
using System.Text;
using RnnDsl.Generators.Helpers;

namespace RnnDsl.Generators;

/// <summary>
/// File names for generated sources: <c>Namespace.Class.g.cs</c>, with only the characters a hint name accepts
/// (a verbatim <c>@</c> never reaches it: names come from symbols), and unique in the compilation ignoring case,
/// as the compiler requires: of two models whose names differ only in case, the one sorting later gets a number.
/// </summary>
internal static class HintNames
{
    public static string For(string fullName, EquatableArray<string> allModels)
    {
        string baseName = Sanitize(fullName);
        int earlier = 0;
        foreach (string other in allModels)
        {
            if (string.CompareOrdinal(other, fullName) < 0 && string.Equals(Sanitize(other), baseName, StringComparison.OrdinalIgnoreCase))
            {
                earlier++;
            }
        }

        return earlier == 0 ? baseName + ".g.cs" : baseName + "." + earlier.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
    }

    private static string Sanitize(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            text.Append(char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_');
        }

        return text.ToString();
    }
}
