using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Pareto;

namespace GrpcTuner.Core.Tests;

public class HypervolumeTests
{
    private static List<IReadOnlyList<double>> Front(int n, int m, int seed)
    {
        // Points on the positive part of the unit sphere: no one dominates another.
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            var v = Enumerable.Range(0, m).Select(_ => rng.NextDouble() + 0.05).ToArray();
            var norm = Math.Sqrt(v.Sum(x => x * x));
            return (IReadOnlyList<double>)v.Select(x => x / norm).ToArray();
        }).ToList();
    }

    [Fact]
    public void TheEstimateIsWithinItsStatedErrorOfTheExactVolume()
    {
        var front = Front(30, 3, 1);
        var directions = Enumerable.Repeat(Direction.Minimize, 3).ToArray();
        double[] reference = [1.2, 1.2, 1.2];
        var exact = Hypervolume.Compute(front, directions, reference);
        var estimate = Hypervolume.Estimate(front, directions, reference);
        var box = Enumerable.Range(0, 3).Aggregate(1.0, (v, k) => v * (reference[k] - front.Min(p => p[k])));
        Assert.InRange(estimate, exact - (4 * box * 0.5 / Math.Sqrt(Hypervolume.Samples)), exact + (4 * box * 0.5 / Math.Sqrt(Hypervolume.Samples)));
    }

    [Fact]
    public void EightObjectivesAndFiftyPointsGetTheSameEstimateEveryTime()
    {
        // Exact slicing would cost about 50^7 = 8e11 steps; the estimate is bounded and seeded.
        var front = Front(50, 8, 2);
        var directions = Enumerable.Repeat(Direction.Minimize, 8).ToArray();
        var reference = Enumerable.Repeat(1.1, 8).ToArray();
        var first = Hypervolume.Compute(front, directions, reference);
        Assert.Equal(first, Hypervolume.Compute(front, directions, reference));
        var box = Enumerable.Range(0, 8).Aggregate(1.0, (v, k) => v * (reference[k] - front.Min(p => p[k])));
        Assert.InRange(first, 1e-9, box);
    }

    [Fact]
    public void ACancelledCallStops()
    {
        var front = Front(50, 8, 3);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => Hypervolume.Compute(front, Enumerable.Repeat(Direction.Minimize, 8).ToArray(), Enumerable.Repeat(1.1, 8).ToArray(), cancelled.Token));
    }
}
