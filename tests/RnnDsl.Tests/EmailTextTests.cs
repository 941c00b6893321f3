using System;
using System.Linq;
using System.Text;
using SpamFilter;
using Xunit;

namespace RnnDsl.Tests;

/// <summary>
/// samples/SpamFilter/EmailText.cs (compiled into this project): each extraction rule on a hand-written message, with
/// the exact text expected, and malformed messages that must still give text rather than an exception.
/// </summary>
public class EmailTextTests
{
    /// <summary>Extracts from a message written with "\n" line ends, and again with "\r\n": both must give the same text.</summary>
    private static string Extract(string message, int maxCharacters = EmailText.DefaultMaxCharacters)
    {
        string text = EmailText.Extract(message, maxCharacters);
        Assert.Equal(text, EmailText.Extract(message.Replace("\n", "\r\n", StringComparison.Ordinal), maxCharacters));
        return text;
    }

    // ---- Headers and Subject ---------------------------------------------------------------------------------------

    [Fact]
    public void Folded_subject_is_unfolded_and_other_headers_are_dropped()
    {
        const string message = """
            From: Alice <alice@example.com>
            Subject: Quarterly report
             for the
            	board
            To: bob@example.com

            Please see below.
            """;
        Assert.Equal("Quarterly report for the board\nPlease see below.", Extract(message));
    }

    [Fact]
    public void Mbox_envelope_line_is_skipped()
    {
        const string message = """
            From alice@example.com  Thu Aug 22 12:36:23 2002
            Subject: Hi

            Body
            """;
        Assert.Equal("Hi\nBody", Extract(message));
    }

    [Fact]
    public void Header_names_are_case_insensitive_and_the_first_subject_counts()
    {
        const string message = """
            SUBJECT : first
            Subject: second

            x
            """;
        Assert.Equal("first\nx", Extract(message));
    }

    [Theory]
    [InlineData("=?utf-8?B?w6ljb2xl?=", "école")] // B: base64 of the UTF-8 bytes
    [InlineData("=?UTF-8?b?w6ljb2xl?= r\u00E9sum\u00E9", "école r\u00E9sum\u00E9")] // raw 8-bit after it: not UTF-8, so windows-1252
    [InlineData("=?iso-8859-1?Q?Caf=E9_cr=E8me?=", "Café crème")] // Q: "_" is a space, =XX a byte
    [InlineData("Re: =?us-ascii?q?hello?= world", "Re: hello world")] // plain text around a word keeps its blanks
    [InlineData("=?utf-8?Q?=C3?=  \t =?utf-8?Q?=A9t=C3=A9?=", "été")] // blanks between words dropped; bytes joined across words
    [InlineData("=?iso-8859-1?Q?a?= =?utf-8?Q?b?=", "ab")] // different charsets: decoded apart, blanks still dropped
    [InlineData("=?windows-1252?Q?=93quoted=94?=", "\u201Cquoted\u201D")]
    [InlineData("=?iso-8859-15?Q?=A4100?=", "\u20AC100")] // Latin-9's euro sign
    [InlineData("=?x-unknown?Q?=E9=93?=", "\u00E9")] // unknown charset: Latin-1, whose U+0093 for 0x93 is a control, dropped
    [InlineData("=?utf-8*en?Q?lang?=", "lang")] // RFC 2231 language suffix ignored
    [InlineData("=?utf-8?B?not base64?= =?utf-8?X?x?=", "=?utf-8?B?not base64?= =?utf-8?X?x?=")] // not encoded-words: kept
    [InlineData("=?utf-8?B?w6l!ljb2xl?=", "=?utf-8?B?w6l!ljb2xl?=")] // invalid base64 in a B word: kept as it is
    public void Encoded_words_in_the_subject_are_decoded(string subject, string expected)
    {
        string text = Extract("Subject: " + subject + "\n\nbody\n");
        Assert.Equal(expected + "\nbody", text);
    }

    [Fact]
    public void Raw_utf8_subject_is_read_as_utf8()
    {
        byte[] message = Encoding.UTF8.GetBytes("Subject: Grüße\n\nHallo\n");
        Assert.Equal("Grüße\nHallo", EmailText.Extract(message));
    }

