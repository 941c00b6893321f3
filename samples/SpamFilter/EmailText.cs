using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Unicode;

namespace SpamFilter;

/// <summary>
/// The text a spam filter reads from one raw e-mail message (RFC 5322 with MIME): the decoded Subject, a newline, and
/// the decoded body text. The same code prepares the SpamAssassin corpus (Prepare/) and reads a .eml at run time, so
/// it uses nothing but the BCL, no reflection, and never throws on a malformed message: whatever it cannot parse as
/// MIME it reads as plain text.
/// </summary>
/// <remarks>
/// The rules, in the order they apply:
/// <list type="number">
/// <item>Bytes. The message is read as bytes (one char per byte internally, as Latin-1 does); CRLF and lone CR
/// become LF. A first line "From ..." (an mbox envelope line) is skipped.</item>
/// <item>Headers. They end at the first blank line, or at the first line that is neither a "Name: value" field nor
/// a continuation (a line starting with a space or tab); that line then starts the body. Folded headers are
/// unfolded. Only Subject (the first one) is kept; its RFC 2047 encoded-words (=?charset?B|Q?...?=) are decoded,
/// adjacent ones with the same charset as one byte run, and the blanks between two encoded-words are dropped.
/// Unencoded 8-bit header bytes are UTF-8 if they are valid UTF-8, otherwise windows-1252.</item>
/// <item>Structure. A multipart/* entity with a boundary parameter is split at its delimiter lines
/// ("--boundary", closed by "--boundary--"), recursively up to <see cref="MaxDepth"/> levels; the preamble and
/// epilogue are ignored, a missing closing delimiter ends the last part at the end of the message, and a multipart
/// entity without a boundary, or whose boundary never occurs, is read as text/plain. A part without Content-Type
/// is text/plain (message/rfc822 inside multipart/digest).</item>
/// <item>Which parts. Only text/plain and text/html parts that are not "Content-Disposition: attachment" are read;
/// every other part (images, applications, message/rfc822, text/enriched, ...) is skipped. If any text/plain part
/// has non-blank text, the body is all text/plain parts in order; otherwise it is all text/html parts, each reduced
/// to text (see <see cref="HtmlToText"/>).</item>
/// <item>Transfer encoding. quoted-printable (soft line breaks, =XX; an "=" that starts neither is kept) and base64
/// (whitespace skipped; from the first line that is not base64, the rest of the part is read as plain text) are
/// decoded; anything else (7bit, 8bit, binary, unknown) is taken as it is.</item>
/// <item>Charset. utf-8, us-ascii and a missing charset: UTF-8 if the bytes are valid UTF-8 (8-bit bytes cannot be
/// ASCII), otherwise windows-1252. iso-8859-1 and windows-1252: windows-1252 (the WHATWG Encoding Standard's reading
/// of the Latin-1 label, so the "smart quotes" that mailers put into Latin-1 text come out right). iso-8859-15. Any
/// other charset (big5, gb2312, koi8-r, ...) falls back to Latin-1, which keeps every byte as one character.</item>
/// <item>Whitespace. Control characters other than line breaks, and U+FEFF, are dropped; every other whitespace
/// character is a space; runs of spaces become one; lines are trimmed; there is at most one blank line in a row
/// and none at the start or end of the body. The Subject becomes one line.</item>
/// <item>Length. The result, subject and newline included, is cut to maxCharacters (never inside a surrogate
/// pair) and trimmed at the end; the newline after the subject is always there.</item>
/// </list>
/// </remarks>
public static class EmailText
{
    /// <summary>
    /// The default cap on the extracted text: 2,000 characters, the subject and the first ~300 words of the body.
    /// That is enough text for a classifier to tell spam from ham and keeps the prepared corpus small.
    /// </summary>
    public const int DefaultMaxCharacters = 2000;

    /// <summary>How deeply multipart entities may nest; parts below that are skipped.</summary>
    public const int MaxDepth = 10;

    /// <summary>
    /// The text of a raw message held in a string. Each character is taken as one byte of the message when all of
    /// them are at most U+00FF (a message read with <see cref="Encoding.Latin1"/>, which keeps every byte); a string
    /// with any character above U+00FF is taken as already-decoded text and read as its UTF-8 bytes. To read a file
    /// or standard input, prefer the byte overload.
    /// </summary>
    /// <returns>"subject\nbody", at most <paramref name="maxCharacters"/> characters.</returns>
    public static string Extract(string rawMessage, int maxCharacters = DefaultMaxCharacters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCharacters, 1);
        rawMessage ??= "";
        foreach (char c in rawMessage)
        {
            if (c > '\u00FF')
            {
                return Extract(Encoding.UTF8.GetBytes(rawMessage), maxCharacters);
            }
        }

