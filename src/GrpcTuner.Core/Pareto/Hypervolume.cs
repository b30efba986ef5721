using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Pareto;

/// <summary>
/// The hypervolume dominated by a set of points up to a reference point (larger is better), exact,
/// by slicing along the first objective (HSO). Fine for the few objectives and front sizes of a study.
/// </summary>
public static class Hypervolume
{
    public static double Compute(IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<Direction> directions, IReadOnlyList<double> reference)
    {
        // Turn every objective into one to minimize, and drop points that do not beat the reference.
        var m = directions.Count;
        var sign = directions.Select(d => d == Direction.Minimize ? 1.0 : -1.0).ToArray();
        var r = reference.Select((v, k) => v * sign[k]).ToArray();
        var pts = points.Select(p => p.Select((v, k) => v * sign[k]).ToArray()).Where(p => p.Zip(r).All(x => x.First < x.Second)).ToList();
        return Volume(pts, r, m);
    }

    private static double Volume(List<double[]> pts, double[] r, int m)
    {
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
                total += thickness * Volume(sorted.Take(i + 1).ToList(), r, m - 1);
            }
        }

        return total;
    }
}
