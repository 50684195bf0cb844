using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(NetCds.Benchmarks.FactStateBenchmarks).Assembly).Run(args);
