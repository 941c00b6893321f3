using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using RnnDsl.Generators.Helpers;

namespace RnnDsl.Generators.Diagnostics;

/// <summary>Where a diagnostic points, as plain values (no <see cref="Location"/> kept in the pipeline).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null)
        {
            return null;
        }

        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }
}

/// <summary>A diagnostic to report, carried through the pipeline as equatable data.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments) =>
        new(descriptor.Id, location, arguments.Select(a => a?.ToString() ?? string.Empty).ToEquatableArray());

    /// <summary>The diagnostic, at a location in <paramref name="compilation"/>'s syntax tree of that file, so pragmas apply to it.</summary>
    public Diagnostic ToDiagnostic(Compilation compilation)
    {
        Microsoft.CodeAnalysis.Location location = Microsoft.CodeAnalysis.Location.None;
        if (Location is { } at)
        {
            SyntaxTree? tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == at.FilePath);
            location = tree is not null && at.Span.End <= tree.Length ? Microsoft.CodeAnalysis.Location.Create(tree, at.Span) : at.ToLocation();
        }

        return Diagnostic.Create(DiagnosticDescriptors.ById(Id), location, Arguments.ToArray<object>());
    }
}
