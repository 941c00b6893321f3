using System.Linq;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/RnnDsl.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/RnnDsl.Benchmarks -- --profile   (stopwatch breakdown of the gated cells)
if (args.Contains("--profile"))
{
    RnnDsl.Benchmarks.GatedProfile.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(RnnDsl.Benchmarks.InferenceBenchmarks).Assembly).Run(args);
