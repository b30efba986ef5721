using GrpcTuner.Core.Coverage;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;
using GrpcTuner.Core.Validation;
using GrpcTuner.Storage;

namespace GrpcTuner.Server.Engine;

/// <summary>
/// Coverage-based Search over finished studies: each study is a data set, each distinct param set
/// a configuration scored by its best complete value there (made larger-is-better).
/// </summary>
public sealed class CoverageRecommender(IStudyStore store)
{
    public const int MaxK = 100;

    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, ParamValue> Params, int Covered)>> RecommendAsync(
        IReadOnlyList<string> studyNames, int k, double tolerance, string field, CancellationToken ct)
    {
        if (studyNames.Count < 2)
        {
            throw TunerException.Invalid($"{field}.studies", $"must name at least two finished studies, one per data set, got {studyNames.Count}");
        }

        var v = new Violations();
        v.Check(k is >= 1 and <= MaxK, $"{field}.k", $"must be in [1, {MaxK}], got {k}");
        v.Check(double.IsFinite(tolerance) && tolerance is >= 0 and <= 1, $"{field}.tolerance", $"must be in [0, 1], got {tolerance}");
        v.ThrowIfAny();

        var studies = new List<Study>();
        foreach (var name in studyNames)
        {
            studies.Add(await store.FindStudyAsync(name, ct).ConfigureAwait(false) ?? throw TunerException.StudyNotFound(name));
        }

        var names = ParamNames(studies[0]);
        for (var i = 1; i < studies.Count; i++)
        {
            if (!ParamNames(studies[i]).SequenceEqual(names))
            {
                throw TunerException.Invalid($"{field}.studies[{i}]", $"study '{studies[i].Name}' has other parameters than '{studies[0].Name}'");
            }
        }

        var minimize = studies[0].Definition.Directions[0] == Direction.Minimize;
        for (var i = 1; i < studies.Count; i++)
        {
            if (studies[i].Definition.Directions[0] != studies[0].Definition.Directions[0])
            {
                throw TunerException.Invalid($"{field}.studies[{i}]", $"study '{studies[i].Name}' has another direction than '{studies[0].Name}'");
            }
        }

        var configs = new Dictionary<string, (IReadOnlyDictionary<string, ParamValue> Params, double[] Scores)>(StringComparer.Ordinal);
        for (var d = 0; d < studies.Count; d++)
        {
            foreach (var t in await store.GetTrialsAsync(studies[d], ct).ConfigureAwait(false))
            {
                if (t.State != TrialState.Complete)
                {
                    continue;
                }

                var key = ConfigurationKey.Of(t.Params);
                if (!configs.TryGetValue(key, out var row))
                {
                    row = (t.Params, Enumerable.Repeat(double.NaN, studies.Count).ToArray());
                    configs[key] = row;
                }

                // A configuration run more than once counts with its best value.
                var value = t.Values[0];
                row.Scores[d] = double.IsNaN(row.Scores[d]) ? value : minimize ? Math.Min(row.Scores[d], value) : Math.Max(row.Scores[d], value);
            }
        }

        var rows = configs.Values.ToList();
        if (rows.Count == 0)
        {
            throw new TunerException(ErrorKind.FailedPrecondition, $"{field}.studies: none of the studies has a complete trial");
        }

        var scores = rows.Select(r => r.Scores).ToList();
        var keys = configs.Keys.ToList();
        // Fraction of best needs positive values; a study of values that can be negative falls back to min-max.
        var options = new CoverageOptions(minimize, scores.All(r => r.All(v => double.IsNaN(v) || v > 0)) ? CoverageScale.FractionOfBest : CoverageScale.MinMax, tolerance);
        var normalized = CoverageSearch.Normalize(scores, options);
        return CoverageSearch.Recommend(scores, k, options, keys, ct)
            .Select(i => (rows[i].Params, normalized[i].Count(v => v >= 1 - tolerance)))
            .ToList();
    }

    private static List<string> ParamNames(Study s) => s.Definition.Space.Params.Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
}
