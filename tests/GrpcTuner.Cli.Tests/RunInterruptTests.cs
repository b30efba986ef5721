using System.Diagnostics;
using System.Text.Json;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Tests;

/// <summary><c>grpctuner run</c> without agents, as the built program: outside workers can join it, and a signal stops it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RunInterruptTests
{
    [Fact]
    public async Task OutsideWorkersJoinWithThePrintedConnectionAndSigtermStopsTheRun()
    {
        var dir = Directory.CreateTempSubdirectory("run-interrupt").FullName;
        var connectionFile = Path.Combine(dir, "connection.json");
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "grpctuner"),
            ["run", "--spec", Path.Combine(AppContext.BaseDirectory, "Examples", "branin.yaml"), "--trials", "50", "--connection-file", connectionFile])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var run = Process.Start(psi)!;
        var output = run.StandardOutput.ReadToEndAsync();
        var error = run.StandardError.ReadToEndAsync();
        for (var i = 0; i < 200 && !(File.Exists(connectionFile) && new FileInfo(connectionFile).Length > 0); i++)
        {
            await Task.Delay(50);
        }

        if (!File.Exists(connectionFile))
        {
            Assert.Fail($"no connection file: {await Drain(run, output, error)}");
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(connectionFile));
        using var connection = JsonDocument.Parse(await File.ReadAllTextAsync(connectionFile));
        var (server, key) = (connection.RootElement.GetProperty("server").GetString()!, connection.RootElement.GetProperty("api_key").GetString()!);
        using (var client = new TunerClient(server, new TunerClientOptions { ApiKey = key, WorkerId = "outside" }))
        {
            try
            {
                var study = await client.LoadStudyAsync(connection.RootElement.GetProperty("study").GetString()!);
                var trial = await study.AskAsync();
                await study.TellAsync(trial, 2.5);
            }
            catch (Grpc.Core.RpcException e)
            {
                Assert.Fail($"{server}: {e.Status}\n{await Drain(run, output, error)}");
            }
        }

        using (var term = Process.Start("kill", ["-TERM", $"{run.Id}"]))
        {
            await term.WaitForExitAsync();
        }

        var exited = run.WaitForExitAsync();
        Assert.True(await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(20))) == exited, "SIGTERM did not stop the run");
        var (stdout, stderr) = (await output, await error);
        Assert.Equal(130, run.ExitCode);
        Assert.Contains($"workers join with: GRPCTUNER_API_KEY={key} grpctuner agent --server {server} --study branin", stdout);
        Assert.Contains("best: trial 0 values [2.5]", stdout);
        Assert.Contains("journal deleted", stdout);
        Assert.Equal("error: interrupted: finished trials are kept; running ones are retried once their workers tell FAIL or their leases expire", stderr.Trim());
        Directory.Delete(dir, recursive: true);
    }

    private static async Task<string> Drain(Process run, Task<string> output, Task<string> error)
    {
        run.Kill(entireProcessTree: true);
        return $"{await output}\n{await error}";
    }
}
