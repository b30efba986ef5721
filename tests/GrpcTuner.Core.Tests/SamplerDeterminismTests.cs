using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;

namespace GrpcTuner.Core.Tests;

/// <summary>The same seed and the same history give the same suggestion, for every sampler.</summary>
public class SamplerDeterminismTests
{
    private static readonly SearchSpace Space = Build.Space(
        Build.Float("x", -5, 5),
        Build.Float("lr", 1e-5, 1e-1, log: true),
        Build.Int("layers", 1, 8),
        Build.Cat("opt", "adam", "sgd"),
        new ParamSpec("momentum", new FloatDistribution(0, 1, Step: 0.1), new Condition("opt", [ParamValue.Of("sgd")])));

    private static readonly SearchSpace GridSpace = Build.Space(Build.Float("x", 0, 1, step: 0.25), Build.Int("n", 1, 3), Build.Cat("c", "a", "b"));

    public static TheoryData<SamplerKind, bool> Samplers => new()
    {
        { SamplerKind.Random, false },
        { SamplerKind.Tpe, false },
        { SamplerKind.Tpe, true },
        { SamplerKind.Qmc, false },
        { SamplerKind.Grid, false },
        { SamplerKind.CmaEs, false },
        { SamplerKind.Nsga2, false },
        { SamplerKind.Gp, false },
    };

    /// <summary>The samplers that read the history (grid and QMC follow their sequence).</summary>
    public static TheoryData<SamplerKind, bool> HistorySamplers => new()
    {
        { SamplerKind.Tpe, false },
        { SamplerKind.Tpe, true },
        { SamplerKind.CmaEs, false },
        { SamplerKind.Nsga2, false },
        { SamplerKind.Gp, false },
    };

    [Theory]
    [MemberData(nameof(Samplers))]
    public void SameSeedAndHistoryGiveTheSameSuggestion(SamplerKind kind, bool multivariate)
    {
        var history = History(kind == SamplerKind.Grid ? GridSpace : Space, 30);
        Assert.Equal(Suggest(kind, multivariate, 11, history), Suggest(kind, multivariate, 11, history));
    }

    [Theory]
    [MemberData(nameof(Samplers))]
    public void AnotherSeedGivesAnotherSuggestion(SamplerKind kind, bool multivariate)
    {
        var history = History(kind == SamplerKind.Grid ? GridSpace : Space, 30);
        var a = Enumerable.Range(0, 5).Select(i => Suggest(kind, multivariate, 11, history, i));
        var b = Enumerable.Range(0, 5).Select(i => Suggest(kind, multivariate, 12, history, i));
        Assert.NotEqual(a, b);
    }

    /// <summary>
    /// Samplers keep what they computed from one Ask's history for the next (CMA-ES and NSGA-II
    /// generations, TPE's sorted observations): one that has seen growing histories, with running
    /// trials that finish later and finally a history whose first trials differ (a restored study),
    /// suggests exactly what a new sampler suggests.
    /// </summary>
    [Theory]
    [MemberData(nameof(HistorySamplers))]
    public void ASamplerThatSawEarlierHistoriesSuggestsWhatANewOneSuggests(SamplerKind kind, bool multivariate)
    {
        var trials = History(Space, 160);
        var study = Build.Study(Space, kind, 5, new TpeOptions(Multivariate: multivariate));
        var warm = SamplerFactory.Create(study).Free!;
        var histories = Enumerable.Range(1, 16).Select(k => trials.Take(10 * k).Select((t, i) => i >= (10 * k) - 3 ? t with { State = TrialState.Running, Values = [] } : t).ToList()).ToList();
        histories.Add(trials.Select((t, i) => i < 40 ? t with { Values = [-t.Values[0]] } : t).ToList());
        foreach (var history in histories)
        {
            for (var i = 0; i < 2; i++)
            {
                var rng = () => Rng.For(5, "w", history.Count, i);
                Assert.Equal(Text(SamplerFactory.Create(study).Free!.Sample(history, rng())), Text(warm.Sample(history, rng())));
            }
        }
    }

    private static string Suggest(SamplerKind kind, bool multivariate, ulong seed, IReadOnlyList<Trial> history, int index = 0)
    {
        var space = kind == SamplerKind.Grid ? GridSpace : Space;
        var study = Build.Study(space, kind, seed, new TpeOptions(Multivariate: multivariate));
        var (free, sequence) = SamplerFactory.Create(study);
        return Text(free?.Sample(history, Rng.For(seed, "w", history.Count, index)) ?? sequence!.PointAt(index));
    }

    private static string Text(IReadOnlyDictionary<string, ParamValue> ps) => string.Join(",", ps.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));

    private static List<Trial> History(SearchSpace space, int n)
    {
        var rng = new Rng(99);
        return Enumerable.Range(0, n).Select(i =>
        {
            var ps = IndependentSampling.DrawAll(space, rng);
            return new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = [rng.NextDouble()] };
        }).ToList();
    }
}
