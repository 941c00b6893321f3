using BenchmarkDotNet.Running;

// /usr/bin/python3 benchmarks/pytorch/export_onnx.py
// dotnet run -c Release --project benchmarks/RnnDsl.PeerBenchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(RnnDsl.Benchmarks.PeerBenchmarks).Assembly).Run(args);