        return ExtractFromOctets(rawMessage, maxCharacters);
    }

    /// <summary>The text of a raw message given as its bytes (a .eml file, standard input).</summary>
    /// <returns>"subject\nbody", at most <paramref name="maxCharacters"/> characters.</returns>
    public static string Extract(ReadOnlySpan<byte> rawMessage, int maxCharacters = DefaultMaxCharacters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCharacters, 1);
        return ExtractFromOctets(Encoding.Latin1.GetString(rawMessage), maxCharacters);
    }

    // ---- The message ----------------------------------------------------------------------------------------------

    /// <summary>
    /// The work behind both overloads. "Octets" here and below is a string with one char (U+0000-U+00FF) per byte of
    /// the message: parsing works on characters, and each text part is turned back into bytes to decode its charset.
    /// </summary>
    private static string ExtractFromOctets(string octets, int maxCharacters)
    {
        octets = octets.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        Entity message = Entity.Parse(octets, isMessage: true);

        string subject = NormalizeWhitespace(DecodeHeaderValue(message.Header("Subject") ?? ""), singleLine: true);

        var parts = new List<TextPart>();
        CollectTextParts(message, "text/plain", depth: 0, parts);
        string body = NormalizeWhitespace(BodyText(parts), singleLine: false);

        subject = Cut(subject, maxCharacters - 1);
        body = Cut(body, maxCharacters - 1 - subject.Length);
        return subject + "\n" + body;
    }

    /// <summary>One decoded text part, before whitespace normalisation.</summary>
    private readonly record struct TextPart(bool IsHtml, string Text);

    /// <summary>
    /// The readable parts of an entity, in order: text/plain and text/html parts that are not attachments, found by
    /// walking multipart entities depth first.
    /// </summary>
    private static void CollectTextParts(Entity entity, string defaultType, int depth, List<TextPart> parts)
    {
        ContentType type = ContentType.Parse(entity.Header("Content-Type"), defaultType);
        string transferEncoding = FirstToken(entity.Header("Content-Transfer-Encoding"));

        if (type.MediaType.StartsWith("multipart/", StringComparison.Ordinal))
        {
            List<string>? bodies = type.Boundary is { Length: > 0 } boundary ? SplitMultipart(entity.Body, boundary) : null;
            if (bodies is null)
            {
                // No boundary, or no delimiter line with it: the rest of the message is plain text.
                parts.Add(new TextPart(false, DecodeBody(entity.Body, transferEncoding, type.Charset)));
                return;
            }

            if (depth >= MaxDepth)
            {
                return;
            }

            string childDefault = type.MediaType == "multipart/digest" ? "message/rfc822" : "text/plain";
            foreach (string body in bodies)
            {
                CollectTextParts(Entity.Parse(body, isMessage: false), childDefault, depth + 1, parts);
            }

            return;
        }

        bool isPlain = type.MediaType == "text/plain";
        bool isHtml = type.MediaType == "text/html";
        if ((isPlain || isHtml) && FirstToken(entity.Header("Content-Disposition")) != "attachment")
        {
            parts.Add(new TextPart(isHtml, DecodeBody(entity.Body, transferEncoding, type.Charset)));
        }
    }

    /// <summary>The body: the text/plain parts if any has non-blank text, otherwise the text/html parts as text.</summary>
    private static string BodyText(List<TextPart> parts)
    {
        bool anyPlain = parts.Exists(part => !part.IsHtml && !string.IsNullOrWhiteSpace(part.Text));
        var body = new StringBuilder();
        foreach (TextPart part in parts)
        {
            if (part.IsHtml != anyPlain)
            {
                body.Append(part.IsHtml ? HtmlToText(part.Text) : part.Text).Append("\n\n");
            }
        }

        return body.ToString();
    }

    /// <summary>
    /// The bodies of a multipart entity's parts: the text between delimiter lines "--boundary" (anything after the
    /// boundary on that line must be blank) up to the closing "--boundary--". The line break before a delimiter
    /// belongs to the delimiter. Null if no delimiter line occurs; a missing closing delimiter ends the last part at
    /// the end of the text.
    /// </summary>
    private static List<string>? SplitMultipart(string body, string boundary)
    {
        string delimiter = "--" + boundary;
        var bodies = new List<string>();
        bool found = false;
        int partStart = -1; // -1: in the preamble, or after the closing delimiter
        int lineStart = 0;
        while (lineStart < body.Length)
        {
            int lineEnd = body.IndexOf('\n', lineStart);
            if (lineEnd < 0)
            {
                lineEnd = body.Length;
            }

            ReadOnlySpan<char> line = body.AsSpan(lineStart, lineEnd - lineStart);
            if (line.StartsWith(delimiter, StringComparison.Ordinal))
            {
                ReadOnlySpan<char> after = line[delimiter.Length..];
                bool closing = after.StartsWith("--", StringComparison.Ordinal);
                if (closing || after.IsWhiteSpace())
                {
                    if (partStart >= 0)
                    {
                        bodies.Add(body[partStart..Math.Max(partStart, lineStart - 1)]);
                    }

                    found = true;
                    partStart = -1;
                    if (closing)
                    {
                        break;
                    }

                    partStart = Math.Min(lineEnd + 1, body.Length);
                }
            }

            lineStart = lineEnd + 1;
        }

        if (partStart >= 0)
        {
            bodies.Add(body[partStart..]);
        }

        return found ? bodies : null;
    }

    // ---- Headers ---------------------------------------------------------------------------------------------------

    /// <summary>A message or body part: its unfolded header fields and its body, both as octets.</summary>
    private sealed class Entity
    {
        private readonly List<KeyValuePair<string, string>> headers;

        private Entity(List<KeyValuePair<string, string>> headers, string body)
        {
            this.headers = headers;
            Body = body;
        }

        public string Body { get; }

        /// <summary>The value of the first header field of that name (case-insensitive), or null.</summary>
        public string? Header(string name)
        {
            foreach (KeyValuePair<string, string> field in headers)
            {
                if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return field.Value;
                }
            }

            return null;
        }

        /// <summary>
        /// Splits an entity into header fields and body. The header section ends at the first blank line (which is
        /// dropped) or at the first line that is neither a field nor a continuation line (which starts the body).
        /// A continuation line is unfolded into the field before it: only the line break is removed.
        /// </summary>
        public static Entity Parse(string octets, bool isMessage)
        {
            var headers = new List<KeyValuePair<string, string>>();
            string? name = null; // the field being read, whose value may go on in continuation lines
            var value = new StringBuilder();
            int position = 0;
            if (isMessage && octets.StartsWith("From ", StringComparison.Ordinal))
            {
                position = NextLine(octets, 0); // the mbox envelope line, not a header field
            }

            while (position < octets.Length)
            {
                int lineEnd = LineEnd(octets, position);
                ReadOnlySpan<char> line = octets.AsSpan(position, lineEnd - position);
                if (line.IsWhiteSpace())
                {
                    position = NextLine(octets, position);
                    break;
                }

                if (line[0] is ' ' or '\t' && name is not null)
                {
                    value.Append(line);
                }
                else if (FieldNameEnd(line) is int colon and >= 0)
                {
                    AddField();
                    name = line[..colon].TrimEnd(" \t").ToString();
                    value.Clear().Append(line[(colon + 1)..]);
                }
                else
                {
                    break; // no blank line after the headers: this line is the first of the body
                }

                position = NextLine(octets, position);
            }

            AddField();
            return new Entity(headers, octets[position..]);

            void AddField()
            {
                if (name is not null)
                {
                    headers.Add(new(name, value.ToString()));
                }
            }
        }

        /// <summary>
        /// Where the colon of a "Name: value" line is: the name is one or more printable ASCII characters other than
        /// the colon, optionally followed by blanks. -1 if the line is not a header field.
        /// </summary>
        private static int FieldNameEnd(ReadOnlySpan<char> line)
        {
            int i = 0;
            while (i < line.Length && line[i] is > ' ' and <= '~' and not ':')
            {
                i++;
            }

            if (i == 0)
            {
                return -1;
            }

            while (i < line.Length && line[i] is ' ' or '\t')
            {
                i++;
            }

            return i < line.Length && line[i] == ':' ? i : -1;
        }

        private static int LineEnd(string text, int start)
        {
            int end = text.IndexOf('\n', start);
            return end < 0 ? text.Length : end;
        }

        private static int NextLine(string text, int start) => Math.Min(LineEnd(text, start) + 1, text.Length);
    }

    /// <summary>The media type (lowercase "type/subtype") of a Content-Type field and the parameters the reader uses.</summary>
    private sealed class ContentType
    {
        private ContentType(string mediaType, string? boundary, string? charset)
        {
            MediaType = mediaType;
            Boundary = boundary;
            Charset = charset;
        }

        public string MediaType { get; }

        public string? Boundary { get; }

        public string? Charset { get; }

        /// <summary>
        /// Parses "type/subtype; name=value; name="quoted value"". A missing field gives the default type; a type
        /// without "/" (garbage) is text/plain, as RFC 2045 says for an invalid Content-Type. Parameters may be
        /// separated by ";" or, leniently, by blanks alone.
        /// </summary>
        public static ContentType Parse(string? value, string defaultType)
        {
            if (value is null)
            {
                return new ContentType(defaultType, null, null);
            }

            int i = 0;
            SkipSeparators(value, ref i, alsoSemicolons: false);
            int start = i;
            while (i < value.Length && value[i] is not (';' or ' ' or '\t'))
            {
                i++;
            }

            string mediaType = value[start..i].ToLowerInvariant();
            if (mediaType.IndexOf('/', StringComparison.Ordinal) <= 0 || mediaType.EndsWith('/'))
            {
                mediaType = "text/plain";
            }

            string? boundary = null;
            string? charset = null;
            while (i < value.Length)
            {
                SkipSeparators(value, ref i, alsoSemicolons: true);
                (string name, string parameter) = ReadParameter(value, ref i);
                if (name.Equals("boundary", StringComparison.OrdinalIgnoreCase))
                {
                    boundary ??= parameter;
                }
                else if (name.Equals("charset", StringComparison.OrdinalIgnoreCase))
                {
                    charset ??= parameter;
                }
            }

            return new ContentType(mediaType, boundary, charset);
        }

        /// <summary>Reads name=value (value a token or a quoted string with backslash escapes) and moves past it.</summary>
        private static (string Name, string Value) ReadParameter(string text, ref int i)
        {
            int start = i;
            while (i < text.Length && text[i] is not ('=' or ';' or ' ' or '\t'))
            {
                i++;
            }

            string name = text[start..i];
            SkipSeparators(text, ref i, alsoSemicolons: false);
            if (i >= text.Length || text[i] != '=')
            {
                if (i < text.Length && text[i] != ';')
                {
                    i++; // a stray character: step over it so the caller's loop always advances
                }

                return (name, "");
            }

            i++;
            SkipSeparators(text, ref i, alsoSemicolons: false);
            var parameter = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    parameter.Append(text[i]);
                }

                i = Math.Min(i + 1, text.Length); // past the closing quote, if there is one
            }
            else
            {
                for (; i < text.Length && text[i] is not (';' or ' ' or '\t'); i++)
                {
                    parameter.Append(text[i]);
                }
            }

            return (name, parameter.ToString());
        }

        private static void SkipSeparators(string text, ref int i, bool alsoSemicolons)
        {
            while (i < text.Length && (text[i] is ' ' or '\t' || (alsoSemicolons && text[i] == ';')))
            {
                i++;
            }
        }
    }

    /// <summary>The first token of a field such as Content-Transfer-Encoding or Content-Disposition, lowercase.</summary>
    private static string FirstToken(string? value)
    {
        if (value is null)
        {
            return "";
        }

        ReadOnlySpan<char> token = value.AsSpan().Trim();
        int end = token.IndexOfAny(';', ' ', '\t');
        return (end < 0 ? token : token[..end]).ToString().ToLowerInvariant();
    }

    /// <summary>
    /// An unstructured header value (the Subject) as text: RFC 2047 encoded-words "=?charset?B?...?=" and
    /// "=?charset?Q?...?=" decoded. Blanks between two encoded-words are dropped, and adjacent words in the same
    /// charset are decoded as one run of bytes (mailers split multi-byte characters across words). Text that is not
    /// an encoded-word is read as raw 8-bit text.
    /// </summary>
    private static string DecodeHeaderValue(string octets)
    {
        var text = new StringBuilder();
        var pending = new List<byte>(); // bytes of adjacent encoded-words in one charset, not yet decoded
        string? pendingCharset = null;
        bool afterWord = false;
        int plainStart = 0;
        int i = 0;
        while ((i = octets.IndexOf("=?", i, StringComparison.Ordinal)) >= 0)
        {
            if (!TryParseEncodedWord(octets, i, out int end, out string charset, out byte[] bytes))
            {
                i += 2;
                continue;
            }

            ReadOnlySpan<char> between = octets.AsSpan(plainStart, i - plainStart);
            if (!afterWord || !between.IsWhiteSpace() || charset != pendingCharset)
            {
                text.Append(DecodeCharset(pending.ToArray(), pendingCharset));
                pending.Clear();
                if (!afterWord || !between.IsWhiteSpace())
                {
                    text.Append(DecodeRaw8Bit(between.ToString()));
                }
            }

            pending.AddRange(bytes);
            pendingCharset = charset;
            afterWord = true;
            plainStart = i = end;
        }

        text.Append(DecodeCharset(pending.ToArray(), pendingCharset));
        text.Append(DecodeRaw8Bit(octets[plainStart..]));
        return text.ToString();
    }

    /// <summary>
    /// The longest encoded-word read. RFC 2047 allows 75 characters; mailers (and spammers) write longer ones, but
    /// not this long, and the bound keeps a header full of "=?" from being scanned over and over.
    /// </summary>
    private const int MaxEncodedWordLength = 1000;

    /// <summary>
    /// Reads "=?charset?E?text?=" at start (a "*language" suffix of the charset is ignored). The encoded text holds
    /// no blanks; B is base64 (which must be valid), Q is quoted-printable with "_" for a space.
    /// </summary>
    private static bool TryParseEncodedWord(string s, int start, out int end, out string charset, out byte[] bytes)
    {
        end = 0;
        charset = "";
        bytes = [];
        int limit = Math.Min(s.Length, start + MaxEncodedWordLength);
        int charsetEnd = s.IndexOf('?', start + 2, limit - (start + 2));
        if (charsetEnd < 0 || charsetEnd == start + 2 || charsetEnd + 3 > limit || s[charsetEnd + 2] != '?')
        {
            return false;
        }

        int textStart = charsetEnd + 3;
        int textEnd = s.IndexOf("?=", textStart, limit - textStart, StringComparison.Ordinal);
        if (textEnd < 0)
        {
            return false;
        }

        ReadOnlySpan<char> name = s.AsSpan(start + 2, charsetEnd - start - 2);
        ReadOnlySpan<char> encoded = s.AsSpan(textStart, textEnd - textStart);
        if (name.ContainsAny(" \t\n") || encoded.ContainsAny(" \t\n"))
        {
            return false;
        }

        int star = name.IndexOf('*');
        charset = (star >= 0 ? name[..star] : name).ToString();
        switch (s[charsetEnd + 1])
        {
            case 'B' or 'b':
                var decoded = new List<byte>();
                if (!Base64.Decode(encoded, decoded))
                {
                    return false;
                }

                bytes = decoded.ToArray();
                break;
            case 'Q' or 'q':
                bytes = QuotedPrintable.Decode(encoded, underscoreIsSpace: true);
                break;
            default:
                return false;
        }

        end = textEnd + 2;
        return true;
    }

    /// <summary>Header text that is not an encoded-word: ASCII as it is; 8-bit bytes as UTF-8 if valid, else windows-1252.</summary>
    private static string DecodeRaw8Bit(string octets) => DecodeCharset(Encoding.Latin1.GetBytes(octets), charset: null);

    // ---- Bodies ----------------------------------------------------------------------------------------------------

    /// <summary>A text part's body as text: the transfer encoding undone, then the charset decoded.</summary>
    private static string DecodeBody(string octets, string transferEncoding, string? charset)
    {
        switch (transferEncoding)
        {
            case "quoted-printable":
                return DecodeCharset(QuotedPrintable.Decode(octets, underscoreIsSpace: false), charset);
            case "base64":
                var bytes = new List<byte>();
                int rest = Base64.DecodeLines(octets, bytes);
                string text = DecodeCharset(bytes.ToArray(), charset);
                return rest < octets.Length
                    ? text + "\n" + DecodeCharset(Encoding.Latin1.GetBytes(octets[rest..]), charset)
                    : text;
            default:
                return DecodeCharset(Encoding.Latin1.GetBytes(octets), charset);
        }
    }

    /// <summary>Bytes in a named charset as text; see the class remarks for which charsets are read and how.</summary>
    private static string DecodeCharset(byte[] bytes, string? charset)
    {
        if (bytes.Length == 0)
        {
            return "";
        }

        switch ((charset ?? "").Trim().Trim('"', '\'').ToLowerInvariant())
        {
            // utf-8, and also no charset or us-ascii: 8-bit bytes cannot be ASCII, so they are UTF-8 when they are
            // valid UTF-8 (a string overload caller's text, a modern mailer) and windows-1252 otherwise.
            case "" or "us-ascii" or "ascii" or "utf-8" or "utf8":
                return Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Charsets.Windows1252(bytes);
            case "iso-8859-1" or "iso8859-1" or "iso_8859-1" or "latin1" or "latin-1" or "windows-1252" or "cp1252":
                return Charsets.Windows1252(bytes);
            case "iso-8859-15" or "iso8859-15" or "iso_8859-15" or "latin9" or "latin-9":
                return Charsets.Iso885915(bytes);
            default:
                return Encoding.Latin1.GetString(bytes);
        }
    }

    /// <summary>The single-byte charsets that are not Latin-1, as the differences from Latin-1.</summary>
    private static class Charsets
    {
        /// <summary>windows-1252's characters for bytes 0x80-0x9F; 0 where the code page leaves the byte undefined.</summary>
        private static readonly char[] Windows1252High =
        [
            '\u20AC', '\0', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
            '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\0', '\u017D', '\0',
            '\0', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
            '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\0', '\u017E', '\u0178',
        ];

        /// <summary>windows-1252: Latin-1 with printable characters in 0x80-0x9F (undefined bytes stay C1 controls).</summary>
        public static string Windows1252(byte[] bytes)
        {
            var chars = new char[bytes.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                byte b = bytes[i];
                chars[i] = b is >= 0x80 and <= 0x9F && Windows1252High[b - 0x80] != '\0' ? Windows1252High[b - 0x80] : (char)b;
            }

            return new string(chars);
        }

        /// <summary>ISO-8859-15 (Latin-9): Latin-1 with eight bytes changed, among them the euro sign at 0xA4.</summary>
        public static string Iso885915(byte[] bytes)
        {
            var chars = new char[bytes.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[i] = bytes[i] switch
                {
                    0xA4 => '\u20AC',
                    0xA6 => '\u0160',
                    0xA8 => '\u0161',
                    0xB4 => '\u017D',
                    0xB8 => '\u017E',
                    0xBC => '\u0152',
                    0xBD => '\u0153',
                    0xBE => '\u0178',
                    byte b => (char)b,
                };
            }

            return new string(chars);
        }
    }

    /// <summary>Quoted-printable (RFC 2045 section 6.7), and RFC 2047's Q encoding.</summary>
    private static class QuotedPrintable
    {
        /// <summary>
        /// "=XX" (hex, either case) is the byte XX; "=" at the end of a line (blanks may follow it) is a soft line
        /// break and is removed with the line break; any other "=" is kept. With underscoreIsSpace (Q encoding),
        /// "_" is a space. Every other character is its own byte.
        /// </summary>
        public static byte[] Decode(ReadOnlySpan<char> octets, bool underscoreIsSpace)
        {
            var bytes = new List<byte>(octets.Length);
            int i = 0;
            while (i < octets.Length)
            {
                char c = octets[i];
                if (c == '=' && i + 2 < octets.Length && char.IsAsciiHexDigit(octets[i + 1]) && char.IsAsciiHexDigit(octets[i + 2]))
                {
                    bytes.Add((byte)((HexValue(octets[i + 1]) << 4) | HexValue(octets[i + 2])));
                    i += 3;
                }
                else if (c == '=' && IsSoftLineBreak(octets, i, out int next))
                {
                    i = next;
                }
                else
                {
                    bytes.Add(underscoreIsSpace && c == '_' ? (byte)' ' : (byte)c);
                    i++;
                }
            }

            return bytes.ToArray();
        }

        /// <summary>"=" followed by optional blanks and then a line break or the end; next is where the text goes on.</summary>
        private static bool IsSoftLineBreak(ReadOnlySpan<char> octets, int equals, out int next)
        {
            next = equals + 1;
            while (next < octets.Length && octets[next] is ' ' or '\t')
            {
                next++;
            }

            if (next == octets.Length)
            {
                return true;
            }

            if (octets[next] == '\n')
            {
                next++;
                return true;
            }

            return false;
        }

    }

    /// <summary>The value of a hex digit (0-9, a-f, A-F).</summary>
    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>A lenient base64 reader that never throws.</summary>
    private static class Base64
    {
        /// <summary>
        /// Decodes base64 text into bytes, skipping whitespace. "=" ends a quantum: its partial bits are dropped and
        /// decoding starts afresh after the padding. Returns false at a character outside the base64 alphabet.
        /// </summary>
        public static bool Decode(ReadOnlySpan<char> text, List<byte> bytes)
        {
            int buffer = 0;
            int bits = 0;
            foreach (char c in text)
            {
                int value = Value(c);
                if (value >= 0)
                {
                    buffer = (buffer << 6) | value;
                    bits += 6;
                    if (bits >= 8)
                    {
                        bits -= 8;
                        bytes.Add((byte)(buffer >> bits));
                        buffer &= (1 << bits) - 1;
                    }
                }
                else if (c == '=')
                {
                    buffer = 0;
                    bits = 0;
                }
                else if (!char.IsWhiteSpace(c))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Decodes a base64 body line by line up to the first line that is not base64 (a character outside the
        /// alphabet, or "=" anywhere but at the end); returns where that line starts (the text's length if every line
        /// is base64), so the caller reads the rest as plain text. Blank lines are skipped.
        /// </summary>
        public static int DecodeLines(string octets, List<byte> bytes)
        {
            int lineStart = 0;
            while (lineStart < octets.Length)
            {
                int lineEnd = octets.IndexOf('\n', lineStart);
                if (lineEnd < 0)
                {
                    lineEnd = octets.Length;
                }

                ReadOnlySpan<char> line = octets.AsSpan(lineStart, lineEnd - lineStart).Trim();
                if (!IsBase64Line(line))
                {
                    return lineStart;
                }

                Decode(line, bytes);
                lineStart = lineEnd + 1;
            }

            return octets.Length;
        }

        /// <summary>Empty, or base64 characters followed by at most two "=".</summary>
        private static bool IsBase64Line(ReadOnlySpan<char> line)
        {
            ReadOnlySpan<char> data = line.TrimEnd('=');
            if (line.Length - data.Length > 2)
            {
                return false;
            }

            foreach (char c in data)
            {
                if (Value(c) < 0)
                {
                    return false;
                }
            }

            return true;
        }

        private static int Value(char c) => c switch
        {
            >= 'A' and <= 'Z' => c - 'A',
            >= 'a' and <= 'z' => c - 'a' + 26,
            >= '0' and <= '9' => c - '0' + 52,
            '+' => 62,
            '/' => 63,
            _ => -1,
        };
    }

    // ---- HTML ------------------------------------------------------------------------------------------------------

    /// <summary>
    /// HTML reduced to the text a reader sees. Tags are removed (a "&lt;" not followed by a letter, "/", "!" or "?",
    /// or with no "&gt;" after it, is text); comments and the contents of script, style and title elements are
    /// dropped (to the end of the text if unclosed, as a browser would); the source's line breaks and tabs are
    /// spaces; block tags become line breaks (br, div, li, tr, ...: one; p, h1-h6, table, lists, blockquote, pre,
    /// hr: a blank line), table cells and images a space, other tags nothing; character references are decoded.
    /// </summary>
    private static string HtmlToText(string html)
    {
        var text = new StringBuilder(html.Length);
        int lastTagEnd = html.LastIndexOf('>'); // a "<" after it starts no tag (and is not searched from again and again)
        int i = 0;
        while (i < html.Length)
        {
            char c = html[i];
            if (c == '&')
            {
                i = Html.AppendCharacterReference(html, i, text);
            }
            else if (c == '<' && html.AsSpan(i).StartsWith("<!--", StringComparison.Ordinal))
            {
                int end = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                i = end < 0 ? html.Length : end + 3;
            }
            else if (c == '<' && i < lastTagEnd && Html.IsTagStart(html, i) && html.IndexOf('>', i) is int tagEnd and >= 0)
            {
                string name = Html.TagName(html, i, out bool closing);
                text.Append(Html.Separator(name));
                i = tagEnd + 1;
                if (!closing && name is "script" or "style" or "title")
                {
                    i = Html.SkipElementContent(html, i, name);
                }
            }
            else
            {
                text.Append(char.IsWhiteSpace(c) ? ' ' : c);
                i++;
            }
        }

        return text.ToString();
    }

    /// <summary>The pieces of <see cref="HtmlToText"/>.</summary>
    private static class Html
    {
        /// <summary>Named references of the Latin-1 range, for U+00A0 (nbsp) to U+00FF (yuml) in order.</summary>
        private static readonly string[] Latin1Names =
        [
            "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo",
            "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot",
            "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",
            "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute",
            "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash",
            "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc", "atilde",
            "auml", "aring", "aelig", "ccedil", "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc",
            "iuml", "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave",
            "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
        ];

        /// <summary>Name to character: the Latin-1 names above and the common others.</summary>
        private static readonly Dictionary<string, char> Named = BuildNamed();

        /// <summary>References that HTML also accepts without the ";" (the common legacy ones).</summary>
        private static readonly HashSet<string> WithoutSemicolon = new(StringComparer.Ordinal) { "amp", "lt", "gt", "quot", "nbsp" };

        private static Dictionary<string, char> BuildNamed()
        {
            var named = new Dictionary<string, char>(StringComparer.Ordinal)
            {
                ["amp"] = '&', ["lt"] = '<', ["gt"] = '>', ["quot"] = '"', ["apos"] = '\'',
                ["euro"] = '\u20AC', ["trade"] = '\u2122', ["hellip"] = '\u2026', ["bull"] = '\u2022',
                ["ndash"] = '\u2013', ["mdash"] = '\u2014', ["lsquo"] = '\u2018', ["rsquo"] = '\u2019',
                ["sbquo"] = '\u201A', ["ldquo"] = '\u201C', ["rdquo"] = '\u201D', ["bdquo"] = '\u201E',
                ["dagger"] = '\u2020', ["Dagger"] = '\u2021', ["permil"] = '\u2030', ["lsaquo"] = '\u2039',
                ["rsaquo"] = '\u203A', ["OElig"] = '\u0152', ["oelig"] = '\u0153', ["Scaron"] = '\u0160',
                ["scaron"] = '\u0161', ["Yuml"] = '\u0178', ["fnof"] = '\u0192', ["circ"] = '\u02C6',
                ["tilde"] = '\u02DC', ["ensp"] = '\u2002', ["emsp"] = '\u2003', ["thinsp"] = '\u2009',
            };
            for (int i = 0; i < Latin1Names.Length; i++)
            {
                named[Latin1Names[i]] = (char)(0xA0 + i);
            }

            return named;
        }

        /// <summary>"&lt;" followed by a letter, "/", "!" or "?".</summary>
        public static bool IsTagStart(string html, int i) =>
            i + 1 < html.Length && (char.IsAsciiLetter(html[i + 1]) || html[i + 1] is '/' or '!' or '?');

        /// <summary>The lowercase name of the tag at i ("" for &lt;!...&gt; and &lt;?...&gt;), and whether it is a closing tag.</summary>
        public static string TagName(string html, int i, out bool closing)
        {
            int start = i + 1;
            closing = start < html.Length && html[start] == '/';
            if (closing)
            {
                start++;
            }

            int end = start;
            while (end < html.Length && char.IsAsciiLetterOrDigit(html[end]))
            {
                end++;
            }

            return html[start..end].ToLowerInvariant();
        }

        /// <summary>What a tag leaves in the text: a blank line, a line break, a space or nothing.</summary>
        public static string Separator(string name) => name switch
        {
            "p" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6" or "table" or "ul" or "ol" or "dl" or "blockquote"
                or "pre" or "hr" => "\n\n",
            "br" or "div" or "li" or "tr" or "dt" or "dd" or "center" or "form" or "address" or "caption"
                or "section" or "article" or "header" or "footer" or "nav" or "title" => "\n",
            "td" or "th" or "img" => " ",
            _ => "",
        };

        /// <summary>Past the closing tag of the element whose content starts at i (case-insensitive), or the end of the text.</summary>
        public static int SkipElementContent(string html, int i, string name)
        {
            int close = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
            if (close < 0)
            {
                return html.Length;
            }

            int end = html.IndexOf('>', close);
            return end < 0 ? html.Length : end + 1;
        }

        /// <summary>
        /// Appends the character of the reference at i ("&amp;name;", "&amp;#123;", "&amp;#x7B;") and returns where the text
        /// goes on. Numeric references may omit the ";"; 128-159 are read as windows-1252 (as HTML does); zero,
        /// surrogates and values past U+10FFFF are dropped. Named references need the ";", except the legacy few. An
        /// unknown reference is kept as text.
        /// </summary>
        public static int AppendCharacterReference(string html, int i, StringBuilder text)
        {
            int j = i + 1;
            if (j < html.Length && html[j] == '#')
            {
                return AppendNumericReference(html, i, text);
            }

            while (j < html.Length && j - i <= 32 && char.IsAsciiLetterOrDigit(html[j]))
            {
                j++;
            }

            string name = html[(i + 1)..j];
            bool semicolon = j < html.Length && html[j] == ';';
            if (Named.TryGetValue(name, out char named) && (semicolon || WithoutSemicolon.Contains(name)))
            {
                text.Append(named);
                return semicolon ? j + 1 : j;
            }

            text.Append('&');
            return i + 1;
        }

        private static int AppendNumericReference(string html, int i, StringBuilder text)
        {
            int j = i + 2;
            bool hex = j < html.Length && html[j] is 'x' or 'X';
            if (hex)
            {
                j++;
            }

            int digitsStart = j;
            long value = 0;
            while (j < html.Length && (hex ? char.IsAsciiHexDigit(html[j]) : char.IsAsciiDigit(html[j])))
            {
                value = Math.Min(value * (hex ? 16 : 10) + HexValue(html[j]), 0x110000); // capped: past U+10FFFF is invalid anyway
                j++;
            }

            if (j == digitsStart)
            {
                text.Append('&');
                return i + 1;
            }

            if (value is >= 0x80 and <= 0x9F)
            {
                text.Append(Charsets.Windows1252([(byte)value]));
            }
            else if (value is > 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF))
            {
                text.Append(char.ConvertFromUtf32((int)value));
            }

            return j < html.Length && html[j] == ';' ? j + 1 : j;
        }
    }

    // ---- Whitespace and length -------------------------------------------------------------------------------------

    /// <summary>
    /// Control characters other than line breaks, and U+FEFF, are dropped; any other whitespace is a space; runs of
    /// spaces become one and lines are trimmed. With singleLine, line breaks are spaces too; otherwise there is at
    /// most one blank line in a row and none at the start or end.
    /// </summary>
    private static string NormalizeWhitespace(string text, bool singleLine)
    {
        var result = new StringBuilder(text.Length);
        var line = new StringBuilder();
        bool blankLinePending = false;
        foreach (string rawLine in text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n'))
        {
            AppendCollapsed(rawLine, line);
            if (singleLine)
            {
                if (line.Length > 0)
                {
                    result.Append(result.Length > 0 ? " " : "").Append(line);
                }
            }
            else if (line.Length == 0)
            {
                blankLinePending = result.Length > 0;
            }
            else
            {
                result.Append(result.Length > 0 ? (blankLinePending ? "\n\n" : "\n") : "").Append(line);
                blankLinePending = false;
            }

            line.Clear();
        }

        return result.ToString();
    }

    /// <summary>One line with its whitespace collapsed to single spaces, trimmed, and its control characters dropped.</summary>
    private static void AppendCollapsed(string rawLine, StringBuilder line)
    {
        bool spacePending = false;
        foreach (char c in rawLine)
        {
            if (char.IsWhiteSpace(c))
            {
                spacePending = line.Length > 0;
            }
            else if (!char.IsControl(c) && c != '\uFEFF')
            {
                if (spacePending)
                {
                    line.Append(' ');
                    spacePending = false;
                }

                line.Append(c);
            }
        }
    }

    /// <summary>The first maxLength characters (fewer if the cut would split a surrogate pair), trimmed at the end.</summary>
    private static string Cut(string text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        int length = Math.Max(maxLength, 0);
        if (length > 0 && char.IsHighSurrogate(text[length - 1]))
        {
            length--;
        }

        return text[..length].TrimEnd();
    }
}
