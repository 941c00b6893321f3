namespace RnnDsl.Generators.Helpers;

/// <summary>
/// Saturating arithmetic for sizes: a declaration may ask for any int, and a product of sizes must never
/// wrap around into a small or negative number that passes a bound check.
/// </summary>
internal static class Checked
{
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    public static long Multiply(long a, long b)
    {
        if (a == 0 || b == 0)
        {
            return 0;
        }

        return a > long.MaxValue / b ? long.MaxValue : a * b;
    }
}
