using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnDsl.Generators.Diagnostics;
using RnnDsl.Generators.Helpers;
using RnnDsl.Generators.Model;

namespace RnnDsl.Generators.Parsing;

/// <summary>
/// Reads a model class's symbol and syntax into a <see cref="ModelDeclaration"/> of plain values.
/// All symbol work happens here, inside the transform; nothing it returns holds a symbol or node.
/// </summary>
internal static class ModelParser
{
    public const string AttributeNamespace = "RnnDsl";

    /// <summary>The full metadata names of the layer attributes the pipeline starts from.</summary>
    public static readonly string[] AttributeMetadataNames =
    {
        "RnnDsl.EmbeddingAttribute",
        "RnnDsl.InputAttribute",
        "RnnDsl.SimpleRnnAttribute",
        "RnnDsl.BidirectionalAttribute",
        "RnnDsl.DenseAttribute",
    };

    public static ModelDeclaration Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        try
        {
            return ParseCore(type, cancellationToken);
        }
        catch (System.Exception exception) when (exception is not System.OperationCanceledException)
        {
            return new ModelDeclaration(
                type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : string.Empty,
                type.Name,
                LocationInfo.From(type.Locations.FirstOrDefault()),
                IsPartial: true,
                IsStatic: false,
                IsGeneric: false,
                ContainingTypeName: null,
                LayersInSeveralParts: false,
                EquatableArray<LayerDeclaration>.Empty)
            {
                Failure = exception.GetType().Name + ": " + exception.Message,
            };
        }
    }

    private static ModelDeclaration ParseCore(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var lists = new Dictionary<AttributeListSyntax, List<(int Position, AttributeDeclaration Attribute)>>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ReadAttribute(attribute, cancellationToken) is not { } declaration
                || attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax { Parent: AttributeListSyntax list } syntax)
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

        bool layersInSeveralParts = lists.Keys.Select(list => list.Parent).Distinct().Count() > 1;

        var declarations = type.DeclaringSyntaxReferences
            .Select(reference => reference.GetSyntax(cancellationToken))
            .OfType<TypeDeclarationSyntax>()
            .ToList();
        bool isPartial = declarations.Count > 0 && declarations.All(d => d.Modifiers.Any(SyntaxKind.PartialKeyword));

        // Point class-level diagnostics at the identifier of the declaration that carries the layers.
        TypeDeclarationSyntax? primary = lists.Keys.Select(list => list.Parent).OfType<TypeDeclarationSyntax>().FirstOrDefault()
            ?? declarations.FirstOrDefault();

        return new ModelDeclaration(
            Namespace: type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : string.Empty,
            ClassName: type.Name,
            ClassLocation: LocationInfo.From(primary?.Identifier.GetLocation()),
            IsPartial: isPartial,
            IsStatic: type.IsStatic,
            IsGeneric: type.IsGenericType,
            ContainingTypeName: type.ContainingType?.Name,
            LayersInSeveralParts: layersInSeveralParts,
            Layers: layers)
        {
            ShadowedNames = Emit.NameQualifier.Shadowed(name => IsShadowed(type, name)),
        };
    }

    /// <summary>
    /// Whether <paramref name="name"/>, used in the generated class, would bind to something other than the
    /// runtime type imported by a using directive: the class itself, its members and base types' members,
    /// or a type or namespace declared in any enclosing namespace up to the global one.
    /// </summary>
    private static bool IsShadowed(INamedTypeSymbol type, string name)
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

        for (INamespaceSymbol? ns = type.ContainingNamespace; ns is not null; ns = ns.ContainingNamespace)
        {
            if (ns.GetMembers(name).Any())
            {
                return true;
            }
        }

        return false;
    }

    private static AttributeDeclaration? ReadAttribute(AttributeData attribute, CancellationToken cancellationToken)
    {
        INamedTypeSymbol? attributeClass = attribute.AttributeClass;
        if (attributeClass is null
            || attribute.AttributeConstructor is null // the compiler already reports a bad attribute
            || attributeClass.ContainingNamespace?.ToDisplayString() != AttributeNamespace)
        {
            return null;
        }

        AttributeKind? kind = attributeClass.Name switch
        {
            "EmbeddingAttribute" => AttributeKind.Embedding,
            "InputAttribute" => AttributeKind.Input,
            "SimpleRnnAttribute" => AttributeKind.SimpleRnn,
            "BidirectionalAttribute" => AttributeKind.Bidirectional,
            "DenseAttribute" => AttributeKind.Dense,
            _ => null,
        };
        if (kind is null)
        {
            return null;
        }

        Location? location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();
        var declaration = new AttributeDeclaration(kind.Value, LocationInfo.From(location))
        {
            Activation = kind == AttributeKind.SimpleRnn ? (int)ActivationKind.Tanh : (int)ActivationKind.Linear,
        };

        var parameters = attribute.AttributeConstructor.Parameters;
        for (int i = 0; i < parameters.Length && i < attribute.ConstructorArguments.Length; i++)
        {
            declaration = Apply(declaration, parameters[i].Name, attribute.ConstructorArguments[i]);
        }

        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            declaration = Apply(declaration, named.Key, named.Value);
        }

        return declaration;
    }

    /// <summary>Stores one constructor or named argument, by its parameter or property name.</summary>
    private static AttributeDeclaration Apply(AttributeDeclaration declaration, string name, TypedConstant value)
    {
        if (value.Kind == TypedConstantKind.Error || value.Value is null)
        {
            return declaration;
        }

        int number = value.Value is int i ? i : 0;
        bool flag = value.Value is bool b && b;
        return name switch
        {
            "inputDim" or "units" => declaration with { First = number },
            "timesteps" => declaration with { First = number, HasTimesteps = true },
            "outputDim" or "features" => declaration with { Second = number },
            "activation" => declaration with { Activation = number },
            "mergeMode" => declaration with { MergeMode = number },
            "MaskZero" => declaration with { MaskZero = flag },
            "InputLength" => declaration with { InputLength = number },
            "ReturnSequences" => declaration with { ReturnSequences = flag },
            "GoBackwards" => declaration with { GoBackwards = flag },
            _ => declaration,
        };
    }
}
