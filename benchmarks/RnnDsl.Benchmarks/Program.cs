using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/RnnDsl.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(RnnDsl.Benchmarks.InferenceBenchmarks).Assembly).Run(args);
