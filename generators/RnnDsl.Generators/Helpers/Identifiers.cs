using Microsoft.CodeAnalysis.CSharp;

namespace RnnDsl.Generators.Helpers;

internal static class Identifiers
{
    /// <summary>An identifier as C# source must write it: <c>@class</c> for a keyword, the name itself otherwise.</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
            ? "@" + name
            : name;
}
