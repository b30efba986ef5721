using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Pareto;

/// <summary>
/// The hypervolume dominated by a set of points up to a reference point (larger is better). Exact,
/// by slicing along each objective in turn (HSO), while its cost, about n^(m-1) for n points in m
/// objectives, stays within <see cref="ExactBudget"/>; beyond that (many objectives and a large
/// front) a Monte Carlo estimate from <see cref="Samples"/> seeded points of the bounding box, whose
/// standard error is at most 0.5 / sqrt(Samples) = 0.11% of the box's volume.
/// </summary>
public static class Hypervolume
{
    public const double ExactBudget = 2e7;
    public const int Samples = 200_000;

    public static double Compute(IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<Direction> directions, IReadOnlyList<double> reference, CancellationToken ct = default)
    {
        var (pts, r) = Minimizing(points, directions, reference);
        return Math.Pow(pts.Count, directions.Count - 1) <= ExactBudget ? Volume(pts, r, directions.Count, ct) : Estimate(pts, r, ct);
    }

    /// <summary>The Monte Carlo estimate, whatever the size (for tests against the exact value).</summary>
    public static double Estimate(IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<Direction> directions, IReadOnlyList<double> reference, CancellationToken ct = default)
    {
        var (pts, r) = Minimizing(points, directions, reference);
        return Estimate(pts, r, ct);
    }

    // Every objective turned into one to minimize; points that do not beat the reference dropped.
    private static (List<double[]> Points, double[] Reference) Minimizing(IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<Direction> directions, IReadOnlyList<double> reference)
    {
        var sign = directions.Select(d => d == Direction.Minimize ? 1.0 : -1.0).ToArray();
        var r = reference.Select((v, k) => v * sign[k]).ToArray();
        return (points.Select(p => p.Select((v, k) => v * sign[k]).ToArray()).Where(p => p.Zip(r).All(x => x.First < x.Second)).ToList(), r);
    }

    private static double Estimate(List<double[]> pts, double[] r, CancellationToken ct)
    {
        if (pts.Count == 0)
        {
            return 0;
        }

        var m = r.Length;
        var low = Enumerable.Range(0, m).Select(k => pts.Min(p => p[k])).ToArray();
        var box = Enumerable.Range(0, m).Aggregate(1.0, (v, k) => v * (r[k] - low[k]));
        // A fixed seed: the same front always gets the same estimate.
        var rng = new Rng(0x5eed);
        var x = new double[m];
        var inside = 0;
        for (var s = 0; s < Samples; s++)
        {
            if ((s & 4095) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            for (var k = 0; k < m; k++)
            {
                x[k] = low[k] + (rng.NextDouble() * (r[k] - low[k]));
            }

            foreach (var p in pts)
            {
                var dominates = true;
                for (var k = 0; k < m && dominates; k++)
                {
                    dominates = p[k] <= x[k];
                }

                if (dominates)
                {
                    inside++;
                    break;
                }
            }
        }

        return box * inside / Samples;
    }

    private static double Volume(List<double[]> pts, double[] r, int m, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (pts.Count == 0)
        {
            return 0;
        }

        if (m == 1)
        {
            return r[0] - pts.Min(p => p[0]);
        }

        // Slice along the last objective: between consecutive values, the volume is the (m-1)-D
        // hypervolume of the points at or below the slice, times its thickness.
        var sorted = pts.OrderBy(p => p[m - 1]).ToList();
        double total = 0;
        for (var i = 0; i < sorted.Count; i++)
        {
            var top = i + 1 < sorted.Count ? sorted[i + 1][m - 1] : r[m - 1];
            var thickness = top - sorted[i][m - 1];
            if (thickness > 0)
            {
                total += thickness * Volume(sorted.Take(i + 1).ToList(), r, m - 1, ct);
            }
        }

        return total;
    }
}
