using System.Diagnostics.Metrics;
using GrpcTuner.Core.Domain;
using GrpcTuner.Server.Engine;
using GrpcTuner.Server.Telemetry;
using GrpcTuner.Storage.Embedded;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcTuner.Server.Tests;

/// <summary>The engine on the embedded store, without gRPC: work a caller gave up on leaves nothing behind.</summary>
public sealed class EngineCancellationTests
{
    [Fact]
    public async Task ACancelledCreateStudyCreatesNothing()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var telemetry = new TunerTelemetry(services.GetRequiredService<IMeterFactory>());
        await using var store = new EmbeddedStudyStore();
        var engine = new StudyEngine(store, TimeProvider.System, telemetry);
        // The largest categorical a study may have: validating it is the slowest part of a CreateStudy.
        var choices = Enumerable.Range(0, 10_000).Select(i => ParamValue.Of($"c{i}")).ToList();
        var definition = new StudyDefinition("given-up", new SearchSpace([new ParamSpec("c", new CategoricalDistribution(choices))]),
            [Direction.Minimize], new SamplerSettings(SamplerKind.Tpe, 1), PrunerSettings.None, 0, Trial.EmptyAttrs);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.CreateStudyAsync(definition, false, cancelled.Token));
        Assert.Null(await store.FindStudyAsync("given-up", default));
        Assert.NotNull(await engine.CreateStudyAsync(definition, false, default));
    }
}
