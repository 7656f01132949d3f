using System.Globalization;

namespace NetGen.Generator.Helpers;

/// <summary>Invariant-culture C# literals: emitted text must not change with the build machine's locale.</summary>
internal static class Literal
{
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Float(double value)
    {
        float f = (float)value;
        string text = f.ToString("R", CultureInfo.InvariantCulture);
        if (text.IndexOf('.') < 0 && text.IndexOf('E') < 0) text += ".0";
        return text + "f";
    }

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>1234567 → "1,234,567" (comment text only).</summary>
    public static string Grouped(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string String(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

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