    [Fact]
    public void No_blank_line_after_the_headers_starts_the_body_at_the_first_non_header_line()
    {
        const string message = """
            Subject: Hi
            From: a@example.com
            This line is not a header field
            Second: line looks like one but the body has started
            """;
        Assert.Equal("Hi\nThis line is not a header field\nSecond: line looks like one but the body has started", Extract(message));
    }

    [Fact]
    public void Headers_only_message_has_an_empty_body()
    {
        Assert.Equal("Only a subject\n", Extract("Subject: Only a subject\nFrom: a@example.com"));
    }

    [Fact]
    public void Empty_or_null_input_gives_an_empty_subject_and_body()
    {
        Assert.Equal("\n", EmailText.Extract(""));
        Assert.Equal("\n", EmailText.Extract((string)null!));
        Assert.Equal("\n", EmailText.Extract(ReadOnlySpan<byte>.Empty));
        Assert.Equal("\n", EmailText.Extract("\n\n\n"));
    }

    [Fact]
    public void Text_without_any_header_is_all_body()
    {
        Assert.Equal("\nJust some text.\nSecond line.", Extract("Just some text.\nSecond line.\n"));
    }

    // ---- Multipart -------------------------------------------------------------------------------------------------

    [Fact]
    public void Multipart_alternative_prefers_text_plain()
    {
        const string message = """
            Subject: Offer
            MIME-Version: 1.0
            CONTENT-TYPE: Multipart/Alternative; BOUNDARY="b1"

            This is a multi-part message in MIME format.

            --b1
            Content-Type: text/plain; charset=us-ascii

            Plain version.
            --b1
            Content-Type: text/html; charset=us-ascii

            <p>HTML version.</p>
            --b1--
            epilogue is ignored
            """;
        Assert.Equal("Offer\nPlain version.", Extract(message));
    }

    [Fact]
    public void Blank_text_plain_alternative_falls_back_to_html()
    {
        const string message = """
            Subject: s
            Content-Type: multipart/alternative; boundary=xyz

            --xyz
            Content-Type: text/plain

               
            --xyz
            Content-Type: text/html

            <b>Only</b> the HTML has text
            --xyz--
            """;
        Assert.Equal("s\nOnly the HTML has text", Extract(message));
    }

    [Fact]
    public void Nested_multipart_reads_text_parts_in_order_and_skips_attachments()
    {
        const string message = """
            Subject: Nested
            Content-Type: multipart/mixed; boundary="outer"

            preamble is ignored
            --outer
            Content-Type: multipart/alternative; boundary="outer-inner"

            --outer-inner
            Content-Type: text/plain; charset="utf-8"

            First part.
            --outer-inner
            Content-Type: text/html; charset="utf-8"

            <p>First part as HTML.</p>
            --outer-inner--

            --outer
            Content-Type: text/plain; name="notes.txt"
            Content-Disposition: attachment; filename="notes.txt"

            attached text is skipped
            --outer
            Content-Type: image/png
            Content-Transfer-Encoding: base64

            iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
            --outer
            Content-Type: text/html

            <p>an HTML part is not read when there is text/plain</p>
            --outer

            Second inline part, no headers: text/plain by default.
            --outer--
            """;
        Assert.Equal("Nested\nFirst part.\n\nSecond inline part, no headers: text/plain by default.", Extract(message));
    }

    [Fact]
    public void Missing_closing_boundary_ends_the_last_part_at_the_end()
    {
        const string message = """
            Subject: Truncated
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain

            one
            --b
            Content-Type: text/plain

            two, cut off before the closing delimiter
            """;
        Assert.Equal("Truncated\none\n\ntwo, cut off before the closing delimiter", Extract(message));
    }

    [Fact]
    public void Multipart_without_boundary_parameter_is_read_as_plain_text()
    {
        const string message = """
            Subject: No boundary
            Content-Type: multipart/mixed

            --b
            Content-Type: text/plain

            hi
            --b--
            """;
        Assert.Equal("No boundary\n--b\nContent-Type: text/plain\n\nhi\n--b--", Extract(message));
    }

