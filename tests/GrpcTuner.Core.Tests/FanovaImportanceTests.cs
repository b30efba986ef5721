using GrpcTuner.Core.Analysis.Fanova;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;

namespace GrpcTuner.Core.Tests;

public sealed class FanovaImportanceTests
{
    private static readonly SearchSpace Space = Build.Space(Build.Float("x1", 0, 1), Build.Float("x2", 0, 1), Build.Cat("c", "a", "b", "c"), Build.Int("fixed", 3, 3));

    [Fact]
    public void TheParameterThatDrivesTheObjectiveRanksFirstAndShareSumToOne()
    {
        var importance = FanovaImportance.Compute(Space.Params, Trials(ps => (5 * ps["x1"].AsFloat) + ps["x2"].AsFloat));
        Assert.Equal(1.0, importance.Values.Sum(), 9);
        Assert.True(importance["x1"] > 0.8, $"x1 {importance["x1"]}");
        Assert.True(importance["x2"] > importance["c"], $"x2 {importance["x2"]} vs c {importance["c"]}");
        // A parameter with one possible value explains nothing, as in Optuna.
        Assert.Equal(0, importance["fixed"]);
    }

    [Fact]
    public void ACategoricalParameterCountsAsAllItsChoicesTogether()
    {
        var importance = FanovaImportance.Compute(Space.Params, Trials(ps => ps["c"].AsString == "b" ? 10 : 0));
        Assert.True(importance["c"] > 0.9, $"c {importance["c"]}");
    }

    [Fact]
    public void TheSameTrialsAndSeedGiveTheSameImportances()
    {
        var trials = Trials(ps => Math.Sin(6 * ps["x1"].AsFloat) + (ps["x2"].AsFloat * ps["x2"].AsFloat));
        Assert.Equal(FanovaImportance.Compute(Space.Params, trials, seed: 3), FanovaImportance.Compute(Space.Params, trials, seed: 3));
        Assert.NotEqual(FanovaImportance.Compute(Space.Params, trials, seed: 3)["x1"], FanovaImportance.Compute(Space.Params, trials, seed: 4)["x1"]);
    }

    [Fact]
    public void AConstantObjectiveExplainsNothing()
    {
        var importance = FanovaImportance.Compute(Space.Params, Trials(_ => 1.0));
        Assert.All(importance.Values, v => Assert.Equal(0, v));
    }

    private static List<(IReadOnlyDictionary<string, ParamValue> Params, double Value)> Trials(Func<IReadOnlyDictionary<string, ParamValue>, double> f)
    {
        var rng = new Rng(7);
        return Enumerable.Range(0, 150).Select(_ =>
        {
            var ps = IndependentSampling.DrawAll(Space, rng);
            return ((IReadOnlyDictionary<string, ParamValue>)ps, f(ps));
        }).ToList();
    }
}
