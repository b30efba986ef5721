namespace GrpcTuner.Core.Analysis;

/// <summary>One parameter's observations: its value in each trial (null where a condition left it out).</summary>
/// <param name="Name">The parameter.</param>
/// <param name="Values">Numeric values (categoricals as their choice index), aligned with the objective values.</param>
/// <param name="Categorical">Whether each distinct value is its own group rather than a point on a line.</param>
public sealed record ParamObservations(string Name, IReadOnlyList<double?> Values, bool Categorical);

/// <summary>
/// Parameter importance as the first-order share of the objective's variance each parameter
/// explains (its correlation ratio η², the main effect of a functional ANOVA): trials are grouped
/// by category or, for numbers, into equal-count bins along the parameter, and the variance of the
/// group means is divided by the total variance. Shares are normalized to sum to 1, as Optuna's
/// importances are. Interactions are not attributed, which keeps it cheap and deterministic; with
/// few trials the bins are coarse, so read it as a ranking.
/// </summary>
public static class ParamImportance
{
    public static IReadOnlyDictionary<string, double> Compute(IReadOnlyList<ParamObservations> parameters, IReadOnlyList<double> objective)
    {
        foreach (var p in parameters)
        {
            if (p.Values.Count != objective.Count)
            {
                throw new ArgumentException($"{p.Name} has {p.Values.Count} values for {objective.Count} objective values", nameof(parameters));
            }
        }

        var raw = parameters.ToDictionary(p => p.Name, p => CorrelationRatio(p, objective));
        var total = raw.Values.Sum();
        return raw.ToDictionary(kv => kv.Key, kv => total > 0 ? kv.Value / total : 1.0 / raw.Count);
    }

    private static double CorrelationRatio(ParamObservations p, IReadOnlyList<double> y)
    {
        var n = y.Count;
        if (n < 2)
        {
            return 0;
        }

        var mean = y.Average();
        var totalSquares = y.Sum(v => (v - mean) * (v - mean));
        if (totalSquares <= 0)
        {
            return 0;
        }

        var between = Groups(p).Sum(g =>
        {
            var m = g.Average(i => y[i]);
            return g.Count * (m - mean) * (m - mean);
        });
        return between / totalSquares;
    }

    /// <summary>Indexes of trials grouped: absent values together, categories by value, numbers in about √n equal-count bins (2 to 10).</summary>
    private static IEnumerable<List<int>> Groups(ParamObservations p)
    {
        var absent = Enumerable.Range(0, p.Values.Count).Where(i => p.Values[i] is null).ToList();
        if (absent.Count > 0)
        {
            yield return absent;
        }

        var present = Enumerable.Range(0, p.Values.Count).Where(i => p.Values[i] is not null).OrderBy(i => p.Values[i]!.Value).ThenBy(i => i).ToList();
        if (p.Categorical)
        {
            foreach (var g in present.GroupBy(i => p.Values[i]!.Value))
            {
                yield return g.ToList();
            }

            yield break;
        }

        var bins = Math.Clamp((int)Math.Round(Math.Sqrt(present.Count)), 2, 10);
        for (var b = 0; b < bins; b++)
        {
            var group = present.Skip(b * present.Count / bins).Take(((b + 1) * present.Count / bins) - (b * present.Count / bins)).ToList();
            if (group.Count > 0)
            {
                yield return group;
            }
        }
    }
}
