using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers.Gp;
using GrpcTuner.Core.Samplers.Tpe;

namespace GrpcTuner.Core.Tests;

public class GpTests
{
    /// <summary>Matérn-5/2 with length 1 and unit variance, written out: (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r).</summary>
    private static double Matern(double r) => (1 + (Math.Sqrt(5) * r) + (5 * r * r / 3)) * Math.Exp(-Math.Sqrt(5) * r);

    [Fact]
    public void PosteriorMatchesTheTwoPointCaseWorkedByHand()
    {
        // Observations y = 1 at x = 0 and x = 1, noise 0.01, query at 0.5. By symmetry K^-1 [1, 1] = [1, 1] / (1.01 + k(1)),
        // so mean = 2 k(0.5) / (1.01 + k(1)) and variance = 1 - 2 k(0.5)^2 / (1.01 + k(1)).
        var gp = new GaussianProcess([[0.0], [1.0]], [1, 1], [false], [1.0], 1.0, 0.01);
        var (mean, variance) = gp.Predict([0.5]);
        var (a, k1) = (Matern(0.5), Matern(1));
        Assert.Equal(2 * a / (1.01 + k1), mean, 12);
        Assert.Equal(1 - (2 * a * a / (1.01 + k1)), variance, 12);
        Assert.Equal(1.0804, mean, 3);
        Assert.Equal(0.1047, variance, 3);

        // With y = 1 and y = -1 the mean at the midpoint is exactly 0.
        Assert.Equal(0.0, new GaussianProcess([[0.0], [1.0]], [1, -1], [false], [1.0], 1.0, 0.01).Predict([0.5]).Mean, 12);
    }

    [Fact]
    public void CategoricalDimensionsUseAHammingDistance()
    {
        var gp = new GaussianProcess([[0.0, 2.0]], [1], [false, true], [1.0, 0.5], 1.0, 1e-6);
        Assert.Equal(1.0, gp.Kernel([0.0, 2.0], [0.0, 2.0]), 12);
        // Another category is at distance 1 / 0.5 = 2, whatever the index.
        Assert.Equal(Matern(2), gp.Kernel([0.0, 2.0], [0.0, 0.0]), 12);
        Assert.Equal(Matern(2), gp.Kernel([0.0, 2.0], [0.0, 1.0]), 12);
    }

    [Fact]
    public void ExpectedImprovementPrefersUncertainOrPromisingPoints()
    {
        var gp = new GaussianProcess([[0.2], [0.8]], [0.0, 1.0], [false], [0.2], 1.0, 1e-6);
        // Near the good point, and far from both, EI beats the spot next to the bad point.
        Assert.True(GpSampler.LogExpectedImprovement(gp, [0.25], 0.0) > GpSampler.LogExpectedImprovement(gp, [0.8], 0.0));
        Assert.True(double.IsFinite(GpSampler.LogExpectedImprovement(gp, [0.8], -50)), "log EI stays finite far in the tail");
    }

    [Fact]
    public void RunningTrialsPushTheNextSuggestionAway()
    {
        var space = new SearchSpace([new ParamSpec("x", new FloatDistribution(0, 1)), new ParamSpec("y", new FloatDistribution(0, 1))]);
        var study = new StudyDefinition("gp", space, [Direction.Minimize], new SamplerSettings(SamplerKind.Gp, 1, Gp: new GpOptions(5)), PrunerSettings.None, 0, Trial.EmptyAttrs);
        var sampler = new GpSampler(study);
        var history = Enumerable.Range(0, 8).Select(i =>
        {
            var rng = new Rng((ulong)i);
            var (x, y) = (rng.NextDouble(), rng.NextDouble());
            return new Trial
            {
                Number = i, State = TrialState.Complete, Values = [Math.Pow(x - 0.3, 2) + Math.Pow(y - 0.6, 2)],
                Params = new Dictionary<string, ParamValue> { ["x"] = ParamValue.Of(x), ["y"] = ParamValue.Of(y) },
            };
        }).ToList();
        var first = sampler.Sample(history, Rng.For(1, 0));
        var withRunning = history.Append(new Trial { Number = 8, State = TrialState.Running, Params = first }).ToList();
        var second = sampler.Sample(withRunning, Rng.For(1, 0));
        var distance = Math.Sqrt(Math.Pow(first["x"].AsFloat - second["x"].AsFloat, 2) + Math.Pow(first["y"].AsFloat - second["y"].AsFloat, 2));
        Assert.True(distance > 0.01, $"the same rng and a believer at the first point should move the second one ({distance})");
    }

