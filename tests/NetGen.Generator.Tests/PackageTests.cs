using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NetGen.Generator.Tests.Support;

namespace NetGen.Generator.Tests;

/// <summary>
/// The NuGet package as a user gets it: packed from src/NetGen, the generator inside under analyzers/dotnet/cs,
/// restored into a throw-away console app from a temporary feed, built, run and seen to train.
/// </summary>
[Trait("Category", "Package")]
public sealed class PackageTests(PackageTests.PackFixture pack) : IClassFixture<PackageTests.PackFixture>
{
    /// <summary>Packs once per test run into a fresh temporary feed, deleted afterwards.</summary>
    public sealed class PackFixture : IDisposable
    {
        private readonly Lazy<(string Feed, string Package, string Version)> _pack = new(Pack);
        public (string Feed, string Package, string Version) Value => _pack.Value;
        public void Dispose()
        {
            if (_pack.IsValueCreated) try { Directory.Delete(_pack.Value.Feed, recursive: true); } catch (IOException) { }
        }
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    private static string Version =>
        XDocument.Load(Path.Combine(RepoPaths.Root, "src", "NetGen", "NetGen.csproj")).Descendants("Version").Single().Value;

    private static (string Feed, string Package, string Version) Pack()
    {
        string feed = Directory.CreateTempSubdirectory("netgen-feed-").FullName;
        var (code, output) = DotnetCli.Run(RepoPaths.Root, new Dictionary<string, string>(), Timeout,
            "pack", Path.Combine("src", "NetGen", "NetGen.csproj"), "-c", "Release", "-o", feed);
        Assert.True(code == 0, "dotnet pack failed:" + Environment.NewLine + output);
        string version = Version;
        string package = Path.Combine(feed, $"NetGen.{version}.nupkg");
        Assert.True(File.Exists(package), $"{package} not produced:{Environment.NewLine}{output}");
        return (feed, package, version);
    }

    [DotnetFact]
    public void Package_contains_runtime_and_generator()
    {
        using var zip = ZipFile.OpenRead(pack.Value.Package);
        var entries = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("lib/net10.0/NetGen.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/NetGen.Generator.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/NetGen.CodeFixes.dll", entries);
        // The generator is an analyzer only: it must not be a lib reference or a package dependency.
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith("NetGen.Generator.dll", StringComparison.Ordinal));
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(nuspec.Open());
        string manifest = reader.ReadToEnd();
        Assert.DoesNotContain("NetGen.Generator", manifest);
        // It carries a readme and its license, both as files and in the manifest.
        Assert.Contains("README.md", entries);
        Assert.Contains("LICENSE", entries);
        Assert.Contains("<readme>README.md</readme>", manifest);
        Assert.Contains("<license type=\"expression\">MIT</license>", manifest);
    }

    private const string Program = """
        using System;
        using NetGen;

        // XOR trained by a hand-written SGD loop over INetwork's flat parameter and gradient spans.
        INetwork net = new XorNet(seed: 1);
        float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1];
        float[] targets = [0, 1, 1, 0];
        float first = net.TrainBatch(inputs, targets, batchSize: 4), last = first;
        for (int step = 0; step < 4000; step++)
        {
            var p = net.Parameters;
            var g = net.Gradients;
            for (int i = 0; i < p.Length; i++) p[i] -= 2f * g[i];
            last = net.TrainBatch(inputs, targets, batchSize: 4);
        }
        Console.WriteLine(FormattableString.Invariant($"PARAMETERS={net.ParameterCount}"));
        Console.WriteLine(FormattableString.Invariant($"FIRST_LOSS={first:R}"));
        Console.WriteLine(FormattableString.Invariant($"LAST_LOSS={last:R}"));
        using (var onnx = new System.IO.MemoryStream())
        {
            net.ExportOnnx(onnx);
            Console.WriteLine(FormattableString.Invariant($"ONNX_BYTES={onnx.Length}"));
        }

        [Network(Loss.MeanSquaredError)]
        [Input(2)]
        [Dense(2, Activation.Sigmoid)]
        [Dense(1, Activation.Sigmoid)]
        public partial class XorNet { }
        """;

    [DotnetFact]
    public void Console_app_referencing_the_package_builds_and_trains() =>
        WithConsumer(extraProperties: "", (app, environment) =>
        {
            var (code, output) = DotnetCli.Run(app, environment, Timeout, "run", "-c", "Release");
            Assert.True(code == 0, "dotnet run failed:" + Environment.NewLine + output);
            return output;
        });

    /// <summary>NativeAOT: no reflection, no run-time code generation, so the published native binary trains the same way.</summary>
    [DotnetFact]
    public void Console_app_publishes_with_NativeAOT_and_trains() =>
        WithConsumer(extraProperties: "<PublishAot>true</PublishAot><CppCompilerAndLinker>gcc</CppCompilerAndLinker><TreatWarningsAsErrors>true</TreatWarningsAsErrors>", (app, environment) =>
        {
            string output = Path.Combine(app, "native");
            var (code, log) = DotnetCli.Run(app, environment, Timeout, "publish", "-c", "Release", "-r", "linux-x64", "-o", output);
            Assert.True(code == 0, "dotnet publish (NativeAOT) failed:" + Environment.NewLine + log);
            Assert.DoesNotContain("warning IL", log);   // trimming and AOT analysis found nothing to warn about
            string binary = Path.Combine(output, "Consumer");
            Assert.True(File.Exists(binary), $"no native binary at {binary}{Environment.NewLine}{log}");
            var start = new System.Diagnostics.ProcessStartInfo(binary) { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = System.Diagnostics.Process.Start(start)!;
            string printed = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            return printed;
        });

    /// <summary>Writes a throw-away consumer of the packed NetGen, runs <paramref name="build"/>, and checks the program trained.</summary>
    private void WithConsumer(string extraProperties, Func<string, Dictionary<string, string>, string> build)
    {
        var (feed, _, version) = pack.Value;
        string app = Directory.CreateTempSubdirectory("netgen-consumer-").FullName;
        // A private package folder: a stale NetGen in the global cache must neither be used nor be left behind.
        string packages = Path.Combine(app, ".packages");
        try
        {
            File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <RestorePackagesPath>{packages}</RestorePackagesPath>
                    {extraProperties}
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="NetGen" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="netgen-test-feed" value="{feed}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

            var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages };
            string output = build(app, environment);

            Assert.True(File.Exists(Path.Combine(packages, "netgen", version, "analyzers", "dotnet", "cs", "NetGen.Generator.dll")), "NetGen was not restored from the test feed");
            Assert.Equal(9, int.Parse(Value(output, "PARAMETERS"), CultureInfo.InvariantCulture));
            float first = float.Parse(Value(output, "FIRST_LOSS"), CultureInfo.InvariantCulture);
            float last = float.Parse(Value(output, "LAST_LOSS"), CultureInfo.InvariantCulture);
            Assert.True(float.IsFinite(last) && last < first * 0.5f, $"loss did not decrease: {first} → {last}{Environment.NewLine}{output}");
            Assert.True(int.Parse(Value(output, "ONNX_BYTES"), CultureInfo.InvariantCulture) > 0, "ExportOnnx wrote nothing");
        }
        finally
        {
            try { Directory.Delete(app, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string Value(string output, string key)
    {
        var match = Regex.Match(output, "^" + key + "=(\\S+)", RegexOptions.Multiline);
        Assert.True(match.Success, $"{key}= not in the output:{Environment.NewLine}{output}");
        return match.Groups[1].Value;
    }
}