    [Fact]
    public void Multipart_whose_boundary_never_occurs_is_read_as_plain_text()
    {
        const string message = """
            Subject: Wrong boundary
            Content-Type: multipart/mixed; boundary="expected"

            --other
            hi
            """;
        Assert.Equal("Wrong boundary\n--other\nhi", Extract(message));
    }

    [Fact]
    public void A_longer_boundary_with_the_same_prefix_is_not_a_delimiter()
    {
        const string message = """
            Subject: s
            Content-Type: multipart/mixed; boundary="ab"

            --ab
            Content-Type: text/plain

            kept
            --abc
            still the same part
            --ab--
            """;
        Assert.Equal("s\nkept\n--abc\nstill the same part", Extract(message));
    }

    [Fact]
    public void Very_deep_nesting_stops_without_recursing_forever()
    {
        var message = new StringBuilder("Subject: deep\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n");
        const int levels = 500;
        for (int i = 1; i <= levels; i++)
        {
            message.Append($"--b{i - 1}\nContent-Type: multipart/mixed; boundary=\"b{i}\"\n\n");
        }

        message.Append($"--b{levels}\nContent-Type: text/plain\n\ntoo deep to read\n");
        Assert.Equal("deep\n", Extract(message.ToString()));
    }

    [Fact]
    public void Text_part_at_the_deepest_level_read_is_kept()
    {
        var message = new StringBuilder("Subject: deep\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n");
        for (int i = 1; i < EmailText.MaxDepth; i++)
        {
            message.Append($"--b{i - 1}\nContent-Type: multipart/mixed; boundary=\"b{i}\"\n\n");
        }

        message.Append($"--b{EmailText.MaxDepth - 1}\nContent-Type: text/plain\n\nread\n");
        Assert.Equal("deep\nread", Extract(message.ToString()));
    }

    // ---- Transfer encodings and charsets ---------------------------------------------------------------------------

    [Fact]
    public void Quoted_printable_soft_breaks_and_hex_escapes_are_decoded()
    {
        const string message = """
            Subject: QP
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: Quoted-Printable

            Caf=C3=A9 au l=
            ait, 1 + 1 =3D 2, a stray = stays=20
            and lower-case hex =c3=a9 works; soft break with trailing blanks =  
            here.
            """;
        Assert.Equal("QP\nCafé au lait, 1 + 1 = 2, a stray = stays\nand lower-case hex é works; soft break with trailing blanks here.", Extract(message));
    }

    [Fact]
    public void Base64_body_is_decoded_across_lines()
    {
        const string message = """
            Subject: B64
            Content-Type: text/plain; charset="UTF-8"
            Content-Transfer-Encoding: base64

            R3LDvMOfZSBhdXMgS8O2bG4NClp3
            ZWl0ZSBaZWlsZQ0K
            """;
        Assert.Equal("B64\nGrüße aus Köln\nZweite Zeile", Extract(message));
    }

    [Fact]
    public void Bad_base64_falls_back_to_plain_text_from_the_first_bad_line()
    {
        const string message = """
            Subject: Bad
            Content-Transfer-Encoding: base64

            SGVsbG8=
            This line is not base64!
            """;
        Assert.Equal("Bad\nHello\nThis line is not base64!", Extract(message));

        const string allBad = """
            Subject: All bad
            Content-Transfer-Encoding: base64

            *** not base64 at all ***
            """;
        Assert.Equal("All bad\n*** not base64 at all ***", Extract(allBad));
    }

    [Fact]
    public void Iso_8859_1_body_is_decoded_from_its_bytes()
    {
        // Bytes 0xE9 (é) and 0xFC (ü) in Latin-1, and 0x93/0x94, which mailers put into "iso-8859-1" text as windows-1252 quotes.
        byte[] message = Encoding.Latin1.GetBytes("Subject: Latin-1\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: 8bit\n\nD\u00E9j\u00E0 vu, gr\u00FC\u00DF, \u0093quoted\u0094\n");
        Assert.Equal("Latin-1\nDéjà vu, grüß, \u201Cquoted\u201D", EmailText.Extract(message));
        Assert.Equal("Latin-1\nDéjà vu, grüß, \u201Cquoted\u201D", EmailText.Extract(Encoding.Latin1.GetString(message)));
    }

