using Grpc.Core;
using Grpc.Net.Client;
using GrpcTuner.Server;
using GrpcTuner.Storage.Embedded;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

public sealed class StoreFailureTests
{
    [Fact]
    public async Task AnUnreachableRedisGivesUnavailableAndTheServerStaysUp()
    {
        var redis = await RedisServer.StartAsync();
        await using var replica = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, Redis = redis.Configuration });
        using var channel = GrpcChannel.ForAddress(replica.Address); // no retry policy: the status itself is under test
        var client = new TunerService.TunerServiceClient(channel);
        await client.CreateStudyAsync(TwoReplicasFixture.Study("redis-down"));
        await redis.DisposeAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            client.AskAsync(new AskRequest { Study = "redis-down", WorkerId = "w" }, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Contains("store is unreachable", e.Status.Detail);
    }

    [Fact]
    public async Task AnEmbeddedServerRestartedOnItsJournalLosesNothing()
    {
        var journal = Path.Combine(Path.GetTempPath(), $"grpctuner-{Guid.NewGuid():N}.journal");
        try
        {
            long told;
            await using (var first = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = journal }, new EmbeddedStudyStore(journal)))
            {
                using var client = TwoReplicasFixture.Client(first, "w");
                var study = await client.CreateStudyAsync(TwoReplicasFixture.Study("restart"));
                var trial = await study.AskAsync();
                told = (await study.TellAsync(trial, 4.25)).Number;
                await study.AskAsync();
            }

            await using var second = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = journal }, new EmbeddedStudyStore(journal));
            using var again = TwoReplicasFixture.Client(second, "w");
            var reloaded = await again.LoadStudyAsync("restart");
            var trials = await reloaded.TrialsAsync();
            Assert.Equal([TrialState.Complete, TrialState.Running], trials.Select(t => t.State));
            Assert.Equal(4.25, trials[(int)told].Values[0]);
            Assert.Equal(2, (await reloaded.AskAsync()).Number);
        }
        finally
        {
            File.Delete(journal);
        }
    }
}
