using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace RnnDsl.Generators.Tests;

/// <summary>
/// The package is the whole install: pack RnnDsl, then build and run a new project that has nothing but a
/// PackageReference to it from a local feed, with nullable and warnings as errors.
/// </summary>
public class PackageTests
{
    private const string Consumer = """
        using System;
        using RnnDsl;
        using static RnnDsl.Activation;

        var model = new Consumer.Sentiment();
        Console.WriteLine(model.Summary());
        Span<float> probability = stackalloc float[1];
        model.Predict([5, 17, 420, 9], probability);
        Console.WriteLine($"probability {probability[0]:F4}");
        var gradients = new float[Consumer.Sentiment.ParameterCount];
        Console.WriteLine($"loss {model.ComputeGradients([5, 17, 420, 9], [1f], 1, gradients, Loss.BinaryCrossentropy):F4}");

        namespace Consumer
        {
            [Embedding(10000, 32, MaskZero = true)]
            [Bidirectional, SimpleRnn(64)]
            [Dense(1, Sigmoid)]
            public partial class Sentiment { }
        }
        """;

    [Fact]
    public void A_project_with_only_the_package_builds_and_runs_a_model()
    {
        string root = Snapshot.RepositoryRoot();
        string work = Path.Combine(Path.GetTempPath(), "rnndsl-package-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed");
        string project = Path.Combine(work, "consumer");
        Directory.CreateDirectory(project);
        try
        {
            Run("dotnet", $"pack \"{Path.Combine(root, "src", "RnnDsl", "RnnDsl.csproj")}\" -c Release -o \"{feed}\" -p:Version=0.0.0-test", root);

            File.WriteAllText(Path.Combine(project, "Consumer.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <!-- A private package folder, so a package from an earlier run is never reused. -->
                    <RestorePackagesPath>$(MSBuildProjectDirectory)/packages</RestorePackagesPath>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="RnnDsl" Version="0.0.0-test" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(project, "Program.cs"), Consumer);
            File.WriteAllText(Path.Combine(project, "NuGet.config"), $"""
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                  <fallbackPackageFolders>
                    <add key="shared" value="{Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages")}" />
                  </fallbackPackageFolders>
                </configuration>
                """);

            string output = Run("dotnet", "run -c Release", project);
            Assert.Contains("Total params: 332,545 (1.27 MB)", output);
            Assert.Contains("probability 0.", output);
            Assert.Contains("loss 0.", output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Run(string command, string arguments, string directory)
    {
        var start = new ProcessStartInfo(command, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {arguments} failed ({process.ExitCode}):\n{output}\n{error.Result}");
        return output;
    }
}
