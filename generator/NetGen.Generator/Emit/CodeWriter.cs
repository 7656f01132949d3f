using System;
using System.Text;

namespace NetGen.Generator.Emit;

/// <summary>An indenting text writer; <see cref="Block"/> opens a brace scope that closes on dispose.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
    }

    public Scope Block(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return new Scope(this);
    }

    /// <summary>A bare brace scope, to keep one layer's locals to itself.</summary>
    public Scope Braces()
    {
        Line("{");
        _indent++;
        return new Scope(this);
    }

    public void Indent() => _indent++;
    public void Outdent() => _indent--;

    public override string ToString() => _text.ToString();

    public readonly struct Scope : IDisposable
    {
        private readonly CodeWriter _writer;
        public Scope(CodeWriter writer) => _writer = writer;
        public void Dispose()
        {
            _writer._indent--;
            _writer.Line("}");
        }
    }
}
