using System.Globalization;

namespace NetGen.Generator.Helpers;

/// <summary>Invariant-culture C# literals: emitted text must not change with the build machine's locale.</summary>
internal static class Literal
{
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Float(double value)
    {
        float f = (float)value;
        // "Infinityf" and "NaNf" are not C#; the parser keeps such values out, this keeps the output valid regardless.
        if (float.IsNaN(f)) return "float.NaN";
        if (float.IsInfinity(f)) return f > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
        string text = f.ToString("R", CultureInfo.InvariantCulture);
        if (text.IndexOf('.') < 0 && text.IndexOf('E') < 0) text += ".0";
        return text + "f";
    }

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>1234567 → "1,234,567" (comment text only).</summary>
    public static string Grouped(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string String(string value)
    {
        var text = new System.Text.StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '"': text.Append("\\\""); break;
                // Anything C# would read as a line break, or that is invisible, is escaped: a layer name may hold it.
                default:
                    if (char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029') text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }
        return text.Append('"').ToString();
    }

    /// <summary>User text (a layer name) made safe inside a // comment: a line break there would end the comment.</summary>
    public static string Comment(string value)
    {
        var text = new System.Text.StringBuilder(value.Length);
        foreach (char c in value) text.Append(char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' ? ' ' : c);
        return text.ToString();
    }

    /// <summary>64-bit FNV-1a: a stable fingerprint (string.GetHashCode is randomized per process).</summary>
    public static ulong Fnv1a(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        return hash;
    }
}
