using GrpcTuner.Core.Coverage;

namespace GrpcTuner.Core.Tests;

public class CoverageSearchTests
{
    // Four configurations on three data sets. As fractions of each data set's best (the paper's scale):
    //          d0     d1     d2
    //   c0:   1.0    0.857  0.9375    covers d0
    //   c1:   0.889  1.0    0.9975    covers d1, d2 (within 3% of the best)
    //   c2:   0.944  0.929  1.0       covers d2
    //   c3:   0.999  0.886  0.875     covers d0
    private static readonly double[][] Table =
    [
        [0.90, 0.60, 0.75],
        [0.80, 0.70, 0.798],
        [0.85, 0.65, 0.80],
        [0.899, 0.62, 0.70],
    ];

    [Fact]
    public void BothScalesPutEachDataSetsBestAtOne()
    {
        var fraction = CoverageSearch.Normalize(Table);
        Assert.Equal(1.0, fraction[0][0], 9);
        Assert.Equal(0.80 / 0.90, fraction[1][0], 9);
        Assert.Equal(0.798 / 0.80, fraction[1][2], 9);
        var minMax = CoverageSearch.Normalize(Table, new CoverageOptions(Scale: CoverageScale.MinMax));
        Assert.Equal(0.0, minMax[1][0], 9);
        Assert.Equal(0.98, minMax[1][2], 9);
        Assert.Equal(0.99, minMax[3][0], 9);
    }

    [Fact]
    public void GreedyOrderFollowsNewCoverageThenATieBreak()
    {
        // c1 covers two data sets; then d0 is left: c0 and c3 both cover it and one data set in all, c0's
        // mean (0.932) beats c3's (0.920); then every data set is covered and a new round starts: c2 and c3
        // each cover one, c2's mean (0.958) first.
        Assert.Equal([1, 0, 2, 3], CoverageSearch.Recommend(Table, 4));
    }

    [Fact]
    public void AZeroToleranceCoversOnlyTheExactBest() =>
        // c0, c1 and c2 each cover one data set and c3 none: means decide, c1 (0.962), c2 (0.958), c0 (0.932).
        Assert.Equal([1, 2, 0], CoverageSearch.Recommend(Table, 3, new CoverageOptions(Tolerance: 0)));

    [Fact]
    public void OnceEveryDataSetIsCoveredASecondRoundCountsCoverageAgain()
    {
        //          d0    d1    d2    d3    d4    d5
        double[][] table =
        [
            [1.00, 1.00, 1.00, 0.50, 0.50, 0.50], // c0 covers d0-d2
            [0.50, 0.50, 0.50, 1.00, 1.00, 0.50], // c1 covers d3, d4
            [0.90, 0.90, 0.90, 0.90, 0.90, 1.00], // c2 covers d5, mean 0.917
            [0.96, 0.96, 0.96, 0.96, 0.96, 1.00], // c3 covers d5, mean 0.967
            [0.98, 0.60, 0.60, 0.98, 0.60, 0.60], // c4 covers d0 and d3, mean 0.727
        ];
        // Round one: c0, c1, then c3 over c2 by its mean: everything is covered. Round two: c4 covers two
        // data sets again and c2 one, so c4, although c2's mean is higher.
        Assert.Equal([0, 1, 3, 4], CoverageSearch.Recommend(table, 4));
    }

    [Fact]
    public void LowerIsBetterGivesExactlyWhatTheReciprocalGivesHigherIsBetter()
    {
        // A heavy-tailed validation MSE (log-normal, up to ~1e7) of 300 configurations on 6 data sets.
        var rng = new GrpcTuner.Core.Randomness.Rng(11);
        var mse = Enumerable.Range(0, 300).Select(_ => Enumerable.Range(0, 6).Select(_ => Math.Exp(3 * rng.NextGaussian())).ToArray()).ToList();
        var reciprocal = mse.Select(row => row.Select(v => 1 / v).ToArray()).ToList();
        var minimize = new CoverageOptions(Minimize: true);
        Assert.Equal(CoverageSearch.Recommend(reciprocal, 6), CoverageSearch.Recommend(mse, 6, minimize));

        var lower = LeaveOneOut.Evaluate(mse, 4, defaultConfiguration: 0, minimize);
        var higher = LeaveOneOut.Evaluate(reciprocal, 4, defaultConfiguration: 0);
        for (var k = 0; k < 4; k++)
        {
            Assert.Equal(higher.CbsFractionAtK[k], lower.CbsFractionAtK[k], 12);
            Assert.InRange(lower.CbsFractionAtK[k], 0, 1);
        }

        Assert.InRange(lower.DefaultFraction, 0, 1);
        Assert.All(CoverageSearch.Normalize(mse, minimize), row => Assert.All(row, v => Assert.InRange(v, 0, 1)));
    }

    [Fact]
    public void FractionOfBestRefusesScoresThatAreNotPositive()
    {
        var e = Assert.Throws<ArgumentException>(() => CoverageSearch.Recommend([[0.5, -1.0], [0.7, 2.0]], 1));
        Assert.Contains("data set 1", e.Message);
        Assert.Equal([1], CoverageSearch.Recommend([[0.5, -1.0], [0.7, 2.0]], 1, new CoverageOptions(Scale: CoverageScale.MinMax)));
    }

    [Fact]
    public void LeaveOneOutScoresTheHeldOutDataSet()
    {
        var result = LeaveOneOut.Evaluate(Table, 2, defaultConfiguration: 3);
        Assert.Equal(3, result.PerDataset.Count);
        // Holding out d0: from d1, d2 alone c1 covers both, so CBS_1 = c1 on d0: 0.0 min-max, 0.8 / 0.9 of the best.
        Assert.Equal(0.0, result.PerDataset[0][0], 9);
        Assert.All(result.PerDataset, row => Assert.True(row[1] >= row[0], "CBS_2 is never worse than CBS_1"));
        Assert.Equal(new[] { 0.99, 0.2, 0.0 }.Average(), result.Default, 9);
    }

    [Fact]
    public void ARecommendationStopsWhenItsCallerGivesUp()
    {
        using var gaveUp = new CancellationTokenSource();
        gaveUp.Cancel();
        double[][] scores = [[1.0, 0.5], [0.5, 1.0]];
        Assert.Throws<OperationCanceledException>(() => CoverageSearch.Recommend(scores, 2, ct: gaveUp.Token));
        Assert.Equal(2, CoverageSearch.Recommend(scores, 2).Count);
    }
}
