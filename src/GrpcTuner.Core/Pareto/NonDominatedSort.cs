using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Pareto;

/// <summary>Pareto dominance and non-dominated sorting of objective vectors.</summary>
public static class NonDominatedSort
{
    /// <summary>Whether <paramref name="a"/> is at least as good as <paramref name="b"/> everywhere and better somewhere.</summary>
    public static bool Dominates(IReadOnlyList<double> a, IReadOnlyList<double> b, IReadOnlyList<Direction> directions)
    {
        var better = false;
        for (var k = 0; k < directions.Count; k++)
        {
            var (x, y) = directions[k] == Direction.Minimize ? (a[k], b[k]) : (-a[k], -b[k]);
            if (x > y)
            {
                return false;
            }

            better |= x < y;
        }

        return better;
    }

    /// <summary>Front index of each point: 0 for the non-dominated, 1 for those dominated only by front 0, ...</summary>
    public static int[] Ranks(IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<Direction> directions)
    {
        var n = points.Count;
        var dominatedBy = new int[n];
        var dominates = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            dominates[i] = [];
        }

        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                if (Dominates(points[i], points[j], directions))
                {
                    dominates[i].Add(j);
                    dominatedBy[j]++;
                }
                else if (Dominates(points[j], points[i], directions))
                {
                    dominates[j].Add(i);
                    dominatedBy[i]++;
                }
            }
        }

        var ranks = new int[n];
        var front = Enumerable.Range(0, n).Where(i => dominatedBy[i] == 0).ToList();
        for (var rank = 0; front.Count > 0; rank++)
        {
            var next = new List<int>();
            foreach (var i in front)
            {
                ranks[i] = rank;
                foreach (var j in dominates[i])
                {
                    if (--dominatedBy[j] == 0)
                    {
                        next.Add(j);
                    }
                }
            }

            front = next;
        }

        return ranks;
    }
}