    [Theory]
    [InlineData("utf-8", "\u00D0\u009F\u00D1\u0080\u00D0\u00B8", "\u041F\u0440\u0438")] // UTF-8 bytes of "При"
    [InlineData("utf-8", "caf\u00E9", "caf\u00E9")] // not valid UTF-8: windows-1252
    [InlineData(null, "\u00D0\u009F\u00D1\u0080\u00D0\u00B8", "\u041F\u0440\u0438")] // no charset, valid UTF-8: UTF-8
    [InlineData("us-ascii", "\u0093hi\u0094", "\u201Chi\u201D")] // us-ascii with 8-bit bytes that are not UTF-8: windows-1252
    [InlineData("windows-1252", "\u0080 \u0099", "\u20AC \u2122")]
    [InlineData("iso-8859-15", "\u00A4 \u00BD", "\u20AC \u0153")]
    [InlineData("koi8-r", "\u00F0\u00D2", "\u00F0\u00D2")] // not supported: Latin-1, one character per byte
    public void Body_charsets_are_decoded(string? charset, string octets, string expected)
    {
        string contentType = charset is null ? "" : $"Content-Type: text/plain; charset=\"{charset}\"\n";
        Assert.Equal("c\n" + expected, Extract("Subject: c\n" + contentType + "\n" + octets + "\n"));
    }

    [Fact]
    public void String_with_characters_above_latin1_is_read_as_utf8_text()
    {
        Assert.Equal("Ωmega\nПривет, мир", EmailText.Extract("Subject: Ωmega\nContent-Type: text/plain; charset=utf-8\n\nПривет, мир\n"));
    }

    // ---- HTML ------------------------------------------------------------------------------------------------------

    [Fact]
    public void Html_only_message_is_reduced_to_text()
    {
        const string message = """
            Subject: HTML
            Content-Type: text/html; charset=utf-8

            <!DOCTYPE html>
            <html><head><title>Page title</title>
            <style type="text/css">p { color: red; }</style>
            <script language="javascript">document.write("<b>not shown</b>");</script></head>
            <body><!-- a comment
            over lines --><p>Fish &amp; chips &lt;3 &euro;5, &#8364;6, &#x20AC;7 &amp &copy; &unknown; AT&T</p>
            <div>Line<br>two<BR/>three</div><table><tr><td>cell</td><td>cell</td></tr></table>
            <p>V<b>i</b>agra &nbsp; &#150; &#0; a < b &#
            </p>
            </body></html>
            """;
        string expected = "HTML\n"
            + "Fish & chips <3 €5, €6, €7 & © &unknown; AT&T\n"
            + "\n"
            + "Line\n"
            + "two\n"
            + "three\n"
            + "\n"
            + "cell cell\n"
            + "\n"
            + "Viagra \u2013 a < b &#";
        Assert.Equal(expected, Extract(message));
    }

    [Fact]
    public void Unclosed_script_hides_the_rest_and_a_tag_without_end_is_text()
    {
        Assert.Equal("s\nshown", Extract("Subject: s\nContent-Type: text/html\n\nshown<script>never shown"));
        Assert.Equal("s\nx <a href=\"unclosed", Extract("Subject: s\nContent-Type: text/html\n\nx <a href=\"unclosed"));
    }

    // ---- Whitespace and length -------------------------------------------------------------------------------------

    [Fact]
    public void Whitespace_is_normalised()
    {
        const string message = "Subject:   many\t\tspaces  \n\n\n\n  first \t line  \n\n\n\n\nsecond\u00A0line\u0001\n \t \n\n";
        Assert.Equal("many spaces\nfirst line\n\nsecond line", Extract(message));
    }

