using System.Diagnostics.Metrics;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;
using GrpcTuner.Server.Engine;
using GrpcTuner.Server.Telemetry;
using GrpcTuner.Storage.Embedded;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GrpcTuner.Server.Tests;

/// <summary>The engine's lease rules in simulated time, on the embedded store and without gRPC: no test here sleeps.</summary>
public sealed class EngineLeaseTests : IAsyncDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly TunerTelemetry _telemetry;
    private readonly EmbeddedStudyStore _store = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
    private readonly StudyEngine _engine;

    public EngineLeaseTests()
    {
        _telemetry = new TunerTelemetry(_services.GetRequiredService<IMeterFactory>());
        _engine = new StudyEngine(_store, _clock, _telemetry);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _telemetry.Dispose();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task ASilentTrialFailsWhenItsLeaseEndsAndIsRetriedOnceOnly()
    {
        await CreateAsync("silent", maxRetries: 1);
        var first = (await _engine.AskAsync("silent", "w1", 1, Lease, null, default))[0];
        _clock.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await _engine.ReapAsync(default));
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await _engine.ReapAsync(default));
        var failed = await _engine.GetTrialAsync("silent", first.Number, default);
        Assert.Equal((TrialState.Fail, TrialTransitions.LeaseExpiredReason), (failed.State, failed.Reason));

        var retry = (await _engine.AskAsync("silent", "w2", 1, Lease, null, default))[0];
        Assert.Equal(first.Number, retry.RetriedFrom);
        Assert.Equal(first.Params, retry.Params);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _engine.ReapAsync(default));
        var fresh = (await _engine.AskAsync("silent", "w2", 1, Lease, null, default))[0];
        Assert.Null(fresh.RetriedFrom);

        var late = await Assert.ThrowsAsync<TunerException>(() => _engine.TellAsync("silent", null, first.Number, TrialState.Complete, [1.0], "", Trial.EmptyAttrs, false, Trial.EmptyDistributions, null, default));
        Assert.Equal(ErrorKind.FailedPrecondition, late.Kind);
        Assert.Contains("FAIL", late.Message);
    }

    [Fact]
    public async Task HeartbeatsAndReportsMoveTheDeadline()
    {
        await CreateAsync("beating", maxRetries: 0);
        var trial = (await _engine.AskAsync("beating", "w", 1, Lease, null, default))[0];
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(50));
            if (i % 2 == 0)
            {
                // Without a length of its own a heartbeat keeps the trial's: the Ask's, then the last report's.
                Assert.Equal(_clock.GetUtcNow() + (i == 0 ? Lease : TimeSpan.FromMinutes(2)), await _engine.HeartbeatAsync("beating", null, trial.Number, null, default));
            }
            else
            {
                var outcome = await _engine.ReportAsync("beating", null, trial.Number, i, 1.0, TimeSpan.FromMinutes(2), "", Trial.EmptyDistributions, null, default);
                Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(2), outcome.Deadline);
            }

            Assert.Equal(0, await _engine.ReapAsync(default));
        }

        // A report's lease length becomes the trial's: the next heartbeat without one keeps two minutes.
        _clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(2), await _engine.HeartbeatAsync("beating", null, trial.Number, null, default));
        _clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _engine.ReapAsync(default));
        Assert.Equal(TrialState.Fail, (await _engine.GetTrialAsync("beating", trial.Number, default)).State);
    }

    private Task CreateAsync(string name, int maxRetries) => _engine.CreateStudyAsync(new StudyDefinition(name,
        new SearchSpace([new ParamSpec("x", new FloatDistribution(0, 1))]), [Direction.Minimize], new SamplerSettings(SamplerKind.Random, 1), PrunerSettings.None, maxRetries, Trial.EmptyAttrs), false, default);
}
