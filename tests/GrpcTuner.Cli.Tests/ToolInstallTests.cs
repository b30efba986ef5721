namespace GrpcTuner.Cli.Tests;

/// <summary>
/// The install step of README.md: grpctuner packed as a .NET tool, installed into a temporary tool
/// path, and the main job (the Fashion-MNIST study with a trainer agent) run with the installed command.
/// </summary>
public sealed class ToolInstallTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tool-install").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ThePackedToolInstallsAndRunsTheMainJob()
    {
        var root = SharedData.RepositoryRoot;
        var packages = Path.Combine(_dir, "packages");
        var tools = Path.Combine(_dir, "tools");
        // The suite builds the solution first; the pack reuses that build.
        await RunAsync("dotnet", ["pack", Path.Combine(root, "src/GrpcTuner.Cli"), "-c", "Release", "--no-build", "-o", packages, "-nologo"], root);
        // A package cache of its own: the machine's may hold an older grpctuner 0.1.0, which the install would take instead.
        await RunAsync("dotnet", ["tool", "install", "grpctuner", "--tool-path", tools, "--add-source", packages], _dir, ("NUGET_PACKAGES", Path.Combine(_dir, "nuget")));

        // The main job as README.md gives it, with a budget and data small enough for a test.
        var task = Path.Combine(_dir, "fashion-mnist.task.yaml");
        await File.WriteAllTextAsync(task, "task: fashion-mnist\ntrain_samples: 2000\nvalidation_samples: 500\n");
        var best = Path.Combine(_dir, "best.json");
        var output = await RunAsync(Path.Combine(tools, "grpctuner"),
            ["run", "--spec", Path.Combine(root, "src/GrpcTuner.Cli/Examples/fashion-mnist.yaml"), "--task", task, "--agents", "1", "--trials", "1", "--output", best], _dir);
        Assert.Contains("best: trial 0 values [", output);
        // Its agent, started as "grpctuner agent", allocates with jemalloc, which the suite installs, as grpctuner-agent does.
        Assert.Contains("allocator: jemalloc (/usr/lib/x86_64-linux-gnu/libjemalloc.so.2, dirty_decay_ms:-1,muzzy_decay_ms:-1)", output);
        Assert.Contains("\"study\": \"fashion-mnist\"", await File.ReadAllTextAsync(best));
    }

    private static async Task<string> RunAsync(string program, string[] args, string folder, params (string Name, string Value)[] environment)
    {
        var (exit, stdout, stderr) = await ChildProcess.RunAsync(program, args, folder, environment.ToDictionary(e => e.Name, e => e.Value));
        Assert.True(exit == 0, $"{program} {string.Join(' ', args)}: exit {exit}\n{stdout}\n{stderr}");
        return stdout;
    }
}