    [Fact]
    public void NeverRepeatsAConfigurationOnAFiniteSpaceUntilEveryOneIsTried()
    {
        // 4 x 3 x 3 = 36 configurations and a smooth value with its minimum inside: EI keeps coming back to it.
        var space = Build.Space(Build.Int("n", 1, 4), Build.Float("s", 0, 1, step: 0.5), Build.Cat("k", "a", "b", "c"));
        var sampler = new GpSampler(Build.Study(space, SamplerKind.Gp));
        var history = new List<Trial>();
        var keys = new HashSet<string>();
        for (var i = 0; i < 36; i++)
        {
            var ps = sampler.Sample(history, Rng.For(2, i));
            var key = $"{ps["n"]}|{ps["s"]}|{ps["k"]}";
            Assert.True(keys.Add(key), $"trial {i} repeats {key}");
            var value = Math.Pow(ps["n"].AsInt - 2, 2) + Math.Pow(ps["s"].AsFloat - 0.5, 2) + (ps["k"].AsString == "b" ? 0 : 1);
            history.Add(new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = [value] });
        }
    }

    private static List<Trial> Branin2d(int count) => Enumerable.Range(0, count).Select(i =>
    {
        var rng = new Rng((ulong)i + 100);
        var (x, y) = (rng.NextDouble(), rng.NextDouble());
        return new Trial
        {
            Number = i, State = TrialState.Complete, Values = [Math.Pow(x - 0.3, 2) + Math.Pow(y - 0.6, 2) + (0.1 * Math.Sin(20 * x))],
            Params = new Dictionary<string, ParamValue> { ["x"] = ParamValue.Of(x), ["y"] = ParamValue.Of(y) },
        };
    }).ToList();

    private static GpSampler TwoFloats() => new(new StudyDefinition("gp", new SearchSpace([new ParamSpec("x", new FloatDistribution(0, 1)), new ParamSpec("y", new FloatDistribution(0, 1))]),
        [Direction.Minimize], new SamplerSettings(SamplerKind.Gp, 1), PrunerSettings.None, 0, Trial.EmptyAttrs));

    [Fact]
    public void ALongHistoryIsModelledByItsBestAndItsMostRecentTrials()
    {
        var history = Branin2d(600);
        var best = history.OrderBy(t => t.Values[0]).Take(GpSampler.MaxModelledTrials / 2).ToHashSet();
        var recent = history.Where(t => !best.Contains(t)).OrderByDescending(t => t.Number).Take(GpSampler.MaxModelledTrials / 2).ToHashSet();
        var kept = history.Where(t => best.Contains(t) || recent.Contains(t)).ToList();
        Assert.Equal(GpSampler.MaxModelledTrials, kept.Count);
        // The trials left out change nothing: the suggestion is the one the 200 kept trials give.
        Assert.Equal(TwoFloats().Sample(kept, Rng.For(3, 0)), TwoFloats().Sample(history, Rng.For(3, 0)));
        Assert.NotEqual(TwoFloats().Sample(history.Take(400).ToList(), Rng.For(3, 0)), TwoFloats().Sample(history, Rng.For(3, 0)));
    }

    [Fact]
    public void TheFitStopsWhenTheAskIsCancelled()
    {
        // A fit on 200 trials takes about half a second on the CI machine; the token is cancelled well inside it, from a
        // thread of its own, since a timer's callback can wait behind a thread pool busy with the other tests.
        var history = Branin2d(GpSampler.MaxModelledTrials);
        using var caller = new CancellationTokenSource();
        var canceller = new Thread(() =>
        {
            Thread.Sleep(20);
            caller.Cancel();
        });
        canceller.Start();
        Assert.ThrowsAny<OperationCanceledException>(() => TwoFloats().Sample(history, Rng.For(3, 0), caller.Token));
        canceller.Join();
    }

    [Fact]
    public void WarpingKeepsTheOrderSharesTiesAndTamesAnOutlier()
    {
        var warped = QuantileWarping.Warp([0.3, 0.1, 1e6, 0.2, 0.2]);
        // Ranks 3, 0, 4 and the tie 1.5, as normal quantiles of (rank + 0.5) / 5.
        Assert.Equal(Gaussian.InverseCdf(3.5 / 5), warped[0], 12);
        Assert.Equal(Gaussian.InverseCdf(0.5 / 5), warped[1], 12);
        Assert.Equal(warped[3], warped[4]);
        Assert.Equal(Gaussian.InverseCdf(2.0 / 5), warped[3], 12);
        // The outlier sits one rank above the next value, not a million times further.
        Assert.Equal(Gaussian.InverseCdf(4.5 / 5), warped[2], 12);
    }
}
