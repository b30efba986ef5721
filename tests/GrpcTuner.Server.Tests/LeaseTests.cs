using Google.Protobuf.WellKnownTypes;
using GrpcTuner.Testing;
using GrpcTuner.V1;
using Microsoft.Extensions.Time.Testing;

namespace GrpcTuner.Server.Tests;

/// <summary>
/// Leases end to end: a replica on Redis whose clock is simulated, so its reaper (a background service
/// on that clock) expires leases when the test moves time, not after real seconds.
/// </summary>
public sealed class LeaseTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private RedisServer _redis = null!;
    private ServerReplica _replica = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _replica = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, Redis = _redis.Configuration, ReapInterval = TimeSpan.FromSeconds(1) }, time: _clock);
    }

    public async Task DisposeAsync()
    {
        await _replica.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task ASilentWorkersTrialFailsAndIsRetriedOnceOnly()
    {
        using var client = TwoReplicasFixture.Client(_replica, "silent");
        await client.CreateStudyAsync(TwoReplicasFixture.Study("lease-retry", maxRetries: 1));
        var raw = client.Raw;
        var lease = Duration.FromTimeSpan(TimeSpan.FromMinutes(1));
        var first = (await raw.AskAsync(new AskRequest { Study = "lease-retry", WorkerId = "silent", LeaseDuration = lease })).Trials[0];

        await AdvanceAndSettleAsync(TimeSpan.FromSeconds(59));
        Assert.Equal(TrialState.Running, (await raw.GetTrialAsync(new GetTrialRequest { Study = "lease-retry", TrialNumber = 0 })).State);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var failed = await WaitForAsync(raw, "lease-retry", 0, TrialState.Fail);
        Assert.Equal("lease expired", failed.Reason);

        var retry = (await raw.AskAsync(new AskRequest { Study = "lease-retry", WorkerId = "other", LeaseDuration = lease })).Trials[0];
        Assert.Equal(0, retry.RetriedFrom);
        Assert.Equal(first.Params, retry.Params);

        _clock.Advance(TimeSpan.FromSeconds(61));
        await WaitForAsync(raw, "lease-retry", retry.Number, TrialState.Fail);
        var fresh = (await raw.AskAsync(new AskRequest { Study = "lease-retry", WorkerId = "other" })).Trials[0];
        Assert.False(fresh.HasRetriedFrom, "max_retries=1 allows one re-run only");
        var all = (await raw.ListTrialsAsync(new ListTrialsRequest { Study = "lease-retry" })).Trials;
        Assert.Equal(1, all.Count(t => t.HasRetriedFrom));
    }

    [Fact]
    public async Task HeartbeatsAndReportsKeepATrialAlive()
    {
        using var client = TwoReplicasFixture.Client(_replica, "beating");
        await client.CreateStudyAsync(TwoReplicasFixture.Study("lease-alive"));
        var raw = client.Raw;
        var lease = Duration.FromTimeSpan(TimeSpan.FromMinutes(1));
        var trial = (await raw.AskAsync(new AskRequest { Study = "lease-alive", WorkerId = "beating", LeaseDuration = lease })).Trials[0];
        for (var i = 0; i < 3; i++)
        {
            await AdvanceAndSettleAsync(TimeSpan.FromSeconds(50));
            await raw.HeartbeatAsync(new HeartbeatRequest { Study = "lease-alive", TrialNumber = trial.Number });
            await AdvanceAndSettleAsync(TimeSpan.FromSeconds(50));
            await raw.ReportAsync(new ReportRequest { Study = "lease-alive", TrialNumber = trial.Number, Step = i, Value = 1.0 });
        }

        // 300 s of simulated time have passed against a 60 s lease, renewed every 50 s.
        Assert.Equal(TrialState.Running, (await raw.GetTrialAsync(new GetTrialRequest { Study = "lease-alive", TrialNumber = trial.Number })).State);

        var told = await raw.TellAsync(new TellRequest { Study = "lease-alive", TrialNumber = trial.Number, State = TrialState.Complete, Values = { 1.0 } });
        Assert.Equal(TrialState.Complete, told.State);
    }

    /// <summary>The trial once it reached <paramref name="state"/>: the reaper's timer fired when the clock moved; this waits (briefly, in real time) for its pass.</summary>
    private static async Task<Trial> WaitForAsync(TunerService.TunerServiceClient raw, string study, long number, TrialState state)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var trial = await raw.GetTrialAsync(new GetTrialRequest { Study = study, TrialNumber = number });
            if (trial.State == state || DateTime.UtcNow > until)
            {
                Assert.Equal(state, trial.State);
                return trial;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Moves the clock and gives the reaper's pass at that time a moment to run: for checks that a lease still holds.</summary>
    private async Task AdvanceAndSettleAsync(TimeSpan by)
    {
        _clock.Advance(by);
        await Task.Delay(200);
    }
}
