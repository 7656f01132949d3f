using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;

namespace NetGen;

/// <summary>
/// The temporary files an atomic <c>Save</c> writes beside its target, named "{target}.tmp-{process id}-{8 hex digits}",
/// and the removal of those a killed <c>Save</c> left behind.
/// </summary>
/// <remarks>
/// A temporary file is stale, and removed by the next <c>Save</c> of the same target, only when nothing can still be
/// writing it: (1) its process id is not a running process, or is this process's own while none of this process's
/// Saves is writing it (an earlier run that had the same id, as in a restarted container); and (2) it can be opened
/// exclusively. A writer keeps its temporary file open until it is renamed, and that open handle refuses an exclusive
/// open (a sharing violation on Windows, a <c>flock</c> on Unix), which covers writers the process id cannot tell
/// apart, such as another container sharing the folder. A file only the process id condemns but someone holds is kept.
/// </remarks>
internal static class CheckpointTemporaryFiles
{
    const string Marker = ".tmp-";
    static readonly Lock s_lock = new();
    static readonly HashSet<string> s_writing = new(StringComparer.Ordinal); // this process's temporary files being written

    /// <summary>A fresh temporary file name for <paramref name="target"/> (a full path), registered as being written until <see cref="End"/>.</summary>
    public static string Begin(string target)
    {
        string temporary = $"{target}{Marker}{Environment.ProcessId}-{Random.Shared.Next():x8}";
        lock (s_lock) s_writing.Add(temporary);
        return temporary;
    }

    /// <summary>The temporary file is renamed or deleted: no longer this process's to protect.</summary>
    public static void End(string temporary)
    {
        lock (s_lock) s_writing.Remove(temporary);
    }

    /// <summary>Removes the stale temporary files of <paramref name="target"/> (a full path); never throws.</summary>
    public static void RemoveStale(string target)
    {
        string? folder = Path.GetDirectoryName(target);
        if (folder is null) return;
        string prefix = Path.GetFileName(target) + Marker;
        try
        {
            foreach (string candidate in Directory.EnumerateFiles(folder, prefix + "*"))
                if (WriterIsGone(candidate, prefix)) TryRemoveUnlessHeld(candidate);
        }
        catch (IOException) { }                 // a missing or unreadable folder: the Save itself will say what is wrong
        catch (UnauthorizedAccessException) { }
    }

    static bool WriterIsGone(string path, string prefix)
    {
        // The name must be exactly what Begin makes: anything else is not ours to remove.
        ReadOnlySpan<char> name = Path.GetFileName(path.AsSpan());
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return false;
        ReadOnlySpan<char> rest = name[prefix.Length..];
        int dash = rest.IndexOf('-');
        if (dash <= 0 || rest.Length - dash - 1 != 8
            || !int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out int processId)
            || !uint.TryParse(rest[(dash + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _))
            return false;

        if (processId == Environment.ProcessId)
        {
            lock (s_lock) return !s_writing.Contains(path);
        }
        return !IsRunning(processId);
    }

    static bool IsRunning(int processId)
    {
        try
        {
            using Process process = Process.GetProcessById(processId);
            return true;
        }
        catch (ArgumentException)
        {
            return false; // no process has this id
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return true; // cannot tell: assume a live writer and keep its file
        }
    }

    static void TryRemoveUnlessHeld(string path)
    {
        try
        {
            // The exclusive open fails while a writer holds the file; once it succeeds, the file is deleted on close.
            using (new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose)) { }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
