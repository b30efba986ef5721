using Grpc.Core;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

/// <summary>What workers say their trials cost: kept per trial (the last report or the Tell), summed by GetStudy, checked field by field.</summary>
[Collection(TwoReplicasCollection.Name)]
public sealed class ComputeTests(TwoReplicasFixture cluster)
{
    [Fact]
    public async Task GetStudySumsWhatTheWorkersReported()
    {
        var name = $"compute-{Guid.NewGuid():N}";
        using var a = TwoReplicasFixture.Client(cluster.A, "gpu-worker");
        using var b = TwoReplicasFixture.Client(cluster.B, "cpu-worker");
        var onA = await a.CreateStudyAsync(TwoReplicasFixture.Study(name));
        var onB = await b.LoadStudyAsync(name);
        await using (var trial = await onA.AskAsync())
        {
            trial.Compute = new Compute { WallSeconds = 10, CpuSeconds = 4, DeviceKind = "cuda", DeviceCount = 2, Samples = 500, Epochs = 1 };
            await trial.ReportAsync(0, 1.0);
            // The Tell's totals replace the report's.
            trial.Compute = new Compute { WallSeconds = 20, CpuSeconds = 8, DeviceKind = "cuda", DeviceCount = 2, Samples = 1000, Epochs = 2 };
            await onA.TellAsync(trial, 1.0);
        }

        await using (var trial = await onB.AskAsync())
        {
            // A report's totals stay when the Tell carries none.
            trial.Compute = new Compute { WallSeconds = 3.5, CpuSeconds = 7, DeviceKind = "cpu", DeviceCount = 1, Samples = 250, Epochs = 1 };
            await trial.ReportAsync(0, 2.0);
            trial.Compute = null;
            await onB.TellAsync(trial, TrialState.Pruned);
        }

        await using (var trial = await onB.AskAsync())
        {
            await onB.TellAsync(trial, TrialState.Fail, "no compute reported");
        }

        var study = await b.Raw.GetStudyAsync(new GetStudyRequest { Study = name });
        Assert.Equal(new Compute { WallSeconds = 23.5, CpuSeconds = 15, DeviceCount = 2, Samples = 1250, Epochs = 3 }, study.ComputeTotal);
        var trials = await onA.TrialsAsync();
        Assert.Equal("cuda", trials[0].Compute.DeviceKind);
        Assert.Equal(250, trials[1].Compute.Samples);
        Assert.Null(trials[2].Compute);
    }

    [Fact]
    public async Task AComputeThatIsNotOneIsRefusedNamingTheField()
    {
        var name = $"compute-bad-{Guid.NewGuid():N}";
        using var client = TwoReplicasFixture.Client(cluster.A, "w");
        var study = await client.CreateStudyAsync(TwoReplicasFixture.Study(name));
        await using var trial = await study.AskAsync();
        foreach (var (compute, field) in new[]
        {
            (new Compute { WallSeconds = -1 }, "compute.wall_seconds"),
            (new Compute { CpuSeconds = double.NaN }, "compute.cpu_seconds"),
            (new Compute { DeviceKind = "gpu; drop table" }, "compute.device_kind"),
            (new Compute { DeviceCount = 5000 }, "compute.device_count"),
            (new Compute { Samples = -5 }, "compute.samples"),
        })
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => client.Raw.ReportAsync(new ReportRequest { Study = name, TrialNumber = trial.Number, Value = 1, Compute = compute }).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains(field, e.Status.Detail);
        }

        Assert.Empty((await client.Raw.GetTrialAsync(new GetTrialRequest { Study = name, TrialNumber = trial.Number })).IntermediateValues);
    }
}
