namespace RnnDsl.Generators;

/// <summary>Names of the tracked pipeline steps, so caching tests can ask about each one.</summary>
internal static class TrackingNames
{
    public const string Declarations = nameof(Declarations);
    public const string UniqueDeclarations = nameof(UniqueDeclarations);
    public const string Results = nameof(Results);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Specs = nameof(Specs);
}
