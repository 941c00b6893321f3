using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text;

namespace RnnDsl;

/// <summary>
/// A <see cref="ModelCheckpoint"/> path filled in as Keras fills its <c>filepath</c>: Python's <c>str.format</c> with
/// <c>epoch</c> (from 1) and the epoch's logs (<c>_get_file_path</c> in <c>keras/src/callbacks/model_checkpoint.py</c>:
/// <c>self.filepath.format(epoch=epoch + 1, **logs)</c>), in a subset of Python's format syntax:
/// <c>{key}</c> (an epoch as a whole number, a logged value as Python's <c>str</c> of a float, such as <c>0.6931471824645996</c>
/// or <c>1e-05</c>), <c>{epoch:d}</c> and <c>{epoch:0Nd}</c> (zero-padded to N digits), <c>{key:.Nf}</c> (N decimals,
/// rounded half to even on the exact binary value, as Python rounds), and <c>{{</c> and <c>}}</c> for literal braces.
/// Anything else (other specs, conversions such as <c>!r</c>, attributes, indexes, positional or nested fields, an
/// unpaired brace) and any key this training does not log is refused when <c>Fit</c> starts.
/// </summary>
internal sealed class CheckpointPath
{
    /// <summary>A literal run (<see cref="Key"/> null) or a field: the key, and its spec kind (<c>'s'</c> plain, <c>'d'</c> or <c>'f'</c>) and number.</summary>
    private readonly record struct Part(string? Literal, string? Key, char Kind, int Number);

    private readonly Part[] _parts;

    private CheckpointPath(Part[] parts) => _parts = parts;

    /// <summary>
    /// Reads <paramref name="template"/>; <paramref name="keys"/> are the logged keys it may use besides <c>epoch</c>
    /// (every key this training logs is known before the first epoch, so all are checked here).
    /// </summary>
    /// <exception cref="ArgumentException">The path has syntax outside the subset, or a key that is not logged.</exception>
    public static CheckpointPath Parse(string template, IReadOnlyList<string> keys, string argumentName)
    {
        var parts = new List<Part>();
        var literal = new StringBuilder();
        ArgumentException Refuse(string what) => new($"ModelCheckpoint path '{template}' {what}", argumentName);

        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    literal.Append('}');
                    i++;
                    continue;
                }

