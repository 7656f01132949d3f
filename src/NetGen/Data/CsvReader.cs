using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace NetGen.Data;

/// <summary>
/// Reads a numeric CSV file (RFC 4180 basics: quoted fields, doubled quotes, separators and line breaks
/// inside quotes) into a <see cref="Dataset"/>, streaming it once. Numbers use the invariant culture.
/// Content errors throw <see cref="InvalidDataException"/> naming the file, the 1-based line and column,
/// the column name, and the text found (cut when long): among them numbers a float cannot hold (NaN, infinities,
/// beyond ±3.4e38), fields longer than <see cref="CsvOptions.MaxFieldLength"/>, and a label column the file lacks.
/// Options that contradict themselves throw <see cref="ArgumentException"/>.
/// </summary>
public static class CsvReader
{
    /// <summary>Reads the CSV file at <paramref name="path"/>.</summary>
    public static Dataset Read(string path, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return Read(reader, Path.GetFileName(path), options);
    }

    /// <summary>Reads CSV text from <paramref name="stream"/>; <paramref name="name"/> identifies it in error messages.</summary>
    public static Dataset Read(Stream stream, string name, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        return Read(reader, name, options);
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>; <paramref name="name"/> identifies it in error messages.</summary>
    public static Dataset Read(TextReader reader, string name, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(name);
        return new Parser(reader, name, options ?? CsvOptions.Default).Run();
    }

    private sealed class Parser
    {
        private readonly TextReader _reader;
        private readonly string _name;
        private readonly CsvOptions _options;
        private readonly char _separator;
        private readonly int _maxFieldLength;
        private readonly char[] _block = new char[1 << 14];
        private int _blockPosition, _blockLength;

        // The current record, unquoted: field i is _chars[_starts[i] .. _starts[i] + _lengths[i]).
        private char[] _chars = new char[256];
        private int _charCount;
        private int[] _starts = new int[16];
        private int[] _lengths = new int[16];
        private int _fieldCount;
        private int _line;        // last physical line read
        private int _recordLine;  // first physical line of the current record

        private string[] _columnNames = [];
        private int _columnCount;
        private int _firstLine;
        private int _labelColumn;

        // Growing outputs; trimmed once at the end.
        private float[] _features = new float[1024];
        private int _featureCount;
        private int[] _labels = new int[256];
        private float[] _targets = new float[256];
        private int _rows;

        private bool? _labelsAreNames;
        private int _maxClassId = -1;
        private readonly Dictionary<string, int> _classIds = new(StringComparer.Ordinal);
        private readonly List<string> _classNames = new();

        public Parser(TextReader reader, string name, CsvOptions options)
        {
            _reader = reader;
            _name = name;
            _options = options;
            _separator = options.Separator;
            _maxFieldLength = options.MaxFieldLength;
            if (_separator is '"' or '\r' or '\n')
                throw new ArgumentException($"Expected a separator other than a quote or line break, found {(int)_separator:X4}.", nameof(options));
            if (options.ClassNames is not null)
            {
                if (options.ClassNames.Length == 0)
                    throw new ArgumentException("Expected at least one name in ClassNames, found none; use null to number names as they appear.", nameof(options));
                if (options.ClassCount is { } count && count != options.ClassNames.Length)
                    throw new ArgumentException($"ClassCount {count} disagrees with the {options.ClassNames.Length} ClassNames; expected the same number or no ClassCount.", nameof(options));
                for (int i = 0; i < options.ClassNames.Length; i++)
                {
                    if (options.ClassNames[i] is null)
                        throw new ArgumentException($"ClassNames[{i}] is null; expected a name.", nameof(options));
                    if (!_classIds.TryAdd(options.ClassNames[i], i))
                        throw new ArgumentException($"Class name '{options.ClassNames[i]}' appears twice in ClassNames; expected distinct names.", nameof(options));
                    _classNames.Add(options.ClassNames[i]);
                }
            }
        }

        public Dataset Run()
        {
            if (!ReadRecord())
                throw new InvalidDataException($"{_name}: expected a {(_options.HasHeader ? "header" : "data")} line, found an empty file.");
            _columnCount = _fieldCount;
            _firstLine = _recordLine;
            _columnNames = new string[_columnCount];
            for (int c = 0; c < _columnCount; c++)
                _columnNames[c] = _options.HasHeader ? Field(c).Trim().ToString() : $"column {c + 1}";
            if (_columnCount < 2)
                throw new InvalidDataException($"{_name}: line {_recordLine}: expected at least 2 columns (features and a label), found {_columnCount}.");
            _labelColumn = ResolveLabelColumn();

            bool haveRecord = _options.HasHeader ? ReadRecord() : true;
            Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = _classIds.GetAlternateLookup<ReadOnlySpan<char>>();
            int featureSize = _columnCount - 1;
            while (haveRecord)
            {
                if (_fieldCount != _columnCount)
                    throw new InvalidDataException(
                        $"{_name}: line {_recordLine}: expected {_columnCount} fields (as on line {_firstLine}), found {_fieldCount}.");
                EnsureRowCapacity(featureSize);
                for (int c = 0; c < _columnCount; c++)
                {
                    if (c == _labelColumn) continue;
                    _features[_featureCount++] = ParseFloat(c);
                }
                if (_options.LabelKind == LabelKind.Value) _targets[_rows] = ParseFloat(_labelColumn);
                else _labels[_rows] = ParseClass(lookup);
                _rows++;
                haveRecord = ReadRecord();
            }
            if (_rows == 0)
                throw new InvalidDataException($"{_name}: expected at least one data row after the header on line {_firstLine}, found none.");

            float[] features = _features.AsSpan(0, _featureCount).ToArray();
            if (_options.LabelKind == LabelKind.Value)
                return Dataset.FromTargets(features, featureSize, _targets.AsSpan(0, _rows).ToArray(), 1);

            int[] labels = _labels.AsSpan(0, _rows).ToArray();
            if (_labelsAreNames == true || _options.ClassNames is not null)
            {
                string[] names = _classNames.ToArray();
                if (_maxClassId >= names.Length)
                    throw new InvalidDataException($"{_name}: class id {_maxClassId} found; expected ids in [0, {names.Length}) to match ClassNames.");
                return Dataset.FromLabels(features, featureSize, labels, names.Length, names);
            }
            return Dataset.FromLabels(features, featureSize, labels, _options.ClassCount ?? _maxClassId + 1);
        }

        private int ResolveLabelColumn()
        {
            if (_options.LabelColumn is { } labelName)
            {
                if (!_options.HasHeader)
                    throw new ArgumentException($"LabelColumn '{labelName}' names a column, but HasHeader is false; use LabelColumnIndex.");
                int found = Array.IndexOf(_columnNames, labelName);
                if (found < 0)
                    throw new InvalidDataException($"{_name}: line {_firstLine}: expected a label column named '{labelName}', found columns {string.Join(", ", _columnNames)}.");
                return found;
            }
            int index = _options.LabelColumnIndex ?? -1;
            int resolved = index < 0 ? _columnCount + index : index;
            if ((uint)resolved >= (uint)_columnCount)
                throw new InvalidDataException($"{_name}: line {_firstLine}: expected a column at LabelColumnIndex {index}, found {_columnCount} columns.");
            return resolved;
        }

        private float ParseFloat(int column)
        {
            ReadOnlySpan<char> text = Field(column);
            if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                throw CellError(column, "a number", text);
            // TryParse turns NaN, Infinity and anything beyond float range into non-finite values: caught here, with the cell.
            if (!float.IsFinite(value))
                throw CellError(column, $"a finite number (at most {float.MaxValue.ToString(CultureInfo.InvariantCulture)} in magnitude)", text);
            return value;
        }

        private int ParseClass(Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup)
        {
            ReadOnlySpan<char> text = Field(_labelColumn).Trim();
            // Known names win, so names like "0" and "1" in ClassNames still map by name.
            if (lookup.TryGetValue(text, out int id)) return id;
            bool isInt = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out id);
            _labelsAreNames ??= !isInt && _options.ClassNames is null;
            if (_labelsAreNames == true)
            {
                if (text.IsEmpty) throw CellError(_labelColumn, "a class name", text);
                id = _classNames.Count;
                string name = text.ToString();
                _classIds.Add(name, id);
                _classNames.Add(name);
                return id;
            }
            if (!isInt)
                throw CellError(_labelColumn, _options.ClassNames is null ? "an integer class id" : "one of the ClassNames or an integer class id", text);
            int limit = _options.ClassNames?.Length ?? _options.ClassCount ?? int.MaxValue;
            if (id < 0 || id >= limit)
                throw CellError(_labelColumn, $"a class id in [0, {limit})", text);
            _maxClassId = Math.Max(_maxClassId, id);
            return id;
        }

        private InvalidDataException CellError(int column, string expected, ReadOnlySpan<char> text) =>
            new($"{_name}: line {_recordLine}, column {column + 1} ({Quote(_columnNames[column])}): expected {expected}, found {Quote(text)}.");

        /// <summary>Quoted text for a message; long text is cut, with its length, so a megabyte cell still gives a readable error.</summary>
        private static string Quote(ReadOnlySpan<char> text) =>
            text.Length <= 64 ? $"'{text}'" : $"'{text[..64]}…' ({text.Length} characters)";

        private ReadOnlySpan<char> Field(int i) => new(_chars, _starts[i], _lengths[i]);

        private void EnsureRowCapacity(int featureSize)
        {
            if (_featureCount + featureSize > _features.Length)
                Array.Resize(ref _features, Math.Max(_features.Length * 2, _featureCount + featureSize));
            if (_options.LabelKind == LabelKind.Value)
            {
                if (_rows == _targets.Length) Array.Resize(ref _targets, _targets.Length * 2);
            }
            else if (_rows == _labels.Length)
            {
                Array.Resize(ref _labels, _labels.Length * 2);
            }
        }

        /// <summary>Reads the next non-blank record into the field buffers; false at end of input.</summary>
        private bool ReadRecord()
        {
            while (true)
            {
                int ch = ReadChar();
                if (ch < 0) return false;
                _line++;
                _recordLine = _line;
                _charCount = 0;
                _fieldCount = 0;
                bool blank = true; // only white space so far: a blank line is skipped
                while (true)
                {
                    int start = _charCount;
                    if (ch == '"')
                    {
                        blank = false;
                        while (true)
                        {
                            ch = ReadChar();
                            if (ch < 0)
                                throw new InvalidDataException($"{_name}: line {_recordLine}, column {_fieldCount + 1}: expected a closing quote, found the end of the file.");
                            if (ch == '"')
                            {
                                if (PeekChar() != '"') break;
                                _blockPosition++;
                            }
                            else if (ch is '\r' or '\n')
                            {
                                // A line break inside quotes belongs to the field, as '\n'.
                                SkipLineFeedAfter(ch);
                                _line++;
                                ch = '\n';
                            }
                            Append((char)ch, start);
                        }
                        ch = ReadChar();
                        if (ch >= 0 && ch != _separator && ch is not ('\r' or '\n'))
                            throw new InvalidDataException(
                                $"{_name}: line {_line}, column {_fieldCount + 1}: expected a separator after a closing quote, found '{(char)ch}'.");
                    }
                    else if (ch >= 0 && ch != _separator && ch is not ('\r' or '\n'))
                    {
                        if (blank && !char.IsWhiteSpace((char)ch)) blank = false;
                        Append((char)ch, start);
                        ch = ReadUnquotedRest(start, ref blank);
                    }
                    AddField(start, _charCount - start);
                    // Past the header's width the row is wrong already: fail now rather than split a runaway line.
                    if (_columnCount > 0 && _fieldCount > _columnCount && !blank)
                        throw new InvalidDataException($"{_name}: line {_recordLine}: expected {_columnCount} fields (as on line {_firstLine}), found more.");
                    if (ch != _separator) break;
                    if (!char.IsWhiteSpace(_separator)) blank = false;
                    ch = ReadChar();
                }
                SkipLineFeedAfter(ch);
                if (!blank) return true;
            }
        }

        /// <summary>The rest of an unquoted field, copied in runs straight from the block; returns the character that ended it (-1 at the end).</summary>
        private int ReadUnquotedRest(int fieldStart, ref bool blank)
        {
            while (_blockPosition < _blockLength || FillBlock())
            {
                ReadOnlySpan<char> rest = new(_block, _blockPosition, _blockLength - _blockPosition);
                int end = rest.IndexOfAny(_separator, '\r', '\n');
                ReadOnlySpan<char> run = end < 0 ? rest : rest[..end];
                if (blank && !run.IsWhiteSpace()) blank = false;
                Append(run, fieldStart);
                _blockPosition += run.Length;
                if (end >= 0) return _block[_blockPosition++];
            }
            return -1;
        }

        // Input is read in blocks, not by ReadLine, so a runaway line fails at MaxFieldLength instead of being buffered whole.
        private int ReadChar()
        {
            if (_blockPosition == _blockLength && !FillBlock()) return -1;
            return _block[_blockPosition++];
        }

        private int PeekChar()
        {
            if (_blockPosition == _blockLength && !FillBlock()) return -1;
            return _block[_blockPosition];
        }

        private bool FillBlock()
        {
            _blockLength = _reader.Read(_block, 0, _block.Length);
            _blockPosition = 0;
            if (_blockLength > 0) return true;
            _blockLength = 0;
            return false;
        }

        /// <summary>"\r\n" is one line break.</summary>
        private void SkipLineFeedAfter(int ch)
        {
            if (ch == '\r' && PeekChar() == '\n') _blockPosition++;
        }

        private void Append(char ch, int fieldStart)
        {
            if (_charCount - fieldStart == _maxFieldLength) throw FieldTooLong(fieldStart);
            if (_charCount == _chars.Length) Array.Resize(ref _chars, _chars.Length * 2);
            _chars[_charCount++] = ch;
        }

        private void Append(ReadOnlySpan<char> text, int fieldStart)
        {
            int room = _maxFieldLength - (_charCount - fieldStart);
            if (text.Length > room)
            {
                Append(text[..room], fieldStart); // keeps the field's start for the message
                throw FieldTooLong(fieldStart);
            }
            if (_charCount + text.Length > _chars.Length) Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + text.Length));
            text.CopyTo(_chars.AsSpan(_charCount));
            _charCount += text.Length;
        }

        private InvalidDataException FieldTooLong(int fieldStart)
        {
            int column = _fieldCount;
            string columnName = column < _columnNames.Length ? $" ({Quote(_columnNames[column])})" : "";
            return new InvalidDataException(
                $"{_name}: line {_recordLine}, column {column + 1}{columnName}: expected a field of at most {_maxFieldLength} characters " +
                $"(CsvOptions.MaxFieldLength), found a longer one starting '{new ReadOnlySpan<char>(_chars, fieldStart, Math.Min(_charCount - fieldStart, 40))}…'.");
        }

        private void AddField(int start, int length)
        {
            if (_fieldCount == _starts.Length)
            {
                Array.Resize(ref _starts, _starts.Length * 2);
                Array.Resize(ref _lengths, _lengths.Length * 2);
            }
            _starts[_fieldCount] = start;
            _lengths[_fieldCount] = length;
            _fieldCount++;
        }
    }
}
