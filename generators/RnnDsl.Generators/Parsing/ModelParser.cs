using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnDsl.Generators.Diagnostics;
using RnnDsl.Generators.Emit;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Parsing;

/// <summary>
/// Reads a model class's symbol and syntax into a <see cref="ModelDeclaration"/> of plain values.
/// All symbol work happens here, inside the transform; nothing it returns holds a symbol or node.
/// </summary>
internal static class ModelParser
{
    public static ModelDeclaration Parse(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        try
        {
            return ParseCore(type, compilation, cancellationToken);
        }
        catch (System.Exception exception) when (exception is not System.OperationCanceledException)
        {
            return new ModelDeclaration(NamespaceOf(type), type.Name, LocationInfo.From(type.Locations.FirstOrDefault()), EquatableArray<LayerDeclaration>.Empty)
            {
                Failure = exception.GetType().Name + ": " + exception.Message,
            };
        }
    }

    /// <summary>The declaration completed with what the whole project decides about names.</summary>
    public static ModelDeclaration InScope(ModelDeclaration declaration, GlobalScope scope) => declaration with
    {
        Names = RuntimeNames.Create(name => declaration.LocallyShadowed.Contains(name) || scope.Shadowed.Contains(name)),
        HidingTypes = scope.HidingTypes,
    };

    /// <summary>
    /// The type declarations of <paramref name="type"/> that carry a layer attribute, in a fixed order (file path,
    /// then position). The first is where the model's diagnostics about the class point, and it decides which
    /// pipeline owns the class.
    /// </summary>
    public static List<TypeDeclarationSyntax> LayerDeclarations(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var declarations = new List<TypeDeclarationSyntax>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (AttributeReaders.IsLayerAttribute(attribute.AttributeClass)
                && attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { Parent: AttributeListSyntax { Parent: TypeDeclarationSyntax declaration } }
                && !declarations.Contains(declaration))
            {
                declarations.Add(declaration);
            }
        }

        return declarations
            .OrderBy(d => d.SyntaxTree.FilePath, System.StringComparer.Ordinal)
            .ThenBy(d => d.SpanStart)
            .ToList();
    }

    /// <summary>The namespace by its names, without the <c>@</c> of a verbatim keyword (<c>class.Models</c>).</summary>
    private static string NamespaceOf(INamedTypeSymbol type) => string.Join(".", NamespaceParts(type));

    private static ModelDeclaration ParseCore(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        var lists = new Dictionary<AttributeListSyntax, List<(int Position, AttributeDeclaration Attribute)>>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax { Parent: AttributeListSyntax list } syntax
                || AttributeReaders.Read(attribute, LocationInfo.From(syntax.GetLocation())) is not { } declaration)
            {
                continue;
            }

            if (!lists.TryGetValue(list, out var members))
            {
                members = new List<(int, AttributeDeclaration)>();
                lists.Add(list, members);
            }

            members.Add((syntax.SpanStart, declaration));
        }

        // Each attribute list is one layer, in source order.
        EquatableArray<LayerDeclaration> layers = lists
            .OrderBy(entry => entry.Key.SyntaxTree.FilePath, System.StringComparer.Ordinal)
            .ThenBy(entry => entry.Key.SpanStart)
            .Select(entry => new LayerDeclaration(entry.Value.OrderBy(m => m.Position).Select(m => m.Attribute).ToEquatableArray()))
            .ToEquatableArray();

        var declarations = type.DeclaringSyntaxReferences
            .Select(reference => reference.GetSyntax(cancellationToken))
            .OfType<TypeDeclarationSyntax>()
            .ToList();
        bool isPartial = declarations.Count > 0 && declarations.All(d => d.Modifiers.Any(SyntaxKind.PartialKeyword));

        // Point class-level diagnostics at the identifier of the declaration that carries the layers.
        TypeDeclarationSyntax? primary = LayerDeclarations(type, cancellationToken).FirstOrDefault() ?? declarations.FirstOrDefault();
        var languageVersion = (primary?.SyntaxTree.Options as CSharpParseOptions)?.LanguageVersion ?? LanguageVersion.Latest;

        return new ModelDeclaration(NamespaceOf(type), type.Name, LocationInfo.From(primary?.Identifier.GetLocation()), layers)
        {
            NamespaceSyntax = string.Join(".", NamespaceParts(type).Select(Identifiers.Escape)),
            Shape = type.IsRecord ? TypeShape.Record : TypeShape.Class,
            IsPartial = isPartial,
            IsStatic = type.IsStatic,
            IsGeneric = type.IsGenericType,
            IsFileLocal = type.IsFileLocal,
            IsAbstract = type.IsAbstract,
            UserMembers = UserMembers(type),
            HasPrimaryConstructor = declarations.Any(d => d.ParameterList is not null),
            ContainingTypeName = type.ContainingType?.Name,
            LayersInSeveralParts = lists.Keys.Select(list => list.Parent).Distinct().Count() > 1,
            LanguageVersion = (int)languageVersion,
            LocallyShadowed = Names.LocallyShadowed(type, compilation),
        };
    }

    /// <summary>
    /// The names of the members the user declared in <paramref name="type"/> (not those this generator added, which an
    /// analyzer sees beside them) and the accessible members it inherits.
    /// </summary>
    private static EquatableArray<string> UserMembers(INamedTypeSymbol type)
    {
        var names = new SortedSet<string>(System.StringComparer.Ordinal);
        foreach (ISymbol member in type.GetMembers())
        {
            if (member.IsImplicitlyDeclared || member.DeclaringSyntaxReferences.All(r => IsGenerated(r.SyntaxTree)))
            {
                continue;
            }

            // A constructor clashes by its parameters: the generated ones are Model() and Model(int seed).
            names.Add(member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
                ? Members.Constructor(constructor.Parameters.Select(p => p.Type.ToDisplayString()))
                : member.Name);
        }

        for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null && baseType.SpecialType != SpecialType.System_Object; baseType = baseType.BaseType)
        {
            foreach (ISymbol member in baseType.GetMembers())
            {
                if (!member.IsImplicitlyDeclared && member.DeclaredAccessibility != Accessibility.Private)
                {
                    names.Add(member.Name);
                }
            }
        }

        return names.ToEquatableArray();
    }

    /// <summary>Whether a syntax tree is one this generator added (the compiler files them under the generator's name).</summary>
    public static bool IsGenerated(SyntaxTree tree) =>
        ("/" + tree.FilePath.Replace('\\', '/')).Contains("/" + typeof(RnnDslGenerator).FullName + "/");

    private static IEnumerable<string> NamespaceParts(INamedTypeSymbol type)
    {
        var parts = new Stack<string>();
        for (INamespaceSymbol? ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            parts.Push(ns.Name);
        }

        return parts;
    }
}
