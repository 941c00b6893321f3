using System;
using System.Text;

namespace RnnDsl.Generators.Helpers;

/// <summary>
/// Writes C# source line by line at the current indentation; <see cref="Block"/> opens a brace
/// scope that closes when disposed.
/// </summary>
internal sealed class IndentedWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _text = new();
    private int _depth;

    public IndentedWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            for (int i = 0; i < _depth; i++)
            {
                _text.Append(IndentUnit);
            }

            _text.Append(line);
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>Writes each line of a multi-line text at the current indentation.</summary>
    public IndentedWriter Lines(string text)
    {
        foreach (string line in text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n'))
        {
            Line(line);
        }

        return this;
    }

    public Scope Block(string header)
    {
        Line(header);
        Line("{");
        _depth++;
        return new Scope(this);
    }

    /// <summary>A <see cref="Block"/> when <paramref name="write"/> holds; otherwise the lines go where they are, unwrapped.</summary>
    public Scope BlockIf(bool write, string header)
    {
        if (write)
        {
            return Block(header);
        }

        return new Scope(this, braces: false, indents: false);
    }

    public Scope Indent()
    {
        _depth++;
        return new Scope(this, braces: false);
    }

    public override string ToString() => _text.ToString();

    public readonly struct Scope : IDisposable
    {
        private readonly IndentedWriter _writer;
        private readonly bool _braces;
        private readonly bool _indents;

        public Scope(IndentedWriter writer, bool braces = true, bool indents = true)
        {
            _writer = writer;
            _braces = braces;
            _indents = indents;
        }

        public void Dispose()
        {
            if (_indents)
            {
                _writer._depth--;
            }

            if (_braces)
            {
                _writer.Line("}");
            }
        }
    }
}
