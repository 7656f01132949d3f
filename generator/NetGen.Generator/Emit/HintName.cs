using System.Globalization;
using System.Text;
using NetGen.Generator.Helpers;

namespace NetGen.Generator.Emit;

/// <summary>
/// The generated file's name. Roslyn refuses some characters ('@', path separators) and compares hint names
/// case-insensitively, so <c>N.Net</c> and <c>N.NET</c> would clash. The name is the full name with anything but ASCII
/// letters, digits, '_' and '.' replaced, followed by a hash of the exact (case-sensitive) full name: unique for
/// every class, without knowing about the other networks in the build.
/// </summary>
internal static class HintName
{
    public static string For(string fullName)
    {
        var text = new StringBuilder(fullName.Length + 16);
        foreach (char c in fullName) text.Append(c is '_' or '.' || (c < 128 && char.IsLetterOrDigit(c)) ? c : '_');
        ulong hash = Literal.Fnv1a(fullName);
        uint shortHash = (uint)(hash ^ (hash >> 32));
        return text.Append('.').Append(shortHash.ToString("x8", CultureInfo.InvariantCulture)).Append(".g.cs").ToString();
    }
}