                throw Refuse($"has a '}}' that is not doubled at position {i}; write '}}}}' for a literal brace (Python's str.format, which Keras uses, refuses it too).");
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                literal.Append('{');
                i++;
                continue;
            }

            int close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                throw Refuse($"has a '{{' that is not closed at position {i}; write '{{{{' for a literal brace.");
            }

            string field = template[(i + 1)..close];
            if (field.Contains('{', StringComparison.Ordinal))
            {
                throw Refuse($"has a field inside the field '{{{field}}}'; nested fields are not supported.");
            }

            if (literal.Length > 0)
            {
                parts.Add(new Part(literal.ToString(), null, '\0', 0));
                literal.Clear();
            }

            parts.Add(ParseField(field, keys, Refuse));
            i = close;
        }

        if (literal.Length > 0)
        {
            parts.Add(new Part(literal.ToString(), null, '\0', 0));
        }

        return new CheckpointPath(parts.ToArray());
    }

    private static Part ParseField(string field, IReadOnlyList<string> keys, Func<string, ArgumentException> refuse)
    {
        int bang = field.IndexOf('!', StringComparison.Ordinal);
        int colon = field.IndexOf(':', StringComparison.Ordinal);
        if (bang >= 0 && (colon < 0 || bang < colon))
        {
            throw refuse($"has '{{{field}}}', a conversion ('{field[bang..(colon < 0 ? field.Length : colon)]}'); conversions are not supported.");
        }

        string key = colon < 0 ? field : field[..colon];
        string spec = colon < 0 ? string.Empty : field[(colon + 1)..];
        if (key.Length == 0 || key.All(char.IsAsciiDigit))
        {
            throw refuse($"has '{{{field}}}', a positional field; name a key, such as {{epoch}} or {{val_loss:.4f}}.");
        }

        if (key.IndexOfAny(['.', '[']) >= 0)
        {
            throw refuse($"has '{{{field}}}': attributes and indexes ('{key}') are not supported; name the key alone.");
        }

        bool isEpoch = key == "epoch";
        if (!isEpoch && !keys.Contains(key))
        {
            throw refuse($"has '{{{field}}}', but this training does not log '{key}'; it can use epoch, {string.Join(", ", keys)}.");
        }

        if (spec.Length == 0)
        {
            return new Part(null, key, 's', 0);
        }

        if (spec[^1] == 'f' && spec.Length >= 3 && spec[0] == '.' && spec[1..^1].All(char.IsAsciiDigit) && int.TryParse(spec[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out int decimals) && decimals <= 50)
        {
            return new Part(null, key, 'f', decimals);
        }

        if (spec == "d" || (spec.Length >= 2 && spec[0] == '0' && spec[^1] == 'd' && spec[1..^1].All(char.IsAsciiDigit)))
        {
            if (!isEpoch)
            {
                throw refuse($"formats '{key}' with '{spec}', but '{key}' is a float and d takes a whole number (Python refuses it too); use .Nf, such as {{{key}:.4f}}.");
            }

            int width = spec.Length > 2 && int.TryParse(spec[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out int w) ? w : 0;
            return new Part(null, key, 'd', Math.Min(width, 50));
        }

        throw refuse(
            $"formats '{key}' with '{spec}', which is not supported; the specs it takes are a subset of Python's: d and 0Nd "
            + "(epoch only: zero-padded to N digits) and .Nf (N decimals), or none.");
    }

    /// <summary>The path for an epoch (from 1) and its logs, which hold every key the path was checked against.</summary>
    public string Format(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        var text = new StringBuilder();
        foreach (Part part in _parts)
        {
            if (part.Key is null)
            {
                text.Append(part.Literal);
                continue;
            }

            bool isEpoch = part.Key == "epoch";
            double value = isEpoch ? epoch : logs[part.Key];
            text.Append(part.Kind switch
            {
                'd' => epoch.ToString(CultureInfo.InvariantCulture).PadLeft(part.Number, '0'),
                'f' => FixedPoint(value, part.Number),
                _ => isEpoch ? epoch.ToString(CultureInfo.InvariantCulture) : PythonFloat(value),
            });
        }

        return text.ToString();
    }

    /// <summary>
    /// Python's <c>format(value, '.Nf')</c>: the exact binary value rounded half to even to <paramref name="decimals"/>
    /// places (so 0.125 is <c>0.12</c>), <c>nan</c>, <c>inf</c> and <c>-inf</c>, and a minus sign kept on a negative value
    /// that rounds to zero.
    /// </summary>
    internal static string FixedPoint(double value, int decimals)
    {
        if (!double.IsFinite(value))
        {
            return double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
        }

        long bits = BitConverter.DoubleToInt64Bits(value);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        if (exponent == 0)
        {
            exponent = 1; // subnormal
        }
        else
        {
            mantissa |= 1L << 52;
        }

        exponent -= 1075; // |value| = mantissa × 2^exponent
        BigInteger scaled = mantissa * BigInteger.Pow(10, decimals);
        BigInteger rounded;
        if (exponent >= 0)
        {
            rounded = scaled << exponent;
        }
        else
        {
            BigInteger divisor = BigInteger.One << -exponent;
            rounded = BigInteger.DivRem(scaled, divisor, out BigInteger remainder);
            int half = (remainder * 2).CompareTo(divisor);
            if (half > 0 || (half == 0 && !rounded.IsEven))
            {
                rounded++;
            }
        }

        string digits = rounded.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        string text = decimals == 0 ? digits : digits[..^decimals] + "." + digits[^decimals..];
        return bits < 0 ? "-" + text : text;
    }

    /// <summary>
    /// Python's <c>str</c> of a float (its <c>repr</c>): the shortest digits that read back as the same double, in
    /// positional form with at least one decimal (<c>1.0</c>, <c>0.0001</c>) unless the decimal exponent is below -4 or
    /// above 15, then as <c>1e-05</c> or <c>1.5e+16</c>.
    /// </summary>
    internal static string PythonFloat(double value)
    {
        if (!double.IsFinite(value))
        {
            return double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
        }

        string sign = BitConverter.DoubleToInt64Bits(value) < 0 ? "-" : string.Empty;
        if (value == 0)
        {
            return sign + "0.0";
        }

        // .NET's round-trip form has the same shortest digits; only the layout differs.
        string shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int e = shortest.IndexOf('E', StringComparison.Ordinal);
        string mantissa = e < 0 ? shortest : shortest[..e];
        int exponent = e < 0 ? 0 : int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int point = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = mantissa.Replace(".", string.Empty, StringComparison.Ordinal);

        // value = 0.d1d2… × 10^decimalPoint, with no leading or trailing zero digits.
        int decimalPoint = (point < 0 ? mantissa.Length : point) + exponent;
        int leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        decimalPoint -= leading;

        if (decimalPoint <= -4 || decimalPoint > 16)
        {
            int power = decimalPoint - 1;
            string fraction = digits.Length > 1 ? "." + digits[1..] : string.Empty;
            return $"{sign}{digits[0]}{fraction}e{(power < 0 ? '-' : '+')}{Math.Abs(power).ToString("00", CultureInfo.InvariantCulture)}";
        }

        if (decimalPoint <= 0)
        {
            return $"{sign}0.{new string('0', -decimalPoint)}{digits}";
        }

        return decimalPoint >= digits.Length
            ? $"{sign}{digits}{new string('0', decimalPoint - digits.Length)}.0"
            : $"{sign}{digits[..decimalPoint]}.{digits[decimalPoint..]}";
    }
}
