using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Parsing;

/// <summary>What the names the generated code uses would bind to in the user's compilation.</summary>
internal static class Names
{
    /// <summary>
    /// Whether <paramref name="name"/>, used briefly in the generated class, would bind to something other than
    /// the runtime type its using directive imports: the class itself, its members and base types' members, a
    /// type or namespace in any enclosing namespace up to the global one, or a second type of that name in one
    /// of the imported namespaces or of the project's global usings (which would make the brief name ambiguous),
    /// or a global using alias of that name.
    /// </summary>
    public static bool IsShadowed(INamedTypeSymbol type, Compilation compilation, GlobalUsings globalUsings, string name)
    {
        if (globalUsings.Aliases.Contains(name))
        {
            return true;
        }

        if (type.Name == name)
        {
            return true;
        }

        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (!current.GetMembers(name).IsEmpty)
            {
                return true;
            }
        }

        for (INamespaceSymbol? ns = type.ContainingNamespace; ns is not null; ns = ns.ContainingNamespace)
        {
            if (ns.GetMembers(name).Any())
            {
                return true;
            }
        }

        int imported = 0;
        foreach (string importedNamespace in RuntimeNames.ImportedNamespaces.Concat(globalUsings.Namespaces).Distinct())
        {
            if (Namespace(compilation.GlobalNamespace, importedNamespace) is { } ns)
            {
                imported += ns.GetTypeMembers(name).Length;
            }
        }

        return imported > 1;
    }

    /// <summary>
    /// Types declared in the user's own project that take a name the generated code needs even fully qualified:
    /// a type named <c>System</c> or <c>RnnDsl</c> in the global namespace (it hides the namespace from
    /// <c>global::</c>), or a type with the full name of a runtime type (it takes that name's place).
    /// </summary>
    public static EquatableArray<string> HidingTypes(Compilation compilation)
    {
        var found = new List<string>();
        INamespaceSymbol global = compilation.Assembly.GlobalNamespace;
        foreach (string root in new[] { "System", "RnnDsl" })
        {
            if (global.GetTypeMembers(root).Length > 0)
            {
                found.Add(root + ": the " + root + " namespace");
            }
        }

        foreach ((string name, string ns) in RuntimeNames.Types)
        {
            if (Namespace(global, ns) is { } own && own.GetTypeMembers(name).Length > 0)
            {
                found.Add(ns + "." + name + ": RnnDsl's " + ns + "." + name);
            }
        }

        return found.ToEquatableArray();
    }

    /// <summary>The aliases and namespaces that the project's <c>global using</c> directives bring into every file.</summary>
    public static GlobalUsings GlobalUsingsOf(Compilation compilation, System.Threading.CancellationToken cancellationToken)
    {
        var aliases = new HashSet<string>(System.StringComparer.Ordinal);
        var namespaces = new List<string>();
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            if (tree.GetRoot(cancellationToken) is not CompilationUnitSyntax unit)
            {
                continue;
            }

            foreach (UsingDirectiveSyntax directive in unit.Usings)
            {
                if (directive.GlobalKeyword.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.None) || directive.Name is null)
                {
                    continue;
                }

                if (directive.Alias is not null)
                {
                    aliases.Add(directive.Alias.Name.Identifier.ValueText);
                }
                else if (directive.StaticKeyword.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.None))
                {
                    namespaces.Add(directive.Name.ToString().Replace("global::", string.Empty).Replace("@", string.Empty).Replace(" ", string.Empty));
                }
            }
        }

        return new GlobalUsings(aliases, namespaces);
    }

    private static INamespaceSymbol? Namespace(INamespaceSymbol global, string dotted)
    {
        INamespaceSymbol? current = global;
        foreach (string part in dotted.Split('.'))
        {
            current = current?.GetNamespaceMembers().FirstOrDefault(n => n.Name == part);
        }

        return current;
    }
}

/// <summary>The project's <c>global using</c> directives: alias names and imported namespaces.</summary>
internal sealed record GlobalUsings(HashSet<string> Aliases, List<string> Namespaces);
