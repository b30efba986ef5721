using Grpc.Health.V1;
using Grpc.Net.Client;
using GrpcTuner.Testing;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace GrpcTuner.Server.Tests;

/// <summary>The gRPC health check reflects the store: a replica whose Redis is down is NOT_SERVING, and SERVING again once Redis is back.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task HealthFollowsRedis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var replica = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, Redis = redis.Configuration });
        using var channel = GrpcChannel.ForAddress(replica.Address);
        var health = new Health.HealthClient(channel);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        await redis.KillAsync();
        Assert.Equal(ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);

        await redis.StartAgainAsync();
        var status = ServingStatus.Unknown;
        for (var i = 0; i < 100 && status != ServingStatus.Serving; i++)
        {
            await Task.Delay(100);
            status = (await health.CheckAsync(new HealthCheckRequest())).Status;
        }

        Assert.Equal(ServingStatus.Serving, status);
    }
}

/// <summary><c>grpctuner-server --probe</c>, the compose file's readiness check, against the built server.</summary>
public sealed class ReadinessProbeTests
{
    [Fact]
    public async Task TheProbeSucceedsWhileTheStoreAnswersAndSaysWhyNot()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await ServerProcess.StartAsync("--no-auth", "--redis", redis.Configuration);
        var port = new Uri(server.Address).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (code, output) = await ProbeAsync("--port", port);
        Assert.True(code == 0, output);
        Assert.Contains($"serving at http://127.0.0.1:{port}", output);

        await redis.KillAsync();
        (code, output) = await ProbeAsync("--port", port);
        Assert.Equal(1, code);
        Assert.Contains("is NotServing: its store does not answer", output);

        await server.KillAsync();
        (code, output) = await ProbeAsync("--port", port);
        Assert.Equal(1, code);
        Assert.Contains($"error: no replica answers at http://127.0.0.1:{port}", output);
    }

    private static async Task<(int Code, string Output)> ProbeAsync(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "grpctuner-server"), ["--probe", .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var probe = System.Diagnostics.Process.Start(psi)!;
        var output = probe.StandardOutput.ReadToEndAsync();
        var error = probe.StandardError.ReadToEndAsync();
        await probe.WaitForExitAsync();
        return (probe.ExitCode, await output + await error);
    }
}

/// <summary>The start-up lines of the built server: where gRPC is served, and the metrics endpoint on a line of its own.</summary>
public sealed class StartupLineTests
{
    [Fact]
    public async Task TheMetricsEndpointIsNotListedAsAServingAddress()
    {
        var metrics = RedisServer.FreePort();
        await using var server = await ServerProcess.StartAsync("--no-auth", "--metrics-port", $"{metrics}", "--journal", Path.Combine(Path.GetTempPath(), $"startup-{Guid.NewGuid():N}.journal"));
        for (var i = 0; i < 100 && !server.Printed.Any(l => l.Contains("Prometheus metrics at", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50);
        }

        var all = string.Join('\n', server.Printed);
        Assert.Contains($"Serving on {server.Address} with the embedded store", all);
        Assert.Contains($"Prometheus metrics at http://127.0.0.1:{metrics}/metrics (HTTP/1.1)", all);
    }
}
