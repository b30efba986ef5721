using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;
using GrpcTuner.Core.Samplers.Tpe;

namespace GrpcTuner.Core.Tests;

public class TpeSamplerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FindsTheMinimumOfAQuadraticFasterThanRandom(bool multivariate)
    {
        var space = Build.Space(Build.Float("x", -10, 10), Build.Float("y", -10, 10));
        static double F(IReadOnlyDictionary<string, ParamValue> p) => Math.Pow(p["x"].AsFloat - 3, 2) + Math.Pow(p["y"].AsFloat + 2, 2);
        var tpe = Best(new TpeSampler(Build.Study(space, tpe: new TpeOptions(Multivariate: multivariate))), F, 80);
        var random = Best(new RandomSampler(space), F, 80);
        Assert.True(tpe < random, $"TPE best {tpe} should beat random best {random}");
        Assert.True(tpe < 0.5, $"TPE best {tpe} should be near 0 after 80 trials");
    }

    [Fact]
    public void ConditionalParametersOnlyAppearWhenTheirParentEnablesThem()
    {
        var space = Build.Space(Build.Cat("opt", "adam", "sgd"),
            new ParamSpec("momentum", new FloatDistribution(0, 1), new Condition("opt", [ParamValue.Of("sgd")])));
        var sampler = new TpeSampler(Build.Study(space, tpe: new TpeOptions(NStartupTrials: 2)));
        var history = new List<Trial>();
        for (var i = 0; i < 40; i++)
        {
            var ps = sampler.Sample(history, Rng.For(1, i));
            Assert.Equal(ps["opt"].AsString == "sgd", ps.ContainsKey("momentum"));
            history.Add(new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = [ps["opt"].AsString == "sgd" ? 1 : 0] });
        }

        // adam is always better here: the model should prefer it clearly by the end.
        Assert.True(history.Skip(20).Count(t => t.Params["opt"].AsString == "adam") >= 14);
    }

    [Fact]
    public void IntegerAndLogParametersStayOnTheirGrid()
    {
        var space = Build.Space(Build.Int("n", 1, 1000, log: true), Build.Int("k", 0, 20, step: 4), Build.Float("s", 0, 1, step: 0.1));
        var sampler = new TpeSampler(Build.Study(space, tpe: new TpeOptions(NStartupTrials: 3)));
        var history = new List<Trial>();
        for (var i = 0; i < 30; i++)
        {
            var ps = sampler.Sample(history, Rng.For(5, i));
            foreach (var spec in space.Params)
            {
                Assert.True(spec.Distribution.Contains(ps[spec.Name]), $"{spec.Name}={ps[spec.Name]} is outside its distribution");
            }

            history.Add(new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = [ps["n"].AsInt] });
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NeverRepeatsAConfigurationOnAFiniteSpaceUntilEveryOneIsTried(bool multivariate)
    {
        // 3 x 3 x 3 = 27 configurations; a value that rewards one corner pulls l(x)/g(x) back to it.
        var space = Build.Space(Build.Cat("a", "p", "q", "r"), Build.Int("b", 0, 2), Build.Float("c", 0, 1, step: 0.5));
        var sampler = new TpeSampler(Build.Study(space, tpe: new TpeOptions(NStartupTrials: 3, Multivariate: multivariate)));
        var history = new List<Trial>();
        var keys = new HashSet<string>();
        for (var i = 0; i < 27; i++)
        {
            var ps = sampler.Sample(history, Rng.For(3, i));
            var key = $"{ps["a"]}|{ps["b"]}|{ps["c"]}";
            Assert.True(keys.Add(key), $"trial {i} repeats {key}");
            var value = (ps["a"].AsString == "p" ? 0 : 1) + ps["b"].AsInt + ps["c"].AsFloat;
            history.Add(new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = [value] });
        }
    }

    [Fact]
    public void EveryFourthModelBasedSuggestionIsASmallStepFromTheBestTrial()
    {
        var space = Build.Space(Build.Float("x", 0, 100), Build.Float("y", 0, 100));
        var sampler = new TpeSampler(Build.Study(space, tpe: new TpeOptions(NStartupTrials: 10)));
        // 13 finished trials: the fourth model-based suggestion (index 3 past the 10 startup ones) is due.
        var history = Enumerable.Range(0, 13).Select(i => Build.Complete(i, i == 7 ? -1 : i, ("x", 7.0 * i), ("y", 100 - (7.0 * i)))).ToList();
        for (var seed = 0; seed < 20; seed++)
        {
            var ps = sampler.Sample(history, Rng.For((ulong)seed, 13));
            // 0.05 of the range is a standard deviation of 5: 5 of them is 25.
            Assert.InRange(ps["x"].AsFloat, 49 - 25, 49 + 25);
            Assert.InRange(ps["y"].AsFloat, 51 - 25, 51 + 25);
        }

        var spread = Enumerable.Range(0, 20).Select(seed => sampler.Sample(history[..12], Rng.For((ulong)seed, 12))["x"].AsFloat).ToArray();
        Assert.Contains(spread, x => Math.Abs(x - 49) > 25);
    }

    [Fact]
    public void ConstantLiarCountsRunningTrialsAsBad()
    {
        var history = Enumerable.Range(0, 20).Select(i => Build.Complete(i, i, ("x", i))).ToList();
        history.Add(new Trial { Number = 20, Params = new Dictionary<string, ParamValue> { ["x"] = ParamValue.Of(0.5) }, State = TrialState.Running });
        var space = new SearchSpace([new ParamSpec("x", new FloatDistribution(0, 20))]);
        var columns = new TrialColumns(space, new SplitRule([Direction.Minimize], ConstantLiar: true));
        columns.Sync(history);
        var (below, above, best, finished) = ObservationSplit.Split(columns, [Direction.Minimize]);
        Assert.Equal(20, finished);
        // gamma counts the 20 finished trials only (2 good ones); the running one joins the bad side.
        Assert.Equal([0, 1], below);
        Assert.Equal(0, best);
        Assert.Contains(20, above);
        var withoutLiarColumns = new TrialColumns(space, new SplitRule([Direction.Minimize], ConstantLiar: false));
        withoutLiarColumns.Sync(history);
        var withoutLiar = ObservationSplit.Split(withoutLiarColumns, [Direction.Minimize]).Above;
        Assert.DoesNotContain(20, withoutLiar);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(1000, 25)]
    public void GammaIsOptunas(int n, int expected) => Assert.Equal(expected, ObservationSplit.Gamma(n));

    private static double Best(ISampler sampler, Func<IReadOnlyDictionary<string, ParamValue>, double> f, int n)
    {
        var history = new List<Trial>();
        for (var i = 0; i < n; i++)
        {
            var ps = sampler.Sample(history, Rng.For(3, "w", i));
            history.Add(new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = [f(ps)] });
        }

        return history.Min(t => t.Values[0]);
    }
}
