using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Pruners;

namespace GrpcTuner.Core.Tests;

public class HyperbandPrunerTests
{
    private static readonly PrunerSettings Settings = new(PrunerKind.Hyperband, MinResource: 1, MaxResource: 27, ReductionFactor: 3);

    [Fact]
    public void BracketsAndBudgetsAreOptunas()
    {
        // log_3(27 / 1) + 1 = 4 brackets; budgets ceil(4 * 3^(3-i) / (4 - i)) = 108/4, 36/3, 12/2, 4/1.
        Assert.Equal(4, HyperbandPruner.BracketCount(1, 27, 3));
        Assert.Equal([27, 12, 6, 4], HyperbandPruner.Budgets(4, 3));
    }

    [Fact]
    public void TrialsSpreadOverBracketsInProportionToTheBudgets()
    {
        var budgets = HyperbandPruner.Budgets(4, 3);
        var counts = new int[4];
        for (var n = 0; n < 49_000; n++)
        {
            counts[HyperbandPruner.BracketOf(n, budgets)]++;
        }

        // 49,000 trials over a total budget of 49: about 1,000 per budget unit.
        Assert.InRange(counts[0], 26_000, 28_000);
        Assert.InRange(counts[1], 11_300, 12_700);
        Assert.InRange(counts[2], 5_500, 6_500);
        Assert.InRange(counts[3], 3_600, 4_400);
        Assert.Equal(HyperbandPruner.BracketOf(12345, budgets), HyperbandPruner.BracketOf(12345, budgets));
    }

    [Fact]
    public void ATrialCompetesOnlyWithItsOwnBracket()
    {
        var budgets = HyperbandPruner.Budgets(4, 3);
        var bracket0 = Enumerable.Range(0, 200).Where(n => HyperbandPruner.BracketOf(n, budgets) == 0).ToList();
        var others = Enumerable.Range(0, 200).Where(n => HyperbandPruner.BracketOf(n, budgets) != 0).ToList();
        var pruner = new HyperbandPruner(Settings, Direction.Minimize);
        // In bracket 0 the first rung is at step 1. Eight bracket-0 trials reached it with values 0..7.
        var history = bracket0.Take(8).Select((n, i) => Build.WithReports(n, TrialState.Running, 100, i)).ToList();
        var candidate = bracket0[8];
        Assert.True(pruner.ShouldPrune(Build.WithReports(candidate, TrialState.Running, 100, 5), history));
        // A good report is kept, and excellent trials in other brackets do not change that: they do not compete.
        var withOthers = history.Concat(others.Take(20).Select(n => Build.WithReports(n, TrialState.Running, 100, -50))).ToList();
        Assert.False(pruner.ShouldPrune(Build.WithReports(candidate, TrialState.Running, 100, 0.5), withOthers));
    }

    [Fact]
    public void WithoutAMaximumAndNoCompleteTrialNothingIsPruned() =>
        Assert.False(new HyperbandPruner(Settings with { MaxResource = 0 }, Direction.Minimize)
            .ShouldPrune(Build.WithReports(3, TrialState.Running, 100, 100), []));
}
