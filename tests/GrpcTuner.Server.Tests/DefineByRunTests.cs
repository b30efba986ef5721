using Grpc.Core;
using GrpcTuner.Client;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

/// <summary>Define-by-run over two replicas on Redis: parameters suggested as the objective asks, recorded once, proposed jointly once the space is known.</summary>
[Collection(TwoReplicasCollection.Name)]
public sealed class DefineByRunTests(TwoReplicasFixture cluster)
{
    private static readonly ParamValue[] Classifiers = [new() { StringValue = "svc" }, new() { StringValue = "forest" }];

    [Fact]
    public async Task AConditionalObjectiveRecordsEachBranchsParametersWithTheirDistributions()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "branches");
        var study = await client.CreateStudyAsync(DefineByRun($"dbr-branches-{Guid.NewGuid():N}", new SamplerConfig { Seed = 3, Tpe = new TpeSamplerConfig { NStartupTrials = 5 } }));
        await study.OptimizeAsync(Branches, nTrials: 30);

        var trials = await study.TrialsAsync();
        Assert.Equal(30, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        foreach (var t in trials)
        {
            Assert.Equal(t.Params.Keys.Order(), t.Distributions.Keys.Order());
            var branch = t.Params["classifier"].StringValue;
            Assert.Equal(branch == "svc" ? ["c", "classifier"] : ["classifier", "depth"], t.Params.Keys.Order().ToArray());
            Assert.Empty(t.Proposals);
            if (branch == "svc")
            {
                Assert.InRange(t.Params["c"].FloatValue, 1e-3, 1e3);
            }
            else
            {
                Assert.InRange(t.Params["depth"].IntValue, 1, 32);
            }
        }

        Assert.Contains(trials, t => t.Params["classifier"].StringValue == "svc");
        Assert.Contains(trials, t => t.Params["classifier"].StringValue == "forest");
    }

    [Fact]
    public async Task OnceTheSpaceIsKnownAskProposesItAndTheWorkerTakesItWithoutACall()
    {
        using var client = TwoReplicasFixture.Client(cluster.B, "proposals");
        var study = await client.CreateStudyAsync(DefineByRun($"dbr-proposals-{Guid.NewGuid():N}", new SamplerConfig { Seed = 5, Tpe = new TpeSamplerConfig { Multivariate = true, NStartupTrials = 3 } }));
        await study.OptimizeAsync(Branches, nTrials: 4);

        await using var trial = await study.AskAsync();
        // Every finished trial has 'classifier' with one distribution, so it is sampled with the Ask; the branch parameters are not.
        Assert.Equal(["classifier"], trial.Info.Proposals.Keys.ToArray());
        var proposed = trial.Info.Proposals["classifier"].Value;
        Assert.Equal(proposed, await trial.SuggestCategoricalAsync("classifier", Classifiers));
        var before = await client.Raw.GetTrialAsync(new GetTrialRequest { Study = study.Name, TrialNumber = trial.Number });
        Assert.False(before.Params.ContainsKey("classifier"), "a proposal taken without a call is recorded with the next call, not before");

        var x = await trial.SuggestFloatAsync("x", 0, 1);
        var after = await client.Raw.GetTrialAsync(new GetTrialRequest { Study = study.Name, TrialNumber = trial.Number });
        Assert.Equal(proposed, after.Params["classifier"]);
        Assert.Equal(x, after.Params["x"].FloatValue);
        Assert.Equal(Classifiers, after.Distributions["classifier"].Categorical.Choices);
        Assert.False(after.Proposals.ContainsKey("classifier"));
    }

    [Fact]
    public async Task SuggestIsIdempotentAndRefusesWhatItMustNamingTheField()
    {
        var name = $"dbr-errors-{Guid.NewGuid():N}";
        using var client = TwoReplicasFixture.Client(cluster.A, "owner");
        var study = await client.CreateStudyAsync(DefineByRun(name, new SamplerConfig { Seed = 1, Random = new RandomSamplerConfig() }));
        await using var trial = await study.AskAsync();
        SuggestRequest Request(Distribution? d, string worker = "owner", string param = "lr") =>
            new() { Study = name, TrialNumber = trial.Number, WorkerId = worker, Name = param, Distribution = d };
        var lr = new Distribution { Float = new FloatDistribution { Low = 1e-5, High = 1e-1, Log = true } };

        // Through the other replica, without the client's memory: the recorded value comes back.
        using var other = TwoReplicasFixture.Client(cluster.B, "owner");
        var first = (await client.Raw.SuggestAsync(Request(lr))).Value;
        Assert.Equal(first, (await other.Raw.SuggestAsync(Request(lr))).Value);
        Assert.InRange(first.FloatValue, 1e-5, 1e-1);

        var conflict = await Assert.ThrowsAsync<RpcException>(() => other.Raw.SuggestAsync(Request(new Distribution { Float = new FloatDistribution { Low = 0, High = 1 } })).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, conflict.StatusCode);
        Assert.Contains("'lr'", conflict.Status.Detail);
        Assert.Contains("float in [1E-05, 0.1] log", conflict.Status.Detail);
        Assert.Contains("float in [0, 1]", conflict.Status.Detail);

        var stranger = await Assert.ThrowsAsync<RpcException>(() => other.Raw.SuggestAsync(Request(lr, worker: "intruder", param: "wd")).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, stranger.StatusCode);
        Assert.Contains("leased to worker 'owner', not to worker_id 'intruder'", stranger.Status.Detail);

        var invalid = await Assert.ThrowsAsync<RpcException>(() => other.Raw.SuggestAsync(Request(new Distribution { Int = new IntDistribution { Low = 5, High = 1 } }, param: "n")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("distribution.int.high", invalid.Status.Detail);
        var missing = await Assert.ThrowsAsync<RpcException>(() => other.Raw.SuggestAsync(Request(null, param: "n")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Contains("distribution", missing.Status.Detail);
        var badName = await Assert.ThrowsAsync<RpcException>(() => other.Raw.SuggestAsync(Request(lr, param: "a b")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badName.StatusCode);
        Assert.Contains("name", badName.Status.Detail);

        await study.TellAsync(trial, 1.0);
        var finished = await Assert.ThrowsAsync<RpcException>(() => client.Raw.SuggestAsync(Request(lr, param: "wd")).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, finished.StatusCode);
        Assert.Contains("COMPLETE", finished.Status.Detail);
        var told = await client.Raw.GetTrialAsync(new GetTrialRequest { Study = name, TrialNumber = trial.Number });
        Assert.Equal(["lr"], told.Params.Keys.ToArray());
    }

    [Fact]
    public async Task ATakenProposalThatDoesNotFitIsRefusedAndNothingIsRecorded()
    {
        var name = $"dbr-take-{Guid.NewGuid():N}";
        using var client = TwoReplicasFixture.Client(cluster.A, "w");
        var study = await client.CreateStudyAsync(DefineByRun(name, new SamplerConfig { Seed = 2, Random = new RandomSamplerConfig() }));
        await study.OptimizeAsync(async (t, ct) => await t.SuggestFloatAsync("x", 0, 1, ct: ct), nTrials: 2);
        await using var trial = await study.AskAsync();
        Assert.True(trial.Info.Proposals.ContainsKey("x"));
        var tell = new TellRequest { Study = name, TrialNumber = trial.Number, State = TrialState.Complete, Values = { 1.0 }, Suggested = new SuggestedParams() };
        tell.Suggested.Params["x"] = new Distribution { Float = new FloatDistribution { Low = 0, High = 2 } };
        var e = await Assert.ThrowsAsync<RpcException>(() => client.Raw.TellAsync(tell).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("suggested[x]", e.Status.Detail);
        Assert.Equal(TrialState.Running, (await client.Raw.GetTrialAsync(new GetTrialRequest { Study = name, TrialNumber = trial.Number })).State);
    }

    [Fact]
    public async Task EnqueuedPartialParamsAreTakenByTheSuggestWhoseDistributionContainsThem()
    {
        var name = $"dbr-enqueue-{Guid.NewGuid():N}";
        using var client = TwoReplicasFixture.Client(cluster.B, "w");
        var study = await client.CreateStudyAsync(DefineByRun(name, new SamplerConfig { Seed = 4, Tpe = new TpeSamplerConfig() }));
        await study.EnqueueAsync(new Dictionary<string, ParamValue> { ["x"] = new() { FloatValue = 0.25 } });
        await using var trial = await study.AskAsync();
        Assert.Equal(0.25, await trial.SuggestFloatAsync("x", 0, 1));
        var y = await trial.SuggestIntAsync("y", 1, 9);
        Assert.InRange(y, 1, 9);
        var told = await study.TellAsync(trial, 0.0);
        Assert.Equal(0.25, told.Params["x"].FloatValue);
        Assert.Equal(y, told.Params["y"].IntValue);
    }

    [Fact]
    public async Task TheSameSeedAndHistoryGiveTheSameValuesOnEitherReplica()
    {
        async Task<List<string>> RunAsync(ServerReplica replica)
        {
            using var client = TwoReplicasFixture.Client(replica, "same-worker");
            var study = await client.CreateStudyAsync(DefineByRun($"dbr-seed-{Guid.NewGuid():N}", new SamplerConfig { Seed = 11, Tpe = new TpeSamplerConfig { NStartupTrials = 4 } }));
            await study.OptimizeAsync(Branches, nTrials: 12);
            return (await study.TrialsAsync()).Select(t => string.Join(";", t.Params.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"))).ToList();
        }

        Assert.Equal(await RunAsync(cluster.A), await RunAsync(cluster.B));
    }

    [Fact]
    public async Task SixteenWorkersOnTwoReplicasRecordEveryParameterOnceAndARepeatedSuggestReturnsTheSameValue()
    {
        var name = $"dbr-concurrent-{Guid.NewGuid():N}";
        using (var creator = TwoReplicasFixture.Client(cluster.A, "creator"))
        {
            await creator.CreateStudyAsync(DefineByRun(name, new SamplerConfig { Seed = 8, Tpe = new TpeSamplerConfig { Multivariate = true, NStartupTrials = 4 } }));
        }

        var given = new System.Collections.Concurrent.ConcurrentDictionary<long, Dictionary<string, ParamValue>>();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async w =>
        {
            using var client = TwoReplicasFixture.Client(w % 2 == 0 ? cluster.A : cluster.B, $"worker-{w}");
            using var again = TwoReplicasFixture.Client(w % 2 == 0 ? cluster.B : cluster.A, $"worker-{w}");
            var study = await client.LoadStudyAsync(name);
            for (var i = 0; i < 4; i++)
            {
                await using var trial = await study.AskAsync();
                var values = new Dictionary<string, ParamValue>();
                for (var p = 0; p < 5; p++)
                {
                    var d = new Distribution { Float = new FloatDistribution { Low = -p - 1, High = p + 1 } };
                    values[$"p{p}"] = await trial.SuggestAsync($"p{p}", d);
                    // A retry of the same Suggest through the other replica, racing nothing but the store.
                    var repeat = (await again.Raw.SuggestAsync(new SuggestRequest { Study = name, TrialNumber = trial.Number, WorkerId = $"worker-{w}", Name = $"p{p}", Distribution = d })).Value;
                    Assert.Equal(values[$"p{p}"], repeat);
                }

                given[trial.Number] = values;
                await study.TellAsync(trial, values.Values.Sum(v => v.FloatValue * v.FloatValue));
            }
        }));

        using var reader = TwoReplicasFixture.Client(cluster.B, "reader");
        var trials = await (await reader.LoadStudyAsync(name)).TrialsAsync();
        Assert.Equal(64, trials.Count);
        foreach (var t in trials)
        {
            Assert.Equal(TrialState.Complete, t.State);
            Assert.Equal(given[t.Number].OrderBy(p => p.Key), t.Params.OrderBy(p => p.Key));
            Assert.Equal(5, t.Distributions.Count);
        }
    }

    private static async Task<double> Branches(TunerTrial trial, CancellationToken ct)
    {
        var classifier = (await trial.SuggestCategoricalAsync("classifier", Classifiers, ct)).StringValue;
        if (classifier == "svc")
        {
            var c = await trial.SuggestFloatAsync("c", 1e-3, 1e3, log: true, ct: ct);
            return Math.Abs(Math.Log10(c) - 1);
        }

        var depth = await trial.SuggestIntAsync("depth", 1, 32, ct: ct);
        return 0.5 + (Math.Abs(depth - 7) / 10.0);
    }

    private static CreateStudyRequest DefineByRun(string name, SamplerConfig sampler) =>
        new() { Name = name, Directions = { Direction.Minimize }, Sampler = sampler };
}