    [Fact]
    public void Text_is_cut_to_max_characters()
    {
        const string message = "Subject: Hello\n\nOne two three four five\n";
        Assert.Equal("Hello\nOne two three four five", Extract(message, 29));
        Assert.Equal("Hello\nOne two", Extract(message, 14)); // "Hello\nOne two " trimmed
        Assert.Equal("Hel\n", Extract(message, 4)); // the subject alone is cut; the newline stays
        Assert.Equal("\n", Extract(message, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmailText.Extract(message, 0));
    }

    [Fact]
    public void Cut_never_splits_a_surrogate_pair()
    {
        Assert.Equal("s\nab", Extract("Subject: s\nContent-Type: text/plain; charset=utf-8\n\nab\U0001F600cd\n", 5));
    }

    // ---- Robustness ------------------------------------------------------------------------------------------------

    /// <summary>Messages that exercise every path, as seeds for the mutations below.</summary>
    private static readonly string[] Seeds =
    [
        "Subject: =?utf-8?B?w6ljb2xl?= =?iso-8859-1?Q?Caf=E9?=\nContent-Type: multipart/mixed; boundary=\"o\"\n\n--o\nContent-Type: multipart/alternative; boundary=\"i\"\n\n--i\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nCaf=C3=A9 au l=\nait\n--i\nContent-Type: text/html\nContent-Transfer-Encoding: base64\n\nPGI+SGk8L2I+\n--i--\n--o\nContent-Type: text/plain\nContent-Disposition: attachment\n\nx\n--o--\n",
        "Subject: html\nContent-Type: text/html; charset=windows-1252\n\n<html><head><style>x</style><script>y</script></head><body><p>a &amp; b &#150; &#x41;</p><br><!-- c --></body></html>",
        "From x\nSubject: plain\n folded\n\nbody\n",
    ];

    [Fact]
    public void Malformed_mutations_of_messages_never_throw()
    {
        var random = new Random(20240611);
        for (int round = 0; round < 3000; round++)
        {
            char[] message = Seeds[round % Seeds.Length].ToCharArray();
            int edits = 1 + random.Next(6);
            for (int e = 0; e < edits && message.Length > 0; e++)
            {
                int at = random.Next(message.Length);
                message = random.Next(4) switch
                {
                    0 => message[..at], // truncated
                    1 => [.. message[..at], .. message[Math.Min(message.Length, at + 1 + random.Next(8))..]], // bytes lost
                    2 => [.. message[..at], .. "=?<>&#\n--\";-=\n"[random.Next(14)..], .. message[at..]], // syntax inserted
                    _ => [.. message[..at], (char)random.Next(256), .. message[at..]], // a random byte
                };
            }

            int cap = 1 + random.Next(200);
            string text = EmailText.Extract(new string(message), cap);
            Assert.True(text.Length <= cap && text.Contains('\n', StringComparison.Ordinal), $"round {round}: {text}");
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(7);
        for (int round = 0; round < 500; round++)
        {
            byte[] bytes = new byte[random.Next(400)];
            random.NextBytes(bytes);
            string text = EmailText.Extract(bytes);
            Assert.Contains('\n', text);
            Assert.DoesNotContain(text, c => char.IsControl(c) && c != '\n');
        }
    }

    [Fact]
    public void Pathological_inputs_are_read_in_about_linear_time()
    {
        const int n = 200_000;
        string[] messages =
        [
            "Subject: x\nContent-Type: text/html\n\n" + string.Concat(Enumerable.Repeat("<a", n)), // "<" with no ">" after it
            "Subject: x\nContent-Type: text/html\n\n" + string.Concat(Enumerable.Repeat("<!--<script>&#&amp", n)),
            "Subject: " + string.Concat(Enumerable.Repeat("=?a?q?", n)) + "\n\nbody", // "=?" with no "?=" after it
            "Subject: x\n" + string.Concat(Enumerable.Repeat(" folded\n", n)) + "\nbody", // many continuation lines
            "Subject: x\nContent-Transfer-Encoding: quoted-printable\n\n" + string.Concat(Enumerable.Repeat("= =\t=", n)),
        ];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (string message in messages)
        {
            Assert.Contains('\n', EmailText.Extract(message));
        }

        // Each is about 1 MB: linear work takes milliseconds, quadratic work minutes. The bound is loose for slow machines.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void Extraction_is_idempotent_on_its_own_body()
    {
        string first = Extract("Subject: s\n\n  a  \n\n\n b\n");
        Assert.Equal(first, Extract("Subject: s\n\n" + first.Split('\n', 2)[1]));
        Assert.True(first.Split('\n').All(line => line == line.Trim()));
    }
}
