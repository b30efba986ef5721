using Google.Protobuf;
using Grpc.Core;
using GrpcTuner.Client;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

[Collection(TwoReplicasCollection.Name)]
public sealed class StudyApiTests(TwoReplicasFixture cluster)
{
    [Theory]
    [InlineData("random")]
    [InlineData("tpe")]
    [InlineData("qmc")]
    public async Task TheSameSeedAndHistoryGiveTheSameSuggestionsThroughTheApi(string sampler)
    {
        async Task<List<string>> RunAsync(string name)
        {
            var config = sampler switch
            {
                "random" => new SamplerConfig { Seed = 17, Random = new RandomSamplerConfig() },
                "qmc" => new SamplerConfig { Seed = 17, Qmc = new QmcSamplerConfig() },
                _ => new SamplerConfig { Seed = 17, Tpe = new TpeSamplerConfig { NStartupTrials = 3 } },
            };
            using var client = TwoReplicasFixture.Client(cluster.A, "same-worker");
            var study = await client.CreateStudyAsync(TwoReplicasFixture.Study(name, config));
            var seen = new List<string>();
            for (var i = 0; i < 12; i++)
            {
                var trial = await study.AskAsync();
                seen.Add($"{trial.GetDouble("x"):R}/{trial.GetInt("n")}");
                await study.TellAsync(trial, Math.Abs(trial.GetDouble("x")));
            }

            return seen;
        }

        Assert.Equal(await RunAsync($"det-{sampler}-1"), await RunAsync($"det-{sampler}-2"));
    }

