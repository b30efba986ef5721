using System.Diagnostics;
using Grpc.Core;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

/// <summary>A stopping replica does not wait on open watch streams: they end at once with UNAVAILABLE and the cursor to resume from.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task AnOpenWatchEndsWithUnavailableAndDoesNotHoldTheShutdown()
    {
        var replica = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null });
        using var client = replica.Client(new GrpcTuner.Client.TunerClientOptions { WorkerId = "w", MaxAttempts = 1 });
        var study = await client.CreateStudyAsync(TwoReplicasFixture.Study($"shutdown-{Guid.NewGuid():N}"));
        await study.TellAsync(await study.AskAsync(), 1.0);
        using var watch = client.Raw.WatchStudy(new WatchStudyRequest { Study = study.Name });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        var cursor = watch.ResponseStream.Current.Cursor;
        var reading = Task.Run(async () =>
        {
            while (await watch.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

        var stopping = Stopwatch.StartNew();
        await replica.DisposeAsync();
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(4), $"the replica took {stopping.Elapsed} to stop with a watch open");
        var ended = await Assert.ThrowsAsync<RpcException>(() => reading);
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Contains($"resume the watch from cursor '{cursor}' on another replica", ended.Status.Detail);
    }
}
