namespace GrpcTuner.Core.Coverage;

/// <summary>
/// Coverage-based Search (CBS): recommends a short list of configurations that together work well
/// across many data sets. Each data set's scores are normalized to [0, 1] (min-max, best = 1); a
/// configuration covers a data set when its normalized score is within the tolerance of that
/// data set's best (default 3%); configurations are then ordered greedily, each time taking the
/// one that covers the most data sets not yet covered, ties going to the higher mean normalized
/// score. Scores are larger-is-better; negate a loss before passing it.
/// </summary>
public static class CoverageSearch
{
    public const double DefaultTolerance = 0.03;

    /// <param name="scores">scores[c][d]: configuration c on data set d; NaN where it was not run.</param>
    /// <param name="k">How many configurations to recommend.</param>
    /// <param name="tolerance">Distance below the best, on the normalized scale, that still covers.</param>
    /// <returns>Indexes of the recommended configurations, best first.</returns>
    public static IReadOnlyList<int> Recommend(IReadOnlyList<double[]> scores, int k, double tolerance = DefaultTolerance)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        var normalized = Normalize(scores);
        var datasets = normalized.Count == 0 ? 0 : normalized[0].Length;
        var covers = normalized.Select(row => row.Select(v => v >= 1 - tolerance).ToArray()).ToArray();
        var mean = normalized.Select(row => row.Where(double.IsFinite).DefaultIfEmpty(0).Average()).ToArray();
        var covered = new bool[datasets];
        var chosen = new List<int>();
        while (chosen.Count < Math.Min(k, scores.Count))
        {
            var best = -1;
            var bestGain = -1;
            for (var c = 0; c < scores.Count; c++)
            {
                if (chosen.Contains(c))
                {
                    continue;
                }

                var gain = 0;
                for (var d = 0; d < datasets; d++)
                {
                    gain += covers[c][d] && !covered[d] ? 1 : 0;
                }

                if (gain > bestGain || (gain == bestGain && mean[c] > mean[best]))
                {
                    (best, bestGain) = (c, gain);
                }
            }

            chosen.Add(best);
            for (var d = 0; d < datasets; d++)
            {
                covered[d] |= covers[best][d];
            }
        }

        return chosen;
    }

    /// <summary>Min-max normalization per data set (column): the best configuration gets 1, the worst 0.</summary>
    public static IReadOnlyList<double[]> Normalize(IReadOnlyList<double[]> scores)
    {
        if (scores.Count == 0)
        {
            return [];
        }

        var datasets = scores[0].Length;
        var result = scores.Select(row => new double[datasets]).ToArray();
        for (var d = 0; d < datasets; d++)
        {
            var column = scores.Select(row => row[d]).Where(double.IsFinite).ToList();
            var (min, max) = column.Count == 0 ? (0.0, 0.0) : (column.Min(), column.Max());
            for (var c = 0; c < scores.Count; c++)
            {
                result[c][d] = !double.IsFinite(scores[c][d]) ? double.NaN : max > min ? (scores[c][d] - min) / (max - min) : 1;
            }
        }

        return result;
    }
}
