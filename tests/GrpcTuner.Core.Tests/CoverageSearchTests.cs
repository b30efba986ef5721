using GrpcTuner.Core.Coverage;

namespace GrpcTuner.Core.Tests;

public class CoverageSearchTests
{
    // Four configurations on three data sets. Normalized per column (min-max):
    //          d0    d1    d2
    //   c0:   1.0   0.0   0.5      covers d0
    //   c1:   0.0   1.0   0.98     covers d1, d2 (0.98 is within 3% of the best)
    //   c2:   0.5   0.5   1.0      covers d2
    //   c3:   0.99  0.2   0.0      covers d0
    private static readonly double[][] Table =
    [
        [0.90, 0.60, 0.75],
        [0.80, 0.70, 0.798],
        [0.85, 0.65, 0.80],
        [0.899, 0.62, 0.70],
    ];

    [Fact]
    public void NormalizationPutsEachDataSetsBestAtOne()
    {
        var n = CoverageSearch.Normalize(Table);
        Assert.Equal(1.0, n[0][0], 9);
        Assert.Equal(0.0, n[1][0], 9);
        Assert.Equal(0.98, n[1][2], 9);
        Assert.Equal(0.99, n[3][0], 9);
    }

    [Fact]
    public void GreedyOrderFollowsNewCoverageThenMeanScore()
    {
        // c1 covers two data sets; then d0 is left: c0 and c3 both cover it, c3's mean is
        // (0.99 + 0.2 + 0) / 3 = 0.397 < c0's 0.5, so c0; then nothing is left to cover and the
        // best mean decides: c2 (0.667) before c3.
        Assert.Equal([1, 0, 2, 3], CoverageSearch.Recommend(Table, 4));
    }

    [Fact]
    public void AZeroToleranceCoversOnlyTheExactBest() =>
        // c0, c1 and c2 each cover one data set: the means decide, c2 (0.667), then c1 (0.66) before c0 (0.5).
        Assert.Equal([2, 1, 0], CoverageSearch.Recommend(Table, 3, tolerance: 0));

    [Fact]
    public void LeaveOneOutScoresTheHeldOutDataSet()
    {
        var result = LeaveOneOut.Evaluate(Table, 2, defaultConfiguration: 3);
        Assert.Equal(3, result.PerDataset.Count);
        // Holding out d0: from d1, d2 alone c1 covers both, so CBS_1 = c1 on d0 = 0.0.
        Assert.Equal(0.0, result.PerDataset[0][0], 9);
        Assert.All(result.PerDataset, row => Assert.True(row[1] >= row[0], "CBS_2 is never worse than CBS_1"));
        Assert.Equal(new[] { 0.99, 0.2, 0.0 }.Average(), result.Default, 9);
    }
}
