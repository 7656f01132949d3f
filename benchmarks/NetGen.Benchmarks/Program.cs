using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using NetGen.Benchmarks;

// dotnet run -c Release --project benchmarks/NetGen.Benchmarks -- --filter '*'
var config = DefaultConfig.Instance.AddColumn(new SamplesPerSecondColumn());
BenchmarkSwitcher.FromAssembly(typeof(TinyOnline).Assembly).Run(args, config);
