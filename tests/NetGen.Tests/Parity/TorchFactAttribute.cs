using System;
using System.Diagnostics;

namespace NetGen.Tests.Parity;

/// <summary>A fact that runs where Debian's PyTorch is installed (CI installs it) and is skipped, saying why, elsewhere.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";
    static readonly Lazy<bool> s_available = new(Probe);

    public TorchFactAttribute()
    {
        if (!s_available.Value) Skip = $"PyTorch is not importable from {Python} (apt-get install python3-torch)";
    }

    static bool Probe()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(Python, "-c \"import torch, numpy\"") { RedirectStandardError = true, RedirectStandardOutput = true });
            if (process is null) return false;
            process.WaitForExit(60_000);
            return process.HasExited && process.ExitCode == 0;
        }
        catch (Exception) { return false; }
    }
}
