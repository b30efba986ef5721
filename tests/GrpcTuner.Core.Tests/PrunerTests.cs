using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Pruners;

namespace GrpcTuner.Core.Tests;

public class PrunerTests
{
    private static readonly List<Trial> FiveComplete =
    [
        Build.WithReports(0, TrialState.Complete, 10, 8, 6),
        Build.WithReports(1, TrialState.Complete, 9, 7, 5),
        Build.WithReports(2, TrialState.Complete, 8, 6, 4),
        Build.WithReports(3, TrialState.Complete, 7, 5, 3),
        Build.WithReports(4, TrialState.Complete, 6, 4, 2),
    ];

    [Fact]
    public void MedianPrunerPrunesWorseThanTheMedianAtTheSameStep()
    {
        var median = PercentilePruner.Median(Direction.Minimize);
        // Median at step 1 is 6.
        Assert.True(median.ShouldPrune(Build.WithReports(9, TrialState.Running, 20, 6.5), FiveComplete));
        Assert.False(median.ShouldPrune(Build.WithReports(9, TrialState.Running, 20, 5.5), FiveComplete));
    }

    [Fact]
    public void MedianPrunerJudgesTheBestValueSoFar()
    {
        // Best so far is 1 (step 0), below the median 6 at step 1, though the last report is bad.
        Assert.False(PercentilePruner.Median(Direction.Minimize).ShouldPrune(Build.WithReports(9, TrialState.Running, 1, 50), FiveComplete));
    }

    [Fact]
    public void NothingIsPrunedDuringStartupOrWarmup()
    {
        var startup = new PercentilePruner(new PrunerSettings(PrunerKind.Percentile, NStartupTrials: 6), Direction.Minimize);
        Assert.False(startup.ShouldPrune(Build.WithReports(9, TrialState.Running, 100, 100), FiveComplete));
        var warmup = new PercentilePruner(new PrunerSettings(PrunerKind.Percentile, NWarmupSteps: 2), Direction.Minimize);
        Assert.False(warmup.ShouldPrune(Build.WithReports(9, TrialState.Running, 100, 100), FiveComplete));
        Assert.True(warmup.ShouldPrune(Build.WithReports(9, TrialState.Running, 100, 100, 100), FiveComplete));
    }

    [Fact]
    public void PercentileFlipsForMaximization()
    {
        // Keep the top 25% when maximizing: the threshold is the 75th percentile (values 6..10 -> 9).
        var p25 = new PercentilePruner(new PrunerSettings(PrunerKind.Percentile, Percentile: 25), Direction.Maximize);
        Assert.True(p25.ShouldPrune(Build.WithReports(9, TrialState.Running, 8.5), FiveComplete));
        Assert.False(p25.ShouldPrune(Build.WithReports(9, TrialState.Running, 9.5), FiveComplete));
    }

    [Fact]
    public void PercentileInterpolatesLikeNumpy() => Assert.Equal(2.5, PercentilePruner.Percentile([1, 2, 3, 4], 50));

    [Fact]
    public void SuccessiveHalvingKeepsTheTopQuarterAtEachRung()
    {
        // min_resource 1, eta 4: rungs at steps 1, 4, 16. Eight trials reached step 1 with values 0..7;
        // the promotable threshold among 9 competitors (with the new one) is the 2nd best value.
        var asha = new SuccessiveHalvingPruner(new PrunerSettings(PrunerKind.SuccessiveHalving, MinResource: 1), Direction.Minimize);
        var history = Enumerable.Range(0, 8).Select(i => Build.WithReports(i, TrialState.Running, 100, i)).ToList();
        Assert.False(asha.ShouldPrune(Build.WithReports(20, TrialState.Running, 100, 0.5), history));
        Assert.True(asha.ShouldPrune(Build.WithReports(20, TrialState.Running, 100, 1.5), history));
        // Below the first rung nothing is judged.
        Assert.False(asha.ShouldPrune(Build.WithReports(20, TrialState.Running, 1000), history));
    }

    [Fact]
    public void SuccessiveHalvingJudgesARungOnlyWhenItIsReached()
    {
        var asha = new SuccessiveHalvingPruner(new PrunerSettings(PrunerKind.SuccessiveHalving, MinResource: 1), Direction.Minimize);
        var history = Enumerable.Range(0, 8).Select(i => Build.WithReports(i, TrialState.Running, 100, 0)).ToList();
        // Reached rung 0 long ago with a then-good value; steps 2 and 3 are between rungs.
        Assert.False(asha.ShouldPrune(Build.WithReports(20, TrialState.Running, 100, 50, 50, 50), history));
    }

    [Fact]
    public void SuccessiveHalvingEstimatesItsMinimumResourceFromCompleteTrials()
    {
        var asha = new SuccessiveHalvingPruner(new PrunerSettings(PrunerKind.SuccessiveHalving), Direction.Minimize);
        var running = Build.WithReports(9, TrialState.Running, 5, 5);
        Assert.False(asha.ShouldPrune(running, []));
        var long1 = Build.WithReports(0, TrialState.Complete, Enumerable.Range(0, 300).Select(i => 1.0).ToArray());
        // min_resource = 299 / 100 = 2: at step 1 there is no rung yet.
        Assert.False(asha.ShouldPrune(running, [long1]));
    }
}
