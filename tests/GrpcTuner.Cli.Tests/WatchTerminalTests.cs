using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Tests;

/// <summary><c>grpctuner watch</c> on a real terminal: the built program under util-linux's script(1), which gives it a pseudo-terminal.</summary>
[Collection("console")]
public sealed partial class WatchTerminalTests : IAsyncLifetime
{
    private ServerReplica _server = null!;

    public async Task InitializeAsync() => _server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheFirstFrameComesAtOnceAndTheLastFrameOfABurstMatchesStudyShow()
    {
        Assert.True(File.Exists("/usr/bin/script"), "watch's terminal test needs script(1) from util-linux");
        using var client = _server.Client(new GrpcTuner.Client.TunerClientOptions { WorkerId = "burst" });
        var study = await client.CreateStudyAsync(new CreateStudyRequest
        {
            Name = "live",
            SearchSpace = new SearchSpace { Params = { new ParamSpec { Name = "x", Float = new FloatDistribution { Low = 0, High = 1 } } } },
            Directions = { Direction.Minimize },
        });

        var screen = new StringBuilder();
        var watch = Path.Combine(AppContext.BaseDirectory, "grpctuner");
        var psi = new ProcessStartInfo("/usr/bin/script", ["-qfec", $"'{watch}' watch live --server {_server.Address}", "/dev/null"])
        {
            RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        psi.Environment["TERM"] = "xterm-256color";
        psi.Environment["COLUMNS"] = "160";
        var started = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var reader = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (screen)
                {
                    screen.Append(buffer, 0, n);
                }
            }
        });
        try
        {
            var firstFrame = await WaitForAsync(screen, "waiting for trials", TimeSpan.FromSeconds(20));
            Assert.True(firstFrame, $"no first frame:\n{Plain(screen)}");
            var firstFrameAfter = started.Elapsed;

            // A burst: 100 trials asked and told back to back, faster than the view redraws.
            for (var i = 0; i < 100; i++)
            {
                var trial = await study.AskAsync();
                await study.TellAsync(trial, i);
            }

            Assert.True(await WaitForAsync(screen, "100 finished, 0 running", TimeSpan.FromSeconds(10)), $"the burst's last event was not drawn:\n{Plain(screen)}");
            var (code, shown, _) = await CliRunner.RunAsync("study", "show", "live", "--server", _server.Address);
            Assert.Equal(0, code);
            Assert.Contains("trials: 100 (complete 100)", shown);
            Assert.Matches(@"by state\s*│?\s*complete 100\b", LastFrame(Plain(screen)));
            // Process start included: the .NET runtime, the connection and the first draw.
            Assert.True(firstFrameAfter < TimeSpan.FromSeconds(5), $"first frame after {firstFrameAfter}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await reader;
        }
    }

    private static async Task<bool> WaitForAsync(StringBuilder screen, string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (Plain(screen).Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private static string Plain(StringBuilder screen)
    {
        lock (screen)
        {
            return AnsiEscape().Replace(screen.ToString(), "");
        }
    }

    private static string LastFrame(string plain) => plain[plain.LastIndexOf("grpctuner watch", StringComparison.Ordinal)..];

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>78])")]
    private static partial Regex AnsiEscape();
}
