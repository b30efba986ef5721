using GrpcTuner.Core.Analysis;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Tests;

public sealed class ParamImportanceTests
{
    [Fact]
    public void TheParameterThatDrivesTheObjectiveRanksFirst()
    {
        var rng = Rng.For(7, "importance");
        const int n = 200;
        var x1 = Enumerable.Range(0, n).Select(_ => (double?)rng.NextDouble()).ToList();
        var x2 = Enumerable.Range(0, n).Select(_ => (double?)rng.NextDouble()).ToList();
        var c = Enumerable.Range(0, n).Select(_ => (double?)rng.NextLong(3)).ToList();
        var y = Enumerable.Range(0, n).Select(i => (5 * x1[i]!.Value) + (1 * x2[i]!.Value)).ToList();

        var importance = ParamImportance.Compute([new("x1", x1, false), new("x2", x2, false), new("c", c, true)], y);

        Assert.Equal(1.0, importance.Values.Sum(), 9);
        Assert.True(importance["x1"] > 0.8, $"x1 {importance["x1"]}");
        Assert.True(importance["x2"] > importance["c"], $"x2 {importance["x2"]} vs c {importance["c"]}");
    }

    [Fact]
    public void ACategoryAndAnAbsentConditionalParameterAreGroups()
    {
        var choice = new double?[] { 0, 1, 0, 1, 0, 1, 0, 1 };
        var momentum = new double?[] { null, 0.1, null, 0.9, null, 0.5, null, 0.3 };
        var noise = new double?[] { 0.3, 0.1, 0.8, 0.2, 0.5, 0.9, 0.4, 0.7 };
        var y = choice.Select(v => v == 1 ? 10.0 : 0.0).ToList();

        var importance = ParamImportance.Compute([new("choice", choice, true), new("momentum", momentum, false), new("noise", noise, false)], y);

        // momentum is present exactly when choice is 1, so its absent group explains as much.
        Assert.Equal(importance["choice"], importance["momentum"], 9);
        Assert.True(importance["noise"] < importance["choice"]);
    }

    [Fact]
    public void AConstantObjectiveSharesImportanceEqually()
    {
        var importance = ParamImportance.Compute([new("a", [0.1, 0.5, 0.9], false), new("b", [1, 2, 3], false)], [1.0, 1.0, 1.0]);
        Assert.Equal(0.5, importance["a"]);
        Assert.Equal(0.5, importance["b"]);
    }
}
