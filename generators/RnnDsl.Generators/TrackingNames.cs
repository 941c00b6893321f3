namespace RnnDsl.Generators;

/// <summary>Names of the tracked pipeline steps, so caching tests can ask about each one.</summary>
internal static class TrackingNames
{
    public const string Scope = nameof(Scope);
    public const string Declarations = nameof(Declarations);
    public const string Specs = nameof(Specs);
    public const string ModelNames = nameof(ModelNames);
    public const string Outputs = nameof(Outputs);
}
