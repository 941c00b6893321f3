using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Parsing;

/// <summary>
/// What the names the generated code uses briefly (<c>Span</c>, <c>LinearAlgebra</c>, <c>nameof</c>) would bind to in
/// the user's compilation. A name is written fully qualified where anything could capture it: something of that
/// name in scope of the model class (its own name, its members, its base types' members, a type or namespace of
/// that name in an enclosing namespace, from this project or a referenced one), or, project-wide, a global using
/// alias of that name or a second type of that name among the namespaces and types the file imports.
/// </summary>
internal static class Names
{
    /// <summary>Every brief name the generated code uses.</summary>
    private static IEnumerable<string> Candidates => RuntimeNames.Types.Select(t => t.Name).Append("nameof");

    /// <summary>The candidates that something in scope of <paramref name="type"/> would capture.</summary>
    public static EquatableArray<string> LocallyShadowed(INamedTypeSymbol type, Compilation compilation) =>
        Candidates.Where(name => IsShadowedAt(type, compilation, name)).OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray();

    private static bool IsShadowedAt(INamedTypeSymbol type, Compilation compilation, string name)
    {
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

        // The merged namespaces: types of referenced assemblies in the same namespaces count as much as the project's.
        for (INamespaceSymbol? ns = type.ContainingNamespace; ns is not null; ns = ns.ContainingNamespace)
        {
            INamespaceSymbol merged = compilation.GetCompilationNamespace(ns) ?? ns;
            if (merged.GetMembers(name).Any())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What the whole project decides about names, computed once per compilation.</summary>
    public static GlobalScope GlobalScopeOf(Compilation compilation, CancellationToken cancellationToken)
    {
        var aliases = new HashSet<string>(System.StringComparer.Ordinal);
        var namespaces = new List<INamespaceSymbol>();
        var staticImports = new List<INamedTypeSymbol>();
        foreach (string imported in RuntimeNames.ImportedNamespaces)
        {
            if (Namespace(compilation.GlobalNamespace, imported) is { } ns)
            {
                namespaces.Add(ns);
            }
        }

        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (tree.GetRoot(cancellationToken) is not CompilationUnitSyntax unit)
            {
                continue;
            }

            foreach (UsingDirectiveSyntax directive in unit.Usings)
            {
                if (directive.GlobalKeyword.IsKind(SyntaxKind.None) || directive.Name is null)
                {
                    continue;
                }

                string dotted = directive.Name.ToString().Replace("global::", string.Empty).Replace("@", string.Empty).Replace(" ", string.Empty);
                if (directive.Alias is not null)
                {
                    aliases.Add(directive.Alias.Name.Identifier.ValueText);
                }
                else if (!directive.StaticKeyword.IsKind(SyntaxKind.None))
                {
                    if (compilation.GetTypeByMetadataName(dotted) is { } imported)
                    {
                        staticImports.Add(imported);
                    }
                }
                else if (Namespace(compilation.GlobalNamespace, dotted) is { } ns && !namespaces.Contains(ns))
                {
                    namespaces.Add(ns);
                }
            }
        }

        var shadowed = new List<string>();
        foreach (string name in Candidates)
        {
            int found = namespaces.Sum(ns => ns.GetTypeMembers(name).Length) + staticImports.Sum(t => t.GetMembers(name).Length);
            bool runtimeType = name != "nameof";
            if (aliases.Contains(name) || found > (runtimeType ? 1 : 0))
            {
                shadowed.Add(name);
            }
        }

        return new GlobalScope(shadowed.OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray(), HidingTypes(compilation));
    }

    /// <summary>
    /// Types declared in the user's own project that take a name the generated code needs even fully qualified:
    /// a type named <c>System</c> or <c>RnnDsl</c> in the global namespace (it hides the namespace from
    /// <c>global::</c>), or a type with the full name of a runtime type (it takes that name's place).
    /// </summary>
    private static EquatableArray<string> HidingTypes(Compilation compilation)
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

/// <summary>
/// The project-wide part of naming, the same for every model: runtime names that global usings capture, and
/// project types that hide a name the generated code needs. Plain values, computed once per compilation.
/// </summary>
internal sealed record GlobalScope(EquatableArray<string> Shadowed, EquatableArray<string> HidingTypes);
