using System.Diagnostics;
using System.Net;
using GrpcTuner.Testing;

namespace GrpcTuner.Cli.Tests;

/// <summary><c>grpctuner serve --dashboard-port N</c>: one process serves the API and, on N, the dashboard of itself.</summary>
public sealed class ServeDashboardTests
{
    [Fact]
    public async Task AReplicaServesItsOwnDashboard()
    {
        var port = RedisServer.FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "grpctuner.dll"), "serve", "--memory", "--no-auth", "--port", "0", "--dashboard-port", $"{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? line;
            do
            {
                line = await process.StandardOutput.ReadLineAsync(limit.Token);
            }
            while (line is not null && !line.StartsWith("dashboard of ", StringComparison.Ordinal));
            Assert.Equal($"http://127.0.0.1:{port}/", line?.Split(" at ")[^1]);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var page = await http.GetStringAsync("");
            Assert.Contains("<script src=\"echarts.min.js\"></script>", page);
            // The bundled library is served from the binary, not from a CDN.
            var echarts = await http.GetAsync("echarts.min.js");
            Assert.Equal(HttpStatusCode.OK, echarts.StatusCode);
            Assert.True((await echarts.Content.ReadAsByteArrayAsync()).Length > 500_000);
            Assert.Equal("[]", await http.GetStringAsync("api/studies"));
            // A name that resolves to loopback but is not it (DNS rebinding) is refused.
            using var rebound = new HttpRequestMessage(HttpMethod.Get, "api/studies") { Headers = { Host = "attacker.example" } };
            Assert.Equal(HttpStatusCode.MisdirectedRequest, (await http.SendAsync(rebound)).StatusCode);
            var missing = await http.GetAsync("api/study?study=nope");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Contains("study 'nope' does not exist", await missing.Content.ReadAsStringAsync());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
