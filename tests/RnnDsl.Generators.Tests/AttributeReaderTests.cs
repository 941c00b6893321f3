using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace RnnDsl.Generators.Tests;

/// <summary>The argument reader every attribute reader uses: by parameter or property name, with defaults, floats included.</summary>
public class AttributeReaderTests
{
    private static Parsing.AttributeReaders.Arguments Read(string usage)
    {
        var compilation = GeneratorHarness.Compilation(
            "using System;\n"
            + "public sealed class RateAttribute : Attribute\n{\n"
            + "    public RateAttribute(int units, float rate = 0.5f) { }\n"
            + "    public float RecurrentRate { get; set; }\n"
            + "    public bool Flag { get; set; }\n"
            + "}\n"
            + usage + "\npublic class C { }\n");
        AttributeData attribute = compilation.GetTypeByMetadataName("C")!.GetAttributes().Single();
        return Parsing.AttributeReaders.Arguments.Of(attribute);
    }

    [Fact]
    public void Reads_ints_floats_and_bools_by_name_with_defaults()
    {
        var arguments = Read("[Rate(8, 0.25f, RecurrentRate = 0.125f, Flag = true)]");
        Assert.Equal(8, arguments.Int("units"));
        Assert.Equal(0.25f, arguments.Float("rate"));
        Assert.Equal(0.125f, arguments.Float("RecurrentRate"));
        Assert.True(arguments.Bool("Flag"));

        var defaults = Read("[Rate(units: 3)]");
        Assert.Equal(3, defaults.Int("units"));
        Assert.Equal(0.5f, defaults.Float("rate")); // the constructor's default value
        Assert.Equal(0.75f, defaults.Float("RecurrentRate", 0.75f)); // not set: the caller's fallback
        Assert.False(defaults.Has("RecurrentRate"));
    }

    [Fact]
    public void An_int_literal_for_a_float_parameter_is_read_as_a_float() =>
        Assert.Equal(1f, Read("[Rate(2, 1)]").Float("rate"));
}
