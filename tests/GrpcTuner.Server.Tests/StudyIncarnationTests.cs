using Grpc.Core;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

/// <summary>A worker of a study that was deleted and created again under its name cannot touch the new study's trials.</summary>
[Collection(TwoReplicasCollection.Name)]
public sealed class StudyIncarnationTests(TwoReplicasFixture cluster)
{
    [Fact]
    public async Task ATellForADeletedStudyIsNotFoundAndLeavesTheNewStudysTrialAlone()
    {
        var name = $"reborn-{Guid.NewGuid():N}";
        using var oldWorker = TwoReplicasFixture.Client(cluster.A, "old");
        var before = await oldWorker.CreateStudyAsync(TwoReplicasFixture.Study(name));
        await using var stale = await before.AskAsync();
        await oldWorker.Raw.DeleteStudyAsync(new DeleteStudyRequest { Study = name });

        using var newWorker = TwoReplicasFixture.Client(cluster.B, "new");
        var after = await newWorker.CreateStudyAsync(TwoReplicasFixture.Study(name));
        await using var fresh = await after.AskAsync();
        Assert.Equal(stale.Number, fresh.Number);

        var e = await Assert.ThrowsAsync<RpcException>(() => before.TellAsync(stale, 1.0));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Contains($"study '{name}' with study_id {before.Info.StudyId} does not exist", e.Status.Detail);
        e = await Assert.ThrowsAsync<RpcException>(() => stale.ReportAsync(0, 1.0));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Equal(TrialState.Running, (await newWorker.Raw.GetTrialAsync(new GetTrialRequest { Study = name, TrialNumber = fresh.Number })).State);

        await after.TellAsync(fresh, 2.0);
        Assert.Equal(TrialState.Complete, (await newWorker.Raw.GetTrialAsync(new GetTrialRequest { Study = name, TrialNumber = fresh.Number })).State);
    }
}
