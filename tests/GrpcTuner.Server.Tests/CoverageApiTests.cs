using Grpc.Core;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

[Collection(TwoReplicasCollection.Name)]
public sealed class CoverageApiTests(TwoReplicasFixture cluster)
{
    /// <summary>
    /// Three data sets (studies) over x in 0..3. Normalized per study (min 0.1, max 0.9), x=2 is
    /// within 3% of the best on a (0.9875) and b (0.975); x=3 alone covers c. So CBS picks x=2, then x=3.
    /// </summary>
    private static readonly Dictionary<string, double[]> Scores = new()
    {
        ["cov-a"] = [0.9, 0.5, 0.89, 0.1],
        ["cov-b"] = [0.2, 0.9, 0.88, 0.1],
        ["cov-c"] = [0.1, 0.2, 0.3, 0.9],
    };

    [Fact]
    public async Task RecommendationsCoverTheDataSetsAndWarmStartANewStudy()
    {
        using var client = TwoReplicasFixture.Client(cluster.A, "cbs");
        foreach (var (name, scores) in Scores)
        {
            await client.Raw.CreateStudyAsync(Space(name));
            var add = new AddTrialsRequest { Study = name };
            add.Trials.AddRange(scores.Select((v, x) => new FrozenTrial { State = TrialState.Complete, Values = { v }, Params = { ["x"] = new ParamValue { IntValue = x } } }));
            await client.Raw.AddTrialsAsync(add);
        }

        var spec = new CoverageSearchSpec { Studies = { Scores.Keys }, K = 2 };
        var response = await client.Raw.RecommendConfigurationsAsync(new RecommendConfigurationsRequest { Spec = spec });
        Assert.Equal([(2L, 2), (3L, 1)], response.Recommendations.Select(r => (r.Params["x"].IntValue, r.DatasetsCovered)));

        var warm = Space("cov-new");
        warm.WarmStart = spec;
        var study = await client.CreateStudyAsync(warm);
        var first = await study.AskAsync();
        var second = await study.AskAsync();
        Assert.Equal((2L, 3L), (first.GetInt("x"), second.GetInt("x")));
        Assert.Equal("coverage", first.Info.UserAttrs["warm_start"]);
        var third = await study.AskAsync();
        Assert.False(third.Info.UserAttrs.ContainsKey("warm_start"), "after the recommendations the study's sampler takes over");
        foreach (var t in new[] { first, second, third })
        {
            await t.DisposeAsync();
        }

        var e = await Assert.ThrowsAsync<RpcException>(() => client.Raw.RecommendConfigurationsAsync(new RecommendConfigurationsRequest { Spec = new CoverageSearchSpec { Studies = { "cov-a" } } }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("spec.studies", e.Status.Detail);
    }

    private static CreateStudyRequest Space(string name) => new()
    {
        Name = name,
        Directions = { Direction.Maximize },
        Sampler = new SamplerConfig { Seed = 1, Random = new RandomSamplerConfig() },
        SearchSpace = new SearchSpace { Params = { new ParamSpec { Name = "x", Int = new IntDistribution { Low = 0, High = 3 } } } },
    };
}
