using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Samplers;
using GrpcTuner.Core.Samplers.Qmc;

namespace GrpcTuner.Core.Tests;

public class SequenceSamplerTests
{
    [Fact]
    public void GridVisitsEveryPointExactlyOnce()
    {
        var space = Build.Space(Build.Float("x", 0, 1, step: 0.25), Build.Int("n", 2, 10, step: 2), Build.Cat("c", "a", "b", "c"));
        var grid = new GridSampler(space, 5);
        Assert.Equal(5L * 5 * 3, grid.Size);
        var points = Enumerable.Range(0, 75).Select(i => Key(grid.PointAt(i))).ToList();
        Assert.Equal(75, points.Distinct().Count());
        Assert.Contains("c=c,n=10,x=1", points);
        Assert.Throws<ArgumentOutOfRangeException>(() => grid.PointAt(75));
    }

    [Fact]
    public void GridOrderDependsOnTheSeed()
    {
        var space = Build.Space(Build.Int("n", 0, 99));
        var a = Enumerable.Range(0, 10).Select(i => Key(new GridSampler(space, 1).PointAt(i)));
        var b = Enumerable.Range(0, 10).Select(i => Key(new GridSampler(space, 2).PointAt(i)));
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void ScrambledSobolKeepsTheNetPropertyInTwoDimensions()
    {
        // The first 2^m points of a Sobol sequence put exactly one point in every cell of a
        // 2^(m/2) x 2^(m/2) grid in dimensions 1 and 2; scrambling must not break that.
        var sobol = new ScrambledSobol(3, 1234);
        var cells = new HashSet<(int, int)>();
        for (var i = 0; i < 64; i++)
        {
            var p = sobol.Point(i);
            Assert.All(p, x => Assert.InRange(x, 0, 1));
            cells.Add(((int)(p[0] * 8), (int)(p[1] * 8)));
        }

        Assert.Equal(64, cells.Count);
    }

    [Fact]
    public void QmcSamplerFillsEachOneDimensionalStratum()
    {
        var qmc = new QmcSampler(Build.Space(Build.Float("x", 0, 16)), 7);
        var strata = Enumerable.Range(0, 16).Select(i => (int)qmc.PointAt(i)["x"].AsFloat).ToHashSet();
        Assert.Equal(16, strata.Count);
    }

    [Fact]
    public void QmcRejectsMoreDimensionsThanItHasDirectionNumbersFor() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScrambledSobol(QmcSampler.MaxParams + 1, 1));

    private static string Key(IReadOnlyDictionary<string, ParamValue> ps) => string.Join(",", ps.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));
}
