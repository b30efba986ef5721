using System.Diagnostics;
using Grpc.Core;
using GrpcTuner.Client;
using GrpcTuner.Server.Telemetry;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

/// <summary>The Prometheus endpoint of a real replica, scraped over HTTP/1.1, and the Ask and Tell spans.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task PrometheusSeesRequestsLatenciesTrialStatesLeaseExpiriesAndSamplingTime()
    {
        // Its own process: meters are process-wide, and other tests run replicas in this one.
        var metricsPort = RedisServer.FreePort();
        await using var server = await ServerProcess.StartAsync("--no-auth", "--journal", Path.Combine(Path.GetTempPath(), $"metrics-{Guid.NewGuid():N}.journal"),
            "--reap-interval", "00:00:00.100", "--metrics-port", metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = new TunerClient(server.Address, new TunerClientOptions { WorkerId = "metrics", Lease = TimeSpan.FromSeconds(1), MaxAttempts = 1 });
        var study = await client.CreateStudyAsync(TwoReplicasFixture.Study("metered", new SamplerConfig { Seed = 1, Random = new RandomSamplerConfig() }));
        await study.TellAsync(await study.AskAsync(), 0.5);
        await study.TellAsync(await study.AskAsync(), TrialState.Pruned);
        await Assert.ThrowsAsync<RpcException>(() => client.Raw.GetStudyAsync(new GetStudyRequest { Study = "missing" }).ResponseAsync);
        await client.Raw.AskAsync(new AskRequest { Study = "metered", WorkerId = "gone", LeaseDuration = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string text;
        do
        {
            await Task.Delay(250); // the exporter caches a scrape briefly, and the lease needs a moment to run out
            text = await http.GetStringAsync("/metrics");
        }
        while (!text.Contains("grpctuner_lease_expiries_total", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Matches("grpctuner_requests_total\\{[^}]*rpc=\"Ask\"[^}]*status=\"OK\"[^}]*\\} 3", text);
        Assert.Matches("grpctuner_requests_total\\{[^}]*rpc=\"GetStudy\"[^}]*status=\"NotFound\"[^}]*\\} 1", text);
        Assert.Matches("grpctuner_request_duration_seconds_bucket\\{[^}]*rpc=\"Tell\"", text);
        Assert.Matches("grpctuner_trials_total\\{[^}]*state=\"running\"[^}]*\\} 3", text);
        Assert.Matches("grpctuner_trials_total\\{[^}]*state=\"complete\"[^}]*\\} 1", text);
        Assert.Matches("grpctuner_trials_total\\{[^}]*state=\"pruned\"[^}]*\\} 1", text);
        Assert.Matches("grpctuner_lease_expiries_total(\\{[^}]*\\})? 1", text);
        Assert.Matches("grpctuner_sampling_duration_seconds_count\\{[^}]*sampler=\"random\"[^}]*\\} 3", text);
    }

    [Fact]
    public async Task AskAndTellLeaveSpansWithTheStudyAndTrial()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == TunerTelemetry.Name,
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (spans)
                {
                    spans.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null });
        using var client = server.Client(new TunerClientOptions { WorkerId = "traced" });
        var study = await client.CreateStudyAsync(TwoReplicasFixture.Study("traced"));
        var trial = await study.AskAsync();
        await study.TellAsync(trial, 0.25);

        Activity[] mine;
        lock (spans)
        {
            mine = spans.Where(s => (string?)s.GetTagItem("grpctuner.study") == "traced").ToArray();
        }

        var ask = Assert.Single(mine, s => s.OperationName == "Ask");
        Assert.Equal(trial.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), ask.GetTagItem("grpctuner.trials"));
        var tell = Assert.Single(mine, s => s.OperationName == "Tell");
        Assert.Equal(trial.Number, tell.GetTagItem("grpctuner.trial"));
        Assert.Equal("complete", tell.GetTagItem("grpctuner.state"));
        lock (spans)
        {
            Assert.Contains(spans, s => s.OperationName == "Sample" && s.ParentSpanId == ask.SpanId);
        }
    }
}
