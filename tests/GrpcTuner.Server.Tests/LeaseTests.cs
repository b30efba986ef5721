using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

[Collection(TwoReplicasCollection.Name)]
public sealed class LeaseTests(TwoReplicasFixture cluster)
{
    [Fact]
    public async Task ASilentWorkersTrialFailsAndIsRetriedOnceOnly()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "silent");
        await client.CreateStudyAsync(TwoReplicasFixture.Study("lease-retry", maxRetries: 1));
        var raw = client.Raw;
        var lease = Duration.FromTimeSpan(TimeSpan.FromSeconds(1));
        var first = (await raw.AskAsync(new AskRequest { Study = "lease-retry", WorkerId = "silent", LeaseDuration = lease })).Trials[0];

        var clock = Stopwatch.StartNew();
        var failed = await WaitForStateAsync(raw, 0, TrialState.Fail);
        // Lease 1 s plus a 200 ms reap interval; the rest is slack for a loaded machine.
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.5, 3.0);
        Assert.Equal("lease expired", failed.Reason);

        var retry = (await raw.AskAsync(new AskRequest { Study = "lease-retry", WorkerId = "other", LeaseDuration = lease })).Trials[0];
        Assert.Equal(0, retry.RetriedFrom);
        Assert.Equal(first.Params, retry.Params);

        await WaitForStateAsync(raw, retry.Number, TrialState.Fail);
        var fresh = (await raw.AskAsync(new AskRequest { Study = "lease-retry", WorkerId = "other" })).Trials[0];
        Assert.False(fresh.HasRetriedFrom, "max_retries=1 allows one re-run only");
        var all = (await raw.ListTrialsAsync(new ListTrialsRequest { Study = "lease-retry" })).Trials;
        Assert.Equal(1, all.Count(t => t.HasRetriedFrom));
    }

    [Fact]
    public async Task HeartbeatsAndReportsKeepATrialAlive()
    {
        using var client = TwoReplicasFixture.Client(cluster.B, "beating", lease: TimeSpan.FromSeconds(1));
        var study = await client.CreateStudyAsync(TwoReplicasFixture.Study("lease-alive"));
        await using var trial = await study.AskAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.False(await trial.ReportAsync(0, 1.0));
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        var told = await study.TellAsync(trial, 1.0);
        Assert.Equal(TrialState.Complete, told.State);
    }

    private static async Task<Trial> WaitForStateAsync(TunerService.TunerServiceClient raw, long number, TrialState state)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var trial = await raw.GetTrialAsync(new GetTrialRequest { Study = "lease-retry", TrialNumber = number });
            if (trial.State == state || DateTime.UtcNow > until)
            {
                Assert.Equal(state, trial.State);
                return trial;
            }

            await Task.Delay(50);
        }
    }
}
