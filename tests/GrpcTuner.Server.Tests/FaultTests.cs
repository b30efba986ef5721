using Grpc.Core;
using GrpcTuner.Client;
using GrpcTuner.Testing;
using GrpcTuner.V1;
using Xunit.Abstractions;

namespace GrpcTuner.Server.Tests;

/// <summary>Faults under load, on loopback and bounded in time: a replica killed with -9, and Redis killed and restarted.</summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    private static CreateStudyRequest RandomStudy(string name) => TwoReplicasFixture.Study(name, new SamplerConfig { Seed = 3, Random = new RandomSamplerConfig() });

    [Fact]
    public async Task KillingOneOfTwoReplicasUnder32ClientsLosesNoAcknowledgedTellAndClientsCarryOn()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ServerProcess.StartAsync("--redis", redis.Configuration, "--no-auth");
        await using var b = await ServerProcess.StartAsync("--redis", redis.Configuration, "--no-auth");
        using var observer = new TunerClient(b.Address);
        await observer.CreateStudyAsync(RandomStudy("kill-9"));

        var load = new AskTellLoad();
        using var stop = new CancellationTokenSource();
        var run = load.RunAsync(w => new TunerClient($"{a.Address},{b.Address}", new TunerClientOptions { WorkerId = w }), "kill-9", 32, TimeSpan.Zero, stop.Token);
        // The kill waits for the load to be under way rather than for a fixed time, which a loaded machine can spend starting up.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (load.Acknowledged.Count <= 200 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var beforeKill = load.Acknowledged.Count;
        var killedAt = load.Elapsed;
        await a.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        await stop.CancelAsync();
        await run;

        var trials = await (await observer.LoadStudyAsync("kill-9")).TrialsAsync();
        var carriedOn = load.WorkersAcknowledgedAfter(killedAt + TimeSpan.FromSeconds(1));
        output.WriteLine($"acknowledged Tells: {beforeKill} before the kill, {load.Acknowledged.Count} in all; trials stored {trials.Count}; " +
            $"clients acknowledged after the kill: {carriedOn}/32; errors seen by clients: {Describe(load.Errors)}");
        Assert.True(beforeKill > 200, $"only {beforeKill} Tells in 60 s before the kill: the load did not run");
        Assert.Empty(load.DuplicateNumbers);
        Assert.Equal(trials.Count, trials.Select(t => t.Number).Distinct().Count());
        foreach (var (number, value) in load.Acknowledged)
        {
            Assert.Equal(TrialState.Complete, trials[(int)number].State);
            Assert.Equal(value, trials[(int)number].Values[0]);
        }

        Assert.Equal(32, carriedOn);
    }

    [Fact]
    public async Task ARedisRestartGivesUnavailableWhileDownThenRecoversAndLosesNoAcknowledgedWrite()
    {
        await using var redis = await RedisServer.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        await using var replica = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, Redis = redis.Configuration });
        using var observer = replica.Client();
        await observer.CreateStudyAsync(RandomStudy("redis-restart"));

        var load = new AskTellLoad();
        using var stop = new CancellationTokenSource();
        // One attempt per call, so that the statuses the service answers are what the test sees.
        var run = load.RunAsync(w => replica.Client(new TunerClientOptions { WorkerId = w, MaxAttempts = 1 }), "redis-restart", 8, TimeSpan.Zero, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var beforeKill = load.Acknowledged.Count;
        await redis.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var errorsWhileDown = load.Errors.ToDictionary();
        var restartedAt = load.Elapsed;
        await redis.StartAgainAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (load.WorkersAcknowledgedAfter(restartedAt) < 8 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var recoveredAfter = load.Elapsed - restartedAt;
        await stop.CancelAsync();
        await run;

        var trials = await (await observer.LoadStudyAsync("redis-restart")).TrialsAsync();
        output.WriteLine($"acknowledged Tells: {beforeKill} before the kill, {load.Acknowledged.Count} in all; every worker served again {recoveredAfter.TotalSeconds:F1} s after the restart; " +
            $"errors while down: {Describe(errorsWhileDown)}; in all: {Describe(load.Errors)}");
        Assert.True(errorsWhileDown.GetValueOrDefault(StatusCode.Unavailable) > 0, "no UNAVAILABLE while Redis was down");
        Assert.Equal([StatusCode.Unavailable], load.Errors.Keys);
        Assert.Equal(8, load.WorkersAcknowledgedAfter(restartedAt));
        foreach (var (number, value) in load.Acknowledged)
        {
            Assert.Equal(TrialState.Complete, trials[(int)number].State);
            Assert.Equal(value, trials[(int)number].Values[0]);
        }
    }

    private static string Describe(IReadOnlyDictionary<StatusCode, int> errors) =>
        errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{e.Key} x{e.Value}"));
}
