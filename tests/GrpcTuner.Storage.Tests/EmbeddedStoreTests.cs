using GrpcTuner.Core.Domain;
using GrpcTuner.Storage.Embedded;

namespace GrpcTuner.Storage.Tests;

public sealed class EmbeddedStoreContractTests : StoreContractTests
{
    protected override Task<IStudyStore> CreateStoreAsync() => Task.FromResult<IStudyStore>(new EmbeddedStudyStore());

    [Fact]
    public async Task OldChangesAreTrimmedAndAWatcherBehindThemRestartsFromASnapshot()
    {
        await using var store = new EmbeddedStudyStore(maxEvents: 4);
        var study = await store.CreateStudyAsync(Definition(), false, default);
        var first = await store.ReadEventsAsync(study, null, 100, default);
        for (var i = 0; i < 5; i++)
        {
            Assert.IsType<ClaimResult.Claimed>(await store.ClaimTrialsAsync(study, Claim(1), default));
        }

        // Five changes, four kept at most: the older half went, so the first cursor is behind them.
        var behind = await store.ReadEventsAsync(study, first.Cursor, 100, default);
        Assert.Equal([0L, 1, 2, 3, 4], behind.Events.Select(e => e.Trial.Number));
        Assert.Equal("5", behind.Cursor);
        Assert.IsType<ClaimResult.Claimed>(await store.ClaimTrialsAsync(study, Claim(1), default));
        var next = await store.ReadEventsAsync(study, behind.Cursor, 100, default);
        Assert.Equal([5L], next.Events.Select(e => e.Trial.Number));
    }

    [Fact]
    public async Task OnlyTheLatestRequestIdsAreRemembered()
    {
        await using var store = new EmbeddedStudyStore(maxRequestIds: 2);
        var study = await store.CreateStudyAsync(Definition(), false, default);
        foreach (var rid in new[] { "a", "b", "c" })
        {
            await store.ClaimTrialsAsync(study, Claim(1, rid), default);
        }

        var replayed = Assert.IsType<ClaimResult.Claimed>(await store.ClaimTrialsAsync(study, Claim(1, "c"), default));
        Assert.Equal([2L], replayed.Trials.Select(t => t.Number));
        var forgotten = Assert.IsType<ClaimResult.Claimed>(await store.ClaimTrialsAsync(study, Claim(1, "a"), default));
        Assert.Equal([3L], forgotten.Trials.Select(t => t.Number));
    }
}

public sealed class JournaledStoreContractTests : StoreContractTests, IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"grpctuner-{Guid.NewGuid():N}.journal");

    protected override Task<IStudyStore> CreateStoreAsync() => Task.FromResult<IStudyStore>(new EmbeddedStudyStore(_path));

    [Fact]
    public async Task ARestartLosesNothingAcknowledged()
    {
        var study = await Store.CreateStudyAsync(Definition(maxRetries: 2), false, default);
        var trials = await ClaimAsync(study, Claim(3, "req"));
        await Store.UpdateTrialAsync(study, trials[0], TrialTransitions.Finish("study", trials[0], TrialState.Complete, [0.25], "", Trial.EmptyAttrs, DateTimeOffset.UtcNow), UpdateOptions.None, default);
        await Store.ExtendLeaseAsync(study, 1, DateTimeOffset.UtcNow.AddHours(2), default);
        await Store.EnqueueAsync(study, Params(0.75), default);
        await Store.DisposeAsync();

        // A torn line from a crash mid-write was never acknowledged and must be ignored.
        await File.AppendAllTextAsync(_path, "[{\"id\":\"x\",\"op\":\"tri");
        await using var reopened = new EmbeddedStudyStore(_path);
        var again = (await reopened.FindStudyAsync("study", default))!;
        Assert.Equal(study.Id, again.Id);
        var all = await reopened.GetTrialsAsync(again, default);
        Assert.Equal([TrialState.Complete, TrialState.Running, TrialState.Running], all.Select(t => t.State));
        Assert.Equal([0.25], all[0].Values);
        Assert.Equal([2L], await reopened.ExpiredLeasesAsync(again, DateTimeOffset.UtcNow.AddHours(1), 10, default));
        var replay = Assert.IsType<ClaimResult.Claimed>(await reopened.ClaimTrialsAsync(again, Claim(3, "req"), default));
        Assert.Equal([0L, 1, 2], replay.Trials.Select(t => t.Number));
        var next = Assert.IsType<ClaimResult.Claimed>(await reopened.ClaimTrialsAsync(again, Claim(1), default));
        Assert.Equal(0.75, next.Trials[0].Params["x"].AsFloat);
    }

    [Fact]
    public async Task ApiKeysAndTheirRevocationSurviveARestart()
    {
        var keys = (IKeyStore)Store;
        await keys.CreateKeyAsync(Key("k1", "team-a"), default);
        await keys.CreateKeyAsync(Key("k2", "*"), default);
        await keys.RevokeKeyAsync("k1", DateTimeOffset.UnixEpoch.AddDays(1), default);
        await Store.DisposeAsync();

        await using var reopened = new EmbeddedStudyStore(_path);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(1), (await reopened.FindKeyAsync("k1", default))!.RevokedAt);
        Assert.Equal(["*"], (await reopened.FindKeyAsync("k2", default))!.Namespaces);
    }

    public void Dispose() => File.Delete(_path);
}
