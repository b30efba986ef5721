using GrpcTuner.Core.Access;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;

namespace GrpcTuner.Storage.Tests;

/// <summary>The one suite every store must pass; each store runs it through a subclass.</summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    protected IStudyStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public async Task DisposeAsync() => await Store.DisposeAsync();

    protected abstract Task<IStudyStore> CreateStoreAsync();

    /// <summary>A store that reads what <see cref="Store"/> wrote without sharing its memory: another replica, or the journal reopened; null where there is none.</summary>
    protected virtual Task<IStudyStore?> OtherReaderAsync() => Task.FromResult<IStudyStore?>(null);

    /// <summary>Reports <paramref name="count"/> steps on one trial, out of step order and one step twice.</summary>
    protected async Task<(Study Study, Trial Trial)> ReportManyAsync(int count)
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        var trial = (await ClaimAsync(study, Claim(1)))[0];
        for (var i = 0; i <= count; i++)
        {
            // Steps 0..count-1 in a scrambled order (7 is prime to the counts used), then step 3 again with another value.
            var step = i < count ? (i * 7L) % count : 3;
            var next = TrialTransitions.Report("study", trial, step, i < count ? step * 0.5 : -1, Now, Lease);
            Assert.IsType<UpdateResult.Applied>(await Store.UpdateTrialAsync(study, trial, next, UpdateOptions.None, default));
            trial = next;
        }

        return (study, trial);
    }

    protected static StudyDefinition Definition(string name = "study", int maxRetries = 0) => new(name,
        new SearchSpace([new ParamSpec("x", new FloatDistribution(0, 1)), new ParamSpec("c", new CategoricalDistribution([ParamValue.Of("a"), ParamValue.Of(true)]))]),
        [Direction.Minimize], new SamplerSettings(SamplerKind.Random, 1), PrunerSettings.None, maxRetries, new Dictionary<string, string> { ["team"] = "ml" });

    protected static QueuedParams Params(double x) =>
        new(new Dictionary<string, ParamValue> { ["x"] = ParamValue.Of(x), ["c"] = ParamValue.Of(true) }, Trial.EmptyAttrs, null);

    protected static TrialClaim Claim(int count, string? requestId = null, params double[] xs) =>
        new(requestId, "worker-1", Now, Lease, count, (xs.Length == 0 ? Enumerable.Range(0, count).Select(i => i / 10.0).ToArray() : xs).Select(Params).ToList());

    protected async Task<IReadOnlyList<Trial>> ClaimAsync(Study study, TrialClaim claim) =>
        Assert.IsType<ClaimResult.Claimed>(await Store.ClaimTrialsAsync(study, claim, default)).Trials;

    protected static ApiKey Key(string id, params string[] namespaces) =>
        new(id, ApiKeySecret.Hash($"gtk_{id}_secret"), namespaces, Role.Write, "ci", Now.AddSeconds(id.Length));

    [Fact]
    public async Task ApiKeysAreCreatedFoundListedAndRevokedOnce()
    {
        var keys = (IKeyStore)Store;
        await keys.CreateKeyAsync(Key("bb", "team-a"), default);
        await keys.CreateKeyAsync(Key("a", "team-b", "team-c"), default);

        var found = await keys.FindKeyAsync("bb", default);
        Assert.Equal(["team-a"], found!.Namespaces);
        Assert.Equal(Role.Write, found.Role);
        Assert.True(ApiKeySecret.Matches("gtk_bb_secret", found.SecretHash));
        Assert.Null(await keys.FindKeyAsync("missing", default));
        Assert.Equal(["a", "bb"], (await keys.ListKeysAsync(default)).Select(k => k.Id));

        var revoked = await keys.RevokeKeyAsync("bb", Now.AddMinutes(1), default);
        Assert.Equal(Now.AddMinutes(1), revoked!.RevokedAt);
        Assert.Equal(Now.AddMinutes(1), (await keys.RevokeKeyAsync("bb", Now.AddMinutes(5), default))!.RevokedAt);
        Assert.Equal(Now.AddMinutes(1), (await keys.FindKeyAsync("bb", default))!.RevokedAt);
        Assert.Null(await keys.RevokeKeyAsync("missing", Now, default));
    }

    [Fact]
    public async Task StudiesAreCreatedFoundListedAndDeleted()
    {
        var study = await Store.CreateStudyAsync(Definition("b-study"), false, default);
        await Store.CreateStudyAsync(Definition("a-study"), false, default);
        var found = await Store.FindStudyAsync("b-study", default);
        Assert.Equal(study.Id, found!.Id);
        Assert.Equal(study.Definition.Space, found.Definition.Space);
        Assert.Equal("ml", found.Definition.UserAttrs["team"]);
        Assert.Equal(["a-study", "b-study"], (await Store.ListStudiesAsync(null, 10, default)).Select(s => s.Name));
        Assert.Equal(["b-study"], (await Store.ListStudiesAsync("a-study", 10, default)).Select(s => s.Name));
        Assert.True(await Store.DeleteStudyAsync("b-study", default));
        Assert.Null(await Store.FindStudyAsync("b-study", default));
        Assert.False(await Store.DeleteStudyAsync("b-study", default));
    }

    [Fact]
    public async Task ANameClashFailsUnlessLoadIfExists()
    {
        var first = await Store.CreateStudyAsync(Definition(), false, default);
        var e = await Assert.ThrowsAsync<TunerException>(() => Store.CreateStudyAsync(Definition(), false, default));
        Assert.Equal(ErrorKind.AlreadyExists, e.Kind);
        Assert.Equal(first.Id, (await Store.CreateStudyAsync(Definition(), true, default)).Id);
    }

    [Fact]
    public async Task ClaimsNumberTrialsDenselyAndLeaseThem()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        var first = await ClaimAsync(study, Claim(2));
        var second = await ClaimAsync(study, Claim(1));
        Assert.Equal([0L, 1, 2], first.Concat(second).Select(t => t.Number));
        Assert.All(first, t => Assert.Equal(TrialState.Running, t.State));
        Assert.Equal(Now.ToUnixTimeMilliseconds() + 30_000, first[0].LeaseDeadline!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(0.1, first[1].Params["x"].AsFloat);
        Assert.True(first[1].Params["c"].AsBool);
        var all = await Store.GetTrialsAsync(study, default);
        Assert.Equal(3, all.Count);
        Assert.Equal("worker-1", all[2].WorkerId);
    }

    [Fact]
    public async Task ARepeatedRequestIdReturnsTheSameTrials()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        var first = await ClaimAsync(study, Claim(2, "req-1"));
        var again = await ClaimAsync(study, Claim(2, "req-1", 0.7, 0.8));
        Assert.Equal(first.Select(t => t.Number), again.Select(t => t.Number));
        Assert.Equal(first.Select(t => t.Params["x"]), again.Select(t => t.Params["x"]));
        Assert.Equal(2, (await Store.GetTrialsAsync(study, default)).Count);
    }

    [Fact]
    public async Task QueuedParamsGoFirst()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        Assert.Equal(1, await Store.EnqueueAsync(study, Params(0.9), default));
        Assert.Equal(2, await Store.EnqueueAsync(study, Params(0.8), default));
        var trials = await ClaimAsync(study, Claim(3, null, 0.1, 0.2, 0.3));
        Assert.Equal([0.9, 0.8, 0.1], trials.Select(t => t.Params["x"].AsFloat));
        Assert.Equal([0.2], (await ClaimAsync(study, Claim(1, null, 0.2))).Select(t => t.Params["x"].AsFloat));
    }

    [Fact]
    public async Task SequenceClaimsTakeEachIndexOnceAndEndWhenExhausted()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        TrialClaim Window(long start, int count, params double[] xs) =>
            new(null, "w", Now, Lease, count, xs.Select(Params).ToList(), new SequenceWindow(start, 3));
        Assert.Equal([0.0, 0.1], (await ClaimAsync(study, Window(0, 2, 0.0, 0.1, 0.2))).Select(t => t.Params["x"].AsFloat));
        Assert.Equal(2, Assert.IsType<ClaimResult.Retry>(await Store.ClaimTrialsAsync(study, Window(0, 1, 0.0), default)).Next);
        Assert.Equal([0.2], (await ClaimAsync(study, Window(2, 2, 0.2))).Select(t => t.Params["x"].AsFloat));
        Assert.Equal(3, Assert.IsType<ClaimResult.Exhausted>(await Store.ClaimTrialsAsync(study, Window(3, 1), default)).Size);
        await Store.EnqueueAsync(study, Params(0.5), default);
        Assert.Equal([0.5], (await ClaimAsync(study, Window(3, 1))).Select(t => t.Params["x"].AsFloat));
    }

    [Fact]
    public async Task CountedParamsTakePlacesOfTheSequenceAndAreRefusedWhenItIsFull()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        TrialClaim Window(long start, params double[] xs) => new(null, "w", Now, Lease, 1, xs.Select(Params).ToList(), new SequenceWindow(start, 3));
        Assert.Equal(1, await Store.EnqueueCountedAsync(study, Params(0.9), 3, default));
        Assert.Equal(2, await Store.EnqueueCountedAsync(study, Params(0.8), 3, default));
        Assert.Equal([0.9], (await ClaimAsync(study, Window(2, 0.3))).Select(t => t.Params["x"].AsFloat));
        Assert.Equal([0.8], (await ClaimAsync(study, Window(2, 0.3))).Select(t => t.Params["x"].AsFloat));
        Assert.Equal([0.3], (await ClaimAsync(study, Window(2, 0.3))).Select(t => t.Params["x"].AsFloat));
        Assert.Null(await Store.EnqueueCountedAsync(study, Params(0.7), 3, default));
        Assert.Equal(3, Assert.IsType<ClaimResult.Exhausted>(await Store.ClaimTrialsAsync(study, Window(3), default)).Size);
        Assert.Equal(3, (await Store.GetTrialsAsync(study, default)).Count);
    }

    [Fact]
    public async Task UpdatesApplyOnlyToTheVersionTheyWereComputedFrom()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        var trial = (await ClaimAsync(study, Claim(1)))[0];
        var done = TrialTransitions.Finish("study", trial, TrialState.Complete, [0.5], "", Trial.EmptyAttrs, Now);
        Assert.IsType<UpdateResult.Applied>(await Store.UpdateTrialAsync(study, trial, done, UpdateOptions.None, default));
        var stale = TrialTransitions.Finish("study", trial, TrialState.Fail, [], "", Trial.EmptyAttrs, Now);
        var conflict = Assert.IsType<UpdateResult.Conflict>(await Store.UpdateTrialAsync(study, trial, stale, UpdateOptions.None, default));
        Assert.Equal(TrialState.Complete, conflict.Current.State);
        Assert.Equal([0.5], conflict.Current.Values);
        Assert.IsType<UpdateResult.Missing>(await Store.UpdateTrialAsync(study, trial with { Number = 7 }, done with { Number = 7 }, UpdateOptions.None, default));
        Assert.Equal(TrialState.Complete, (await Store.GetTrialAsync(study, 0, default))!.State);
    }

    [Fact]
    public async Task LeasesExtendExpireAndRequeueAtomically()
    {
        var study = await Store.CreateStudyAsync(Definition(maxRetries: 1), false, default);
        var trials = await ClaimAsync(study, Claim(2));
        Assert.Equal([0L, 1], await Store.ExpiredLeasesAsync(study, Now + Lease, 10, default));
        Assert.True(await Store.ExtendLeaseAsync(study, 1, Now + TimeSpan.FromHours(1), default));
        Assert.Equal([0L], await Store.ExpiredLeasesAsync(study, Now + Lease, 10, default));
        Assert.Empty(await Store.ExpiredLeasesAsync(study, Now, 10, default));

        // The lease of trial 1 was renewed: a reaper that saw it expired must not fail it.
        var (failed1, _) = TrialTransitions.Expire(trials[1], 1, trials, Now + Lease);
        Assert.IsType<UpdateResult.Conflict>(await Store.UpdateTrialAsync(study, trials[1], failed1, new UpdateOptions(null, Now + Lease), default));

        var (failed0, retry) = TrialTransitions.Expire(trials[0], 1, trials, Now + Lease);
        Assert.IsType<UpdateResult.Applied>(await Store.UpdateTrialAsync(study, trials[0], failed0, new UpdateOptions(retry, Now + Lease), default));
        Assert.False(await Store.ExtendLeaseAsync(study, 0, Now + TimeSpan.FromHours(1), default));
        var rerun = (await ClaimAsync(study, Claim(1, null, 0.99)))[0];
        Assert.Equal(0, rerun.RetriedFrom);
        Assert.Equal(trials[0].Params["x"], rerun.Params["x"]);
    }

    [Fact]
    public async Task DefineByRunParamsAndProposalsAreKeptWithTheirDistributions() => await AssertDefineByRunKeptAsync(Store, await StoreDefineByRunAsync(Store));

    /// <summary>A queued and a suggested proposal, a recorded define-by-run parameter, and an imported define-by-run trial.</summary>
    protected static async Task<Study> StoreDefineByRunAsync(IStudyStore store)
    {
        var study = await store.CreateStudyAsync(Definition("dbr"), false, default);
        await store.EnqueueAsync(study, Params(0.5) with { Proposals = new Dictionary<string, Proposal> { ["n"] = new(ParamValue.Of(3L), null) } }, default);
        var suggested = Params(0.6) with { Proposals = new Dictionary<string, Proposal> { ["lr"] = new(ParamValue.Of(0.01), LogLr) } };
        var trials = Assert.IsType<ClaimResult.Claimed>(await store.ClaimTrialsAsync(study, new TrialClaim(null, "w", Now, Lease, 2, [suggested, suggested]), default)).Trials;
        var recorded = SuggestTransitions.Record(trials[1], "lr", LogLr, ParamValue.Of(0.01));
        Assert.IsType<UpdateResult.Applied>(await store.UpdateTrialAsync(study, trials[1], recorded, UpdateOptions.None, default));
        var imported = new Trial
        {
            Number = 0, Params = new Dictionary<string, ParamValue>(Params(0.25).Params) { ["lr"] = ParamValue.Of(0.001) }, State = TrialState.Complete,
            Values = [1.0], CompleteTime = Now, Distributions = new Dictionary<string, Distribution> { ["lr"] = LogLr },
        };
        await store.AddTrialsAsync(study, [imported], default);
        return study;
    }

    protected static async Task AssertDefineByRunKeptAsync(IStudyStore store, Study study)
    {
        var all = await store.GetTrialsAsync(study, default);
        Assert.Equal(new Proposal(ParamValue.Of(3L), null), all[0].Proposals["n"]);
        Assert.Empty(all[0].Distributions);
        Assert.Equal(ParamValue.Of(0.01), all[1].Params["lr"]);
        Assert.Equal(LogLr, all[1].Distributions["lr"]);
        Assert.Empty(all[1].Proposals);
        Assert.Equal(LogLr, all[2].Distributions["lr"]);
        Assert.Equal(ParamValue.Of(0.001), all[2].Params["lr"]);
    }

    private static readonly FloatDistribution LogLr = new(1e-5, 1e-1, Log: true);

    [Fact]
    public async Task ImportedTrialsGetTheNextNumbers()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        await ClaimAsync(study, Claim(1));
        var imported = new Trial
        {
            Number = 0, Params = Params(0.25).Params, State = TrialState.Complete, Values = [1.25],
            Intermediate = [new IntermediateValue(0, 2.0)], CompleteTime = Now,
        };
        Assert.Equal([1L, 2], await Store.AddTrialsAsync(study, [imported, imported with { Values = [3.0] }], default));
        var all = await Store.GetTrialsAsync(study, default);
        Assert.Equal([1.25], all[1].Values);
        Assert.Equal([new IntermediateValue(0, 2.0)], all[1].Intermediate);
        Assert.Equal(TrialState.Complete, all[2].State);
    }

    [Fact]
    public async Task EventsReplayEveryChangeInOrderFromACursor()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        var trial = (await ClaimAsync(study, Claim(1)))[0];
        var snapshot = await Store.ReadEventsAsync(study, null, 100, default);
        Assert.Single(snapshot.Events);
        var done = TrialTransitions.Finish("study", trial, TrialState.Pruned, [], "", Trial.EmptyAttrs, Now);
        await Store.UpdateTrialAsync(study, trial, done, UpdateOptions.None, default);
        await ClaimAsync(study, Claim(1));
        var page = await Store.ReadEventsAsync(study, snapshot.Cursor, 100, default);
        Assert.Equal([(0L, TrialState.Pruned), (1L, TrialState.Running)], page.Events.Select(e => (e.Trial.Number, e.Trial.State)));
        Assert.Empty((await Store.ReadEventsAsync(study, page.Cursor, 100, default)).Events);
    }

    [Fact]
    public async Task ConcurrentClaimsNeverShareANumber()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        var tasks = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var numbers = new List<long>();
            for (var i = 0; i < 50; i++)
            {
                numbers.AddRange((await ClaimAsync(study, Claim(2))).Select(t => t.Number));
            }

            return numbers;
        }));
        var all = (await Task.WhenAll(tasks)).SelectMany(x => x).ToList();
        Assert.Equal(800, all.Count);
        Assert.Equal(Enumerable.Range(0, 800).Select(i => (long)i), all.Order());
    }

    [Fact]
    public async Task ManyReportsReadBackWholeInStepOrderAndAWatcherGetsTheTrialOnce()
    {
        var first = await Store.ReadEventsAsync(await Store.CreateStudyAsync(Definition("other"), false, default), null, 10, default);
        Assert.Empty(first.Events);
        var (study, reported) = await ReportManyAsync(300);
        Assert.Equal(300, reported.Intermediate.Count);
        var start = await Store.ReadEventsAsync(study, "0", 10_000, default);
        var watched = Assert.Single(start.Events);
        Assert.Equal(300, watched.Trial.Intermediate.Count);

        var reader = await OtherReaderAsync() ?? Store;
        var again = (await reader.FindStudyAsync("study", default))!;
        var read = (await reader.GetTrialAsync(again, 0, default))!;
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), read.Intermediate.Select(iv => iv.Step));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i * 0.5), read.Intermediate.Select(iv => iv.Value));
        Assert.Equal(reported.Version, read.Version);
        var finished = TrialTransitions.Finish("study", read, TrialState.Complete, [1.0], "", Trial.EmptyAttrs, Now);
        Assert.IsType<UpdateResult.Applied>(await reader.UpdateTrialAsync(again, read, finished, UpdateOptions.None, default));
        Assert.Equal(300, (await reader.GetTrialsAsync(again, default))[0].Intermediate.Count);
    }

    [Fact]
    public async Task ADeletedStudyRefusesChanges()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        await Store.DeleteStudyAsync("study", default);
        var e = await Assert.ThrowsAsync<TunerException>(() => Store.ClaimTrialsAsync(study, Claim(1), default));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
    }
}
