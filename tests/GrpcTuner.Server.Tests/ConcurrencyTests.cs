using System.Collections.Concurrent;
using Grpc.Core;
using GrpcTuner.Client;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

[Collection(TwoReplicasCollection.Name)]
public sealed class ConcurrencyTests(TwoReplicasFixture cluster)
{
    [Fact]
    public async Task SixtyFourClientsThroughTwoReplicasGetDistinctNumbersAndLoseNoTell()
    {
        const int clients = 64;
        const int total = 10_000;
        using var setup = TwoReplicasFixture.Client(cluster.A, "setup");
        await setup.CreateStudyAsync(TwoReplicasFixture.Study("concurrency"));
        var remaining = total;
        var told = new ConcurrentDictionary<long, double>();
        var asked = new ConcurrentBag<long>();
        var workers = Enumerable.Range(0, clients).Select(w => Task.Run(async () =>
        {
            using var client = TwoReplicasFixture.Client(w % 2 == 0 ? cluster.A : cluster.B, $"worker-{w}");
            var study = await client.LoadStudyAsync("concurrency");
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                await using var trial = await study.AskAsync();
                asked.Add(trial.Number);
                var value = trial.GetDouble("x") * trial.GetInt("n");
                var result = await study.TellAsync(trial, value);
                Assert.True(told.TryAdd(result.Number, value), $"trial {result.Number} was told twice");
            }
        })).ToList();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(total, asked.Count);
        Assert.Equal(total, asked.Distinct().Count());
        Assert.Equal(total, told.Count);
        using var reader = TwoReplicasFixture.Client(cluster.B, "reader");
        var stored = await (await reader.LoadStudyAsync("concurrency")).TrialsAsync();
        Assert.Equal(Enumerable.Range(0, total).Select(i => (long)i), stored.Select(t => t.Number));
        Assert.All(stored, t =>
        {
            Assert.Equal(TrialState.Complete, t.State);
            Assert.Equal(told[t.Number], t.Values[0]);
        });
    }

    [Fact]
    public async Task AGridIsHandedOutExactlyOnceUnderLoad()
    {
        using var setup = TwoReplicasFixture.Client(cluster.A, "setup");
        var request = new CreateStudyRequest
        {
            Name = "grid-load",
            SearchSpace = new SearchSpace
            {
                Params =
                {
                    new ParamSpec { Name = "a", Int = new IntDistribution { Low = 0, High = 49 } },
                    new ParamSpec { Name = "b", Float = new FloatDistribution { Low = 0, High = 1, Step = 0.1 } },
                    new ParamSpec { Name = "c", Categorical = new CategoricalDistribution { Choices = { new ParamValue { StringValue = "x" }, new ParamValue { BoolValue = true } } } },
                },
            },
            Directions = { Direction.Minimize },
            Sampler = new SamplerConfig { Seed = 3, Grid = new GridSamplerConfig() },
        };
        await setup.CreateStudyAsync(request);
        const int points = 50 * 11 * 2;
        var seen = new ConcurrentBag<string>();
        var exhausted = 0;
        var workers = Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
        {
            using var client = TwoReplicasFixture.Client(w % 2 == 0 ? cluster.A : cluster.B, $"grid-{w}");
            var study = await client.LoadStudyAsync("grid-load");
            while (true)
            {
                try
                {
                    foreach (var trial in await study.AskAsync(3))
                    {
                        seen.Add($"{trial.GetInt("a")}/{trial.GetDouble("b"):F1}/{trial.Params["c"]}");
                        await study.TellAsync(trial, 1.0);
                    }
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.OutOfRange)
                {
                    Assert.Contains("grid points", e.Status.Detail);
                    Interlocked.Increment(ref exhausted);
                    return;
                }
            }
        })).ToList();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(64, exhausted);
        Assert.Equal(points, seen.Count);
        Assert.Equal(points, seen.Distinct().Count());
    }

    [Fact]
    public async Task APbtPopulationStartsItsSizeAcrossReplicasAndARetriedMemberComesOnTop()
    {
        const int size = 5;
        using var setup = TwoReplicasFixture.Client(cluster.A, "pbt-setup");
        var request = TwoReplicasFixture.Study("pbt-population", maxRetries: 1);
        request.Pruner = new PrunerConfig { Pbt = new PbtConfig { PopulationSize = size } };
        var created = await setup.CreateStudyAsync(request);
        // Enqueued params take members' places, as points_to_evaluate count among Ray Tune's num_samples.
        foreach (var x in new[] { 0.5, -0.5 })
        {
            await created.EnqueueAsync(new Dictionary<string, ParamValue> { ["x"] = new() { FloatValue = x }, ["n"] = new() { IntValue = 2 } });
        }

        var members = new ConcurrentBag<TunerTrial>();
        var refused = new ConcurrentBag<string>();
        // The clients outlive the asks: a member is told FAIL through its own below.
        var clients = Enumerable.Range(0, 16).Select(w => TwoReplicasFixture.Client(w % 2 == 0 ? cluster.A : cluster.B, $"member-{w}")).ToList();
        var workers = clients.Select(client => Task.Run(async () =>
        {
            var study = await client.LoadStudyAsync("pbt-population");
            try
            {
                members.Add(await study.AskAsync());
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.OutOfRange)
            {
                refused.Add(e.Status.Detail);
            }
        })).ToList();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(size, members.Count);
        Assert.Equal(16 - size, refused.Count);
        Assert.All(refused, detail => Assert.Contains("all 5 members of its population (pruner.pbt.population_size)", detail));
        Assert.Equal(2, members.Count(m => Math.Abs(m.GetDouble("x")) == 0.5 && m.GetInt("n") == 2));
        var full = await Assert.ThrowsAsync<RpcException>(() => created.EnqueueAsync(new Dictionary<string, ParamValue> { ["x"] = new() { FloatValue = 0 }, ["n"] = new() { IntValue = 1 } }));
        Assert.Equal(StatusCode.OutOfRange, full.StatusCode);

        // A member that fails is retried with its params; the retry is not a new member.
        var failed = members.MinBy(t => t.Number)!;
        await failed.TellAsync(TrialState.Fail, [], "worker lost", retry: true);
        var study = await setup.LoadStudyAsync("pbt-population");
        var rerun = await study.AskAsync();
        Assert.Equal(failed.Params.OrderBy(p => p.Key), rerun.Params.OrderBy(p => p.Key));
        var e = await Assert.ThrowsAsync<RpcException>(() => study.AskAsync());
        Assert.Equal(StatusCode.OutOfRange, e.StatusCode);
        Assert.Equal(size + 1, (await study.TrialsAsync()).Count);
        clients.ForEach(c => c.Dispose());
    }
}
