namespace GrpcTuner.Core.Coverage;

/// <summary>
/// Leave-one-data-set-out evaluation of CBS: for each data set, recommend from the others, then
/// score the best of the top-k recommendations on the held-out one, on both scales: as a fraction
/// of the held-out best (the paper's) and min-max (the best 1, the worst configuration 0), in the
/// study's direction. Averages over the held-out data sets.
/// </summary>
public static class LeaveOneOut
{
    /// <param name="CbsAtK">Mean min-max score of CBS_1..CBS_k.</param>
    /// <param name="Default">Mean min-max score of the default configuration.</param>
    /// <param name="UpperBound">Mean score of each data set's best (1 on both scales).</param>
    /// <param name="PerDataset">Per held-out data set: min-max CBS_1..CBS_k, then the default.</param>
    /// <param name="CbsFractionAtK">Mean fraction of the held-out best of CBS_1..CBS_k (at most 1).</param>
    /// <param name="DefaultFraction">Mean fraction of the held-out best of the default.</param>
    public sealed record Result(IReadOnlyList<double> CbsAtK, double Default, double UpperBound, IReadOnlyList<double[]> PerDataset,
        IReadOnlyList<double> CbsFractionAtK, double DefaultFraction);

    /// <param name="scores">scores[c][d].</param>
    /// <param name="maxK">Evaluate CBS_1 .. CBS_maxK.</param>
    /// <param name="defaultConfiguration">Index of the configuration a user gets without tuning.</param>
    /// <param name="options">Direction, the scale recommendations are made on, and the tolerance.</param>
    /// <param name="names">Stable names of the configurations, for ties.</param>
    public static Result Evaluate(IReadOnlyList<double[]> scores, int maxK, int defaultConfiguration, CoverageOptions? options = null, IReadOnlyList<string>? names = null)
    {
        options ??= new CoverageOptions();
        var datasets = scores[0].Length;
        var minMax = CoverageSearch.Normalize(scores, options with { Scale = CoverageScale.MinMax });
        var fractionOfBest = scores.Any(row => row.Any(v => v <= 0)) ? null : CoverageSearch.Normalize(scores, options with { Scale = CoverageScale.FractionOfBest });
        var perDataset = new List<double[]>();
        var fractions = new List<double[]>();
        for (var held = 0; held < datasets; held++)
        {
            var others = scores.Select(row => row.Where((_, d) => d != held).ToArray()).ToList();
            var order = CoverageSearch.Recommend(others, maxK, options, names);
            var row = new double[maxK + 1];
            var fraction = new double[maxK + 1];
            for (var k = 1; k <= maxK; k++)
            {
                var pick = order.Take(k).MaxBy(c => minMax[c][held]);
                row[k - 1] = minMax[pick][held];
                fraction[k - 1] = fractionOfBest?[pick][held] ?? double.NaN;
            }

            row[maxK] = minMax[defaultConfiguration][held];
            fraction[maxK] = fractionOfBest?[defaultConfiguration][held] ?? double.NaN;
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
