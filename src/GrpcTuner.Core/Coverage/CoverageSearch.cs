namespace GrpcTuner.Core.Coverage;

/// <summary>How scores are put on one scale per data set before coverage is counted.</summary>
public enum CoverageScale
{
    /// <summary>The paper's: each score over the data set's best (the best over each score when lower is better).</summary>
    FractionOfBest,

    /// <summary>Min-max: the best configuration 1, the worst 0.</summary>
    MinMax,
}

/// <summary>Which way is better, the scale, and how far below the best still covers a data set.</summary>
public sealed record CoverageOptions(bool Minimize = false, CoverageScale Scale = CoverageScale.FractionOfBest, double Tolerance = CoverageSearch.DefaultTolerance);

/// <summary>
/// Coverage-based Search (CBS; "Stay Tuned", arXiv 2407.18990): recommends a short list of
/// configurations that together work well across many data sets. A configuration covers a data set
/// when its normalised score there is at least 1 - tolerance (default 3% of the best). Configurations
/// are taken greedily, each time the one that covers the most data sets not yet covered in this
/// round; once every data set is covered (or nothing left can cover one that is not), a new round
/// starts over all of them. Ties go to the configuration that covers more data sets in all, then to
/// the higher mean normalised score, then to the smaller name (so the order never depends on the
/// order of the rows).
/// </summary>
public static class CoverageSearch
{
    public const double DefaultTolerance = 0.03;

    /// <param name="scores">scores[c][d]: configuration c on data set d; NaN where it was not run.</param>
    /// <param name="k">How many configurations to recommend.</param>
    /// <param name="options">Direction, scale and tolerance; the paper's defaults when null.</param>
    /// <param name="names">A stable name per configuration, the last tie-break; row order when null.</param>
    /// <param name="ct">Checked once per pick: each costs configurations x data sets.</param>
    /// <returns>Indexes of the recommended configurations, best first.</returns>
    public static IReadOnlyList<int> Recommend(IReadOnlyList<double[]> scores, int k, CoverageOptions? options = null, IReadOnlyList<string>? names = null,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        options ??= new CoverageOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Tolerance);
        var normalized = Normalize(scores, options);
        var datasets = normalized.Count == 0 ? 0 : normalized[0].Length;
        var covers = normalized.Select(row => row.Select(v => v >= 1 - options.Tolerance).ToArray()).ToArray();
        var total = covers.Select(row => row.Count(c => c)).ToArray();
        var mean = normalized.Select(row => row.Where(double.IsFinite).DefaultIfEmpty(0).Average()).ToArray();
        var covered = new bool[datasets];
        var taken = new bool[scores.Count];
        var chosen = new List<int>();
        while (chosen.Count < Math.Min(k, scores.Count))
        {
            ct.ThrowIfCancellationRequested();
            var (best, bestGain) = (-1, -1);
            for (var c = 0; c < scores.Count; c++)
            {
                if (taken[c])
                {
                    continue;
                }

                var gain = 0;
                for (var d = 0; d < datasets; d++)
                {
                    gain += covers[c][d] && !covered[d] ? 1 : 0;
                }

                if (best < 0 || gain > bestGain || (gain == bestGain && Before(c, best)))
                {
                    (best, bestGain) = (c, gain);
                }
            }

            if (bestGain == 0 && covered.Any(c => c))
            {
                // The round is over: every data set is covered, or none left uncovered can be. Start again over all.
                Array.Clear(covered);
                continue;
            }

            chosen.Add(best);
            taken[best] = true;
            for (var d = 0; d < datasets; d++)
            {
                covered[d] |= covers[best][d];
            }
        }

        return chosen;

        bool Before(int a, int b) =>
            total[a] != total[b] ? total[a] > total[b]
            : mean[a] != mean[b] ? mean[a] > mean[b]
            : names is not null && string.CompareOrdinal(names[a], names[b]) != 0 ? string.CompareOrdinal(names[a], names[b]) < 0
            : a < b;
    }

    /// <summary>
    /// Each data set's (column's) scores on the chosen scale, 1 for its best. Fraction of best needs
    /// positive scores: a column with a score of zero or below is an <see cref="ArgumentException"/> naming it.
    /// </summary>
    public static IReadOnlyList<double[]> Normalize(IReadOnlyList<double[]> scores, CoverageOptions? options = null)
    {
        options ??= new CoverageOptions();
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
            if (options.Scale == CoverageScale.FractionOfBest && min <= 0)
            {
                throw new ArgumentException($"data set {d}: a score of {min} cannot be a fraction of the best; fraction-of-best needs positive scores (use the min-max scale)");
            }

            for (var c = 0; c < scores.Count; c++)
            {
                var s = scores[c][d];
                result[c][d] = !double.IsFinite(s) ? double.NaN
                    : options.Scale == CoverageScale.FractionOfBest ? (options.Minimize ? min / s : s / max)
                    : max == min ? 1
                    : options.Minimize ? (max - s) / (max - min) : (s - min) / (max - min);
            }
        }

        return result;
    }
}
