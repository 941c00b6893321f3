using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/RnnDsl.GeneratorBenchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(RnnDsl.GeneratorBenchmarks.GeneratorBenchmarks).Assembly).Run(args);
