namespace GrpcTuner.Core.Coverage;

/// <summary>
/// Leave-one-data-set-out evaluation of CBS: for each data set, recommend from the others, then
/// score the best of the top-k recommendations on the held-out one, two ways: min-max normalized
/// (the per-data-set best, the upper bound, is 1, the worst configuration 0) and as a fraction of
/// the held-out data set's best raw score. Averages over the held-out data sets.
/// </summary>
public static class LeaveOneOut
{
    /// <param name="CbsAtK">Mean normalized score of CBS_1..CBS_k.</param>
    /// <param name="Default">Mean normalized score of the default configuration.</param>
    /// <param name="UpperBound">Mean normalized score of each data set's best (1).</param>
    /// <param name="PerDataset">Per held-out data set: normalized CBS_1..CBS_k, then the default.</param>
    /// <param name="CbsFractionAtK">Mean of CBS_k's raw score over the held-out best.</param>
    /// <param name="DefaultFraction">Mean of the default's raw score over the held-out best.</param>
    public sealed record Result(IReadOnlyList<double> CbsAtK, double Default, double UpperBound, IReadOnlyList<double[]> PerDataset,
        IReadOnlyList<double> CbsFractionAtK, double DefaultFraction);

    /// <param name="scores">scores[c][d], larger is better.</param>
    /// <param name="maxK">Evaluate CBS_1 .. CBS_maxK.</param>
    /// <param name="defaultConfiguration">Index of the configuration a user gets without tuning.</param>
    /// <param name="tolerance">CBS coverage tolerance.</param>
    public static Result Evaluate(IReadOnlyList<double[]> scores, int maxK, int defaultConfiguration, double tolerance = CoverageSearch.DefaultTolerance)
    {
        var datasets = scores[0].Length;
        var normalized = CoverageSearch.Normalize(scores);
        var perDataset = new List<double[]>();
        var fractions = new List<double[]>();
        for (var held = 0; held < datasets; held++)
        {
            var others = scores.Select(row => row.Where((_, d) => d != held).ToArray()).ToList();
            var order = CoverageSearch.Recommend(others, maxK, tolerance);
            var best = scores.Where(row => double.IsFinite(row[held])).Max(row => row[held]);
            var row = new double[maxK + 1];
            var fraction = new double[maxK + 1];
            for (var k = 1; k <= maxK; k++)
            {
                var pick = order.Take(k).MaxBy(c => normalized[c][held]);
                row[k - 1] = normalized[pick][held];
                fraction[k - 1] = scores[pick][held] / best;
            }

            row[maxK] = normalized[defaultConfiguration][held];
            fraction[maxK] = scores[defaultConfiguration][held] / best;
            perDataset.Add(row);
            fractions.Add(fraction);
        }

        return new Result(
            Enumerable.Range(0, maxK).Select(k => perDataset.Average(r => r[k])).ToList(),
            perDataset.Average(r => r[maxK]),
            1.0,
            perDataset,
            Enumerable.Range(0, maxK).Select(k => fractions.Average(r => r[k])).ToList(),
            fractions.Average(r => r[maxK]));
    }
}
