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

    protected override async Task<IStudyStore?> OtherReaderAsync()
    {
        await Store.DisposeAsync();
        return new EmbeddedStudyStore(_path);
    }

    [Fact]
    public async Task AReportWritesItsOwnValueNotTheWholeSeries()
    {
        await ReportManyAsync(2000);
        await Store.DisposeAsync();
        // Each line with the whole series would make 2,000 reports about 2000 * 1000 * 20 bytes = 40 MB.
        var size = new FileInfo(_path).Length;
        Assert.True(size < 2_000_000, $"journal: {size} bytes");
    }

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
    public async Task DefineByRunParamsAndProposalsSurviveARestart()
    {
        var study = await StoreDefineByRunAsync(Store);
        await Store.DisposeAsync();
        await using var reopened = new EmbeddedStudyStore(_path);
        await AssertDefineByRunKeptAsync(reopened, (await reopened.FindStudyAsync(study.Name, default))!);
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

    [Fact]
    public async Task AFlippedByteAnywhereNeverPassesSilently()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        var trials = await ClaimAsync(study, Claim(6));
        foreach (var t in trials)
        {
            await Store.UpdateTrialAsync(study, t, TrialTransitions.Finish("study", t, TrialState.Complete, [t.Number * 0.5], "", Trial.EmptyAttrs, DateTimeOffset.UtcNow), UpdateOptions.None, default);
        }

        await Store.DisposeAsync();
        var whole = await File.ReadAllBytesAsync(_path);
        var rng = new Random(17);
        var (refused, unchanged) = (0, 0);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var damaged = (byte[])whole.Clone();
            var at = rng.Next(damaged.Length);
            damaged[at] ^= (byte)(1 << rng.Next(8));
            var copy = $"{_path}.{attempt}";
            await File.WriteAllBytesAsync(copy, damaged);
            try
            {
                await using var reopened = new EmbeddedStudyStore(copy);
                // It started: then every acknowledged trial is there exactly as told.
                var again = (await reopened.FindStudyAsync("study", default))!;
                var all = await reopened.GetTrialsAsync(again, default);
                Assert.Equal(trials.Select(t => (t.Number, TrialState.Complete, t.Number * 0.5)), all.Select(t => (t.Number, t.State, t.Values[0])));
                unchanged++;
            }
            catch (InvalidDataException e)
            {
                Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(copy)}:\d+: .*'grpctuner journal repair", e.Message);
                refused++;
            }
            finally
            {
                File.Delete(copy);
            }
        }

        Assert.Equal(100, refused + unchanged);
        Assert.True(refused > 90, $"{refused} of 100 flips were refused");
    }

    [Fact]
    public async Task RepairKeepsEveryIntactRecordAndTheDamagedFile()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        var trials = await ClaimAsync(study, Claim(3));
        await Store.UpdateTrialAsync(study, trials[1], TrialTransitions.Finish("study", trials[1], TrialState.Complete, [0.5], "", Trial.EmptyAttrs, DateTimeOffset.UtcNow), UpdateOptions.None, default);
        await Store.DisposeAsync();
        var lines = await File.ReadAllLinesAsync(_path);
        // Damage the last record (trial 1 told COMPLETE): its JSON no longer matches its checksum.
        lines[^1] = lines[^1].Replace("0.5", "0.6", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(_path, lines);

        var e = Assert.Throws<InvalidDataException>(() => new EmbeddedStudyStore(_path));
        Assert.StartsWith($"{_path}:{lines.Length}: the record does not match its checksum", e.Message);
        Assert.Equal([lines.Length], JournalCheck.Damaged(_path).Select(d => d.Line));

        var repair = JournalCheck.Repair(_path);
        Assert.Equal(lines.Length - 1, repair.Kept);
        Assert.True(File.Exists(repair.Original), "the damaged journal is kept");
        await using var reopened = new EmbeddedStudyStore(_path);
        var all = await reopened.GetTrialsAsync((await reopened.FindStudyAsync("study", default))!, default);
        Assert.Equal([TrialState.Running, TrialState.Running, TrialState.Running], all.Select(t => t.State));
        File.Delete(repair.Original!);
    }

    public void Dispose() => File.Delete(_path);
}