    [Fact]
    public async Task ARetriedAskWithTheSameRequestIdReturnsTheSameTrial()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "w");
        await client.CreateStudyAsync(TwoReplicasFixture.Study("idempotent-ask"));
        var request = new AskRequest { Study = "idempotent-ask", WorkerId = "w", Count = 2, RequestId = "req-42" };
        var first = await client.Raw.AskAsync(request);
        using var other = TwoReplicasFixture.Client(cluster.B, "w");
        var again = await other.Raw.AskAsync(request);
        Assert.Equal(first.Trials.Select(t => t.Number), again.Trials.Select(t => t.Number));
        Assert.Equal(first.Trials.Select(t => t.Params["x"]), again.Trials.Select(t => t.Params["x"]));
        Assert.Equal(2, (await client.Raw.ListTrialsAsync(new ListTrialsRequest { Study = "idempotent-ask" })).Trials.Count);
    }

    [Fact]
    public async Task TheMedianPrunerStopsABadTrial()
    {
        using var client = TwoReplicasFixture.Client(cluster.B, "pruned");
        var request = TwoReplicasFixture.Study("pruning");
        request.Pruner = new PrunerConfig { Percentile = new PercentilePrunerConfig { NStartupTrials = 2 } };
        var study = await client.CreateStudyAsync(request);
        for (var i = 0; i < 3; i++)
        {
            await using var good = await study.AskAsync();
            for (var step = 0; step < 3; step++)
            {
                Assert.False(await good.ReportAsync(step, 1.0 - (step * 0.1)));
            }

            await study.TellAsync(good, 0.8);
        }

        await using var bad = await study.AskAsync();
        Assert.False(await bad.ReportAsync(0, 1.0));
        Assert.True(await bad.ReportAsync(1, 5.0));
        var told = await study.TellAsync(bad, TrialState.Pruned, "pruned at step 1");
        Assert.Equal(TrialState.Pruned, told.State);
        Assert.Equal(2, told.IntermediateValues.Count);
    }

    [Fact]
    public async Task AHyperbandStudyKeepsItsSettingsWithDefaultsFilledIn()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "hb");
        var request = TwoReplicasFixture.Study("hyperband");
        request.Pruner = new PrunerConfig { Hyperband = new HyperbandPrunerConfig { MaxResource = 27 } };
        await client.CreateStudyAsync(request);
        var stored = await client.Raw.GetStudyAsync(new GetStudyRequest { Study = "hyperband" });
        Assert.Equal(PrunerConfig.KindOneofCase.Hyperband, stored.Pruner.KindCase);
        Assert.Equal((1L, 27L, 3), (stored.Pruner.Hyperband.MinResource, stored.Pruner.Hyperband.MaxResource, stored.Pruner.Hyperband.ReductionFactor));
        var bad = TwoReplicasFixture.Study("hyperband-bad");
        bad.Pruner = new PrunerConfig { Hyperband = new HyperbandPrunerConfig { MinResource = 5, MaxResource = 3 } };
        var e = await Assert.ThrowsAsync<RpcException>(() => client.Raw.CreateStudyAsync(bad).ResponseAsync);
        Assert.Contains("pruner.hyperband.max_resource", e.Status.Detail);
    }

    [Fact]
    public async Task PbtTellsALaggingTrialToExploitALeaderAndRecordsTheLineage()
    {
        using var client = TwoReplicasFixture.Client(cluster.B, "pbt");
        var request = TwoReplicasFixture.Study("pbt");
        request.Directions[0] = Direction.Maximize;
        request.Pruner = new PrunerConfig { Pbt = new PbtConfig { PerturbationInterval = 1, ResampleProbability = 0 } };
        var study = await client.CreateStudyAsync(request);
        var trials = await study.AskAsync(4);
        for (var i = 0; i < 3; i++)
        {
            var r = await trials[i].ReportAsync(0, 0.5 + (0.1 * i), $"/shared/ck/trial-{trials[i].Number}");
            Assert.Equal(Decision.Continue, r.Decision);
        }

        var lagging = await trials[3].ReportAsync(0, 0.1, "/shared/ck/trial-3");
        Assert.Equal(Decision.Exploit, lagging.Decision);
        Assert.Equal(trials[2].Number, lagging.Exploit.DonorTrial);
        Assert.Equal($"/shared/ck/trial-{trials[2].Number}", lagging.Exploit.DonorCheckpoint);

        var stored = await client.Raw.GetTrialAsync(new GetTrialRequest { Study = "pbt", TrialNumber = trials[3].Number });
        Assert.Equal(lagging.Exploit.Params, stored.Params);
        var entry = Assert.Single(stored.Lineage);
        Assert.Equal((0L, trials[2].Number, lagging.Exploit.DonorCheckpoint), (entry.Step, entry.Parent, entry.Checkpoint));
        Assert.Equal(trials[3].Params, entry.OldParams);
        Assert.Equal(stored.Params, entry.NewParams);
        var x = trials[2].GetDouble("x");
        Assert.Contains(stored.Params["x"].FloatValue, new[] { Math.Clamp(x * 1.2, -5, 5), Math.Clamp(x * 0.8, -5, 5) });
        // By default PBT explores the float parameters only: the integer one is the donor's.
        Assert.Equal(trials[2].Params["n"], stored.Params["n"]);
        foreach (var t in trials)
        {
            await t.DisposeAsync();
        }
    }

    [Fact]
    public async Task PbtKeepsTheParametersItMayChangeAndRefusesOneOutsideTheSpaceByName()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "pbt-mutable");
        var request = TwoReplicasFixture.Study("pbt-mutable");
        request.Pruner = new PrunerConfig { Pbt = new PbtConfig { MutableParams = { "n", "seed" } } };
        var e = await Assert.ThrowsAsync<RpcException>(() => client.Raw.CreateStudyAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("pruner.pbt.mutable_params[1]", e.Status.Detail);
        request.Pruner.Pbt.MutableParams.RemoveAt(1);
        request.Pruner.Pbt.PopulationSize = 8;
        await client.CreateStudyAsync(request);
        var stored = await client.Raw.GetStudyAsync(new GetStudyRequest { Study = "pbt-mutable" });
        Assert.Equal(["n"], stored.Pruner.Pbt.MutableParams);
        Assert.Equal(8, stored.Pruner.Pbt.PopulationSize);
    }

    [Fact]
    public async Task TheBestTrialsGoOnInTheNextStudyWithTheirParamsAndCheckpointFolders()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "promoter");
        var first = await client.CreateStudyAsync(TwoReplicasFixture.Study("promote-from"));
        foreach (var value in new[] { 3.0, 1.0, 2.0, 5.0 })
        {
            await first.TellAsync(await first.AskAsync(), value);
        }

        // The next study fixes n to one value and keeps x's range.
        var request = TwoReplicasFixture.Study("promote-to");
        request.SearchSpace.Params[1] = new ParamSpec { Name = "n", Int = new IntDistribution { Low = 7, High = 7 } };
        var next = await client.CreateStudyAsync(request);
        var promoted = await WarmStart.PromoteBestAsync(first, next, 2);
        Assert.Equal([1L, 2L], promoted.Select(t => t.Number));

        var started = await next.AskAsync(2);
        Assert.Equal(promoted.Select(t => t.Params["x"].FloatValue), started.Select(t => t.GetDouble("x")));
        Assert.All(started, t => Assert.Equal(7, t.GetInt("n")));
        Assert.Equal(promoted.Select(t => CheckpointLayout.TrialFolder(first.Info, t.Number)), started.Select(t => t.Info.UserAttrs[WarmStart.CheckpointAttr]));

        var tooMany = await Assert.ThrowsAsync<InvalidOperationException>(() => WarmStart.PromoteBestAsync(first, next, 5));
        Assert.Contains("has 4 complete trial(s); 5 are needed", tooMany.Message);
    }

    [Fact]
    public async Task EnqueuedParamsRunFirstAndBestTrialIsTheLowest()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "enqueuer");
        var study = await client.CreateStudyAsync(TwoReplicasFixture.Study("enqueue-best"));
        await study.EnqueueAsync(new Dictionary<string, ParamValue> { ["x"] = new() { FloatValue = 0.25 }, ["n"] = new() { IntValue = 3 } });
        var first = await study.AskAsync();
        Assert.Equal(0.25, first.GetDouble("x"));
        Assert.Equal(3, first.GetInt("n"));
        await study.TellAsync(first, -1.0);
        var second = await study.AskAsync();
        await study.TellAsync(second, 2.0);
        Assert.Equal(first.Number, (await study.BestTrialAsync())!.Number);
    }

    [Fact]
    public async Task WatchStreamsChangesAndResumesFromACursor()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "watcher");
        var study = await client.CreateStudyAsync(TwoReplicasFixture.Study("watched"));
        var t0 = await study.AskAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var watch = client.Raw.WatchStudy(new WatchStudyRequest { Study = "watched" }, cancellationToken: cts.Token);
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        var snapshot = watch.ResponseStream.Current;
        Assert.Equal(TrialState.Running, snapshot.Trial.State);

        using var other = TwoReplicasFixture.Client(cluster.B, "teller");
        await other.Raw.TellAsync(new TellRequest { Study = "watched", TrialNumber = t0.Number, State = TrialState.Complete, Values = { 3.0 } });
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        var told = watch.ResponseStream.Current;
        Assert.Equal(TrialState.Complete, told.Trial.State);

        await other.Raw.AskAsync(new AskRequest { Study = "watched", WorkerId = "teller" });
        using var resumed = other.Raw.WatchStudy(new WatchStudyRequest { Study = "watched", Cursor = told.Cursor }, cancellationToken: cts.Token);
        Assert.True(await resumed.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(1, resumed.ResponseStream.Current.Trial.Number);
        await t0.DisposeAsync();
    }

    [Fact]
    public async Task AListPageEndsBeforeThreeMebibytesSoTrialsWithLongCurvesReachAClientWithItsDefaultLimit()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "long-curves");
        var study = await client.CreateStudyAsync(TwoReplicasFixture.Study("long-curves"));
        // 48 trials of 10,000 reports each (the most a trial holds): about 6 MiB, over the 4 MiB a gRPC client takes in one message by default.
        var added = new AddTrialsRequest { Study = "long-curves" };
        for (var i = 0; i < 48; i++)
        {
            var trial = new FrozenTrial { State = TrialState.Complete, Values = { i }, Params = { ["x"] = new ParamValue { FloatValue = i / 10.0 }, ["n"] = new ParamValue { IntValue = 1 } } };
            trial.IntermediateValues.AddRange(Enumerable.Range(0, 10_000).Select(s => new IntermediateValue { Step = s, Value = i + (1.0 / (s + 1)) }));
            added.Trials.Add(trial);
        }

        await client.Raw.AddTrialsAsync(added);
        var pages = new List<ListTrialsResponse>();
        var token = "";
        do
        {
            var page = await client.Raw.ListTrialsAsync(new ListTrialsRequest { Study = "long-curves", PageSize = 10_000, PageToken = token });
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.InRange(pages.Count, 2, 3);
        Assert.All(pages, p => Assert.InRange(p.Trials.Sum(t => CodedOutputStream.ComputeMessageSize(t)), 1, 3 * 1024 * 1024));
        Assert.Equal(Enumerable.Range(0, 48).Select(i => (long)i), pages.SelectMany(p => p.Trials).Select(t => t.Number));
        Assert.All(pages.SelectMany(p => p.Trials), t => Assert.Equal(10_000, t.IntermediateValues.Count));
        Assert.Equal(48, (await study.TrialsAsync()).Count);
    }

    [Fact]
    public async Task AWatchFromTheCursorOfAListStreamsEveryLaterChangeAndNothingEarlier()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "lister");
        var study = await client.CreateStudyAsync(TwoReplicasFixture.Study("listed-then-watched"));
        var t0 = await study.AskAsync();
        await study.TellAsync(t0, 1.0);
        var t1 = await study.AskAsync();
        var listed = await client.Raw.ListTrialsAsync(new ListTrialsRequest { Study = "listed-then-watched" });
        Assert.Equal(2, listed.Trials.Count);
        Assert.NotEmpty(listed.WatchCursor);

        // Changes on the other replica after the list: the watch from its cursor gets exactly those.
        using var other = TwoReplicasFixture.Client(cluster.B, "teller");
        await other.Raw.TellAsync(new TellRequest { Study = "listed-then-watched", TrialNumber = t1.Number, State = TrialState.Complete, Values = { 2.0 } });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var watch = other.Raw.WatchStudy(new WatchStudyRequest { Study = "listed-then-watched", Cursor = listed.WatchCursor }, cancellationToken: cts.Token);
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal((t1.Number, TrialState.Complete), (watch.ResponseStream.Current.Trial.Number, watch.ResponseStream.Current.Trial.State));
        var t2 = await study.AskAsync();
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal((t2.Number, TrialState.Running), (watch.ResponseStream.Current.Trial.Number, watch.ResponseStream.Current.Trial.State));
        await t2.DisposeAsync();
    }

    [Fact]
    public async Task AFailToldWithRetryRunsTheParamsAgainWithinMaxRetries()
    {
        using var client = TwoReplicasFixture.Client(cluster.B, "interrupted");
        var study = await client.CreateStudyAsync(TwoReplicasFixture.Study("tell-retry", maxRetries: 1));
        var first = await study.AskAsync();
        await first.TellAsync(TrialState.Fail, [], "interrupted", retry: true);
        var again = await study.AskAsync();
        Assert.Equal(first.Number, again.Info.RetriedFrom);
        Assert.Equal(first.Params, again.Params);
        await again.TellAsync(TrialState.Fail, [], "interrupted", retry: true);
        var fresh = await study.AskAsync();
        Assert.False(fresh.Info.HasRetriedFrom, "max_retries=1 allows one re-run");
        var e = await Assert.ThrowsAsync<RpcException>(() => client.Raw.TellAsync(new TellRequest { Study = "tell-retry", TrialNumber = fresh.Number, State = TrialState.Complete, Values = { 1 }, Retry = true }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        await fresh.DisposeAsync();
    }

    [Fact]
    public async Task StudiesAreListedInPagesAndDeleted()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "lister");
        for (var i = 0; i < 3; i++)
        {
            await client.CreateStudyAsync(TwoReplicasFixture.Study($"zz-list-{i}"));
        }

        var names = new List<string>();
        var token = "";
        do
        {
            var page = await client.Raw.ListStudiesAsync(new ListStudiesRequest { PageSize = 2, PageToken = token });
            names.AddRange(page.Studies.Select(s => s.Name));
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        Assert.Equal(["zz-list-0", "zz-list-1", "zz-list-2"], names.Where(n => n.StartsWith("zz-list-", StringComparison.Ordinal)));
        await client.Raw.DeleteStudyAsync(new DeleteStudyRequest { Study = "zz-list-1" });
        var e = await Assert.ThrowsAsync<RpcException>(() => client.Raw.GetStudyAsync(new GetStudyRequest { Study = "zz-list-1" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task AStudyWithTwoObjectivesReturnsItsParetoFront()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "mo");
        var request = TwoReplicasFixture.Study("two-objectives");
        request.Directions.Add(Direction.Maximize);
        var study = await client.CreateStudyAsync(request);
        foreach (var (a, b) in new[] { (1.0, 1.0), (2.0, 3.0), (3.0, 2.0) })
        {
            var t = await study.AskAsync();
            await study.TellAsync(t, a, b);
        }

        Assert.Equal([0L, 1], (await study.BestTrialsAsync()).Select(t => t.Number));

        // Front (1, 1) and (2, 3), minimizing the first and maximizing the second, up to (4, 0):
        // boxes 3 x 1 and 2 x 3 overlap in 2 x 1, so 3 + 6 - 2.
        var hv = await client.Raw.GetBestTrialsAsync(new GetBestTrialsRequest { Study = "two-objectives", ReferencePoint = { 4, 0 } });
        Assert.Equal(7.0, hv.Hypervolume, 9);
        Assert.False((await client.Raw.GetBestTrialsAsync(new GetBestTrialsRequest { Study = "two-objectives" })).HasHypervolume);
        var e = await Assert.ThrowsAsync<RpcException>(() => client.Raw.GetBestTrialsAsync(new GetBestTrialsRequest { Study = "two-objectives", ReferencePoint = { 4 } }).ResponseAsync);
        Assert.Contains("reference_point", e.Status.Detail);
    }
}
