using GrpcTuner.Cli.Commands;
using GrpcTuner.Core.Analysis.Fanova;
using GrpcTuner.Core.Pareto;
using GrpcTuner.Core.Validation;
using GrpcTuner.Server.Mapping;
using GrpcTuner.V1;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Reports;

/// <summary>What the report page draws, computed here so that the page only plots: the space, every trial, and parameter importances.</summary>
internal static class ReportData
{
    /// <summary>The whole page's data; without <c>importances</c> they are null, for pages that fetch them apart (fANOVA takes about a second on a large study); a live page follows the study from <c>cursor</c>.</summary>
    public static object Build(Study study, IReadOnlyList<Trial> trials, bool importances = true, string? cursor = null)
    {
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Values.Count > 0).ToList();
        return new
        {
            study = new
            {
                name = study.Name,
                directions = study.Directions.Select(TrialFormat.Direction).ToArray(),
                sampler = study.Sampler.KindCase.ToString(),
                pruner = PrunerName(study),
                created = study.CreateTime?.ToDateTimeOffset(),
            },
            generated = DateTimeOffset.UtcNow,
            @params = StudyParams.Of(study, trials).Select(Axis).ToArray(),
            trials = trials.Select(Of).ToArray(),
            importances = importances ? Importances(study, trials) : null,
            pareto = study.Directions.Count > 1 ? Pareto(study, complete) : null,
            cursor,
        };
    }

    /// <summary>
    /// The best trials of a multi-objective study (rank 0 of the non-dominated sort) and the
    /// hypervolume they dominate up to a reference just past the worst value seen of each objective
    /// (a tenth of its range further), so that every trial on the front adds to it.
    /// </summary>
    private static object Pareto(Study study, IReadOnlyList<Trial> complete)
    {
        var directions = study.Directions.Select(d => d == Direction.Maximize ? Core.Domain.Direction.Maximize : Core.Domain.Direction.Minimize).ToList();
        var points = complete.Where(t => t.Values.Count == directions.Count).ToList();
        if (points.Count == 0)
        {
            return new { front = Array.Empty<long>(), hypervolume = (double?)null, reference = Array.Empty<double>() };
        }

        var values = points.Select(t => (IReadOnlyList<double>)t.Values).ToList();
        var ranks = NonDominatedSort.Ranks(values, directions);
        var reference = directions.Select((d, k) =>
        {
            var (lo, hi) = (values.Min(v => v[k]), values.Max(v => v[k]));
            var margin = hi > lo ? (hi - lo) / 10 : Math.Max(Math.Abs(hi) / 10, 1);
            return d == Core.Domain.Direction.Minimize ? hi + margin : lo - margin;
        }).ToArray();
        var front = points.Where((_, i) => ranks[i] == 0).ToList();
        return new
        {
            front = front.Select(t => t.Number).ToArray(),
            hypervolume = (double?)Hypervolume.Compute(front.Select(t => (IReadOnlyList<double>)t.Values).ToList(), directions, reference),
            reference,
        };
    }

    /// <summary>One trial as the pages draw it; the dashboard's live updates send trials in this form too.</summary>
    public static DrawnTrial Of(Trial t) => new(t);

    /// <summary>The pruner's name as the pages show it; an unset one and the explicit none are both "None".</summary>
    public static string PrunerName(Study study) =>
        study.Pruner?.KindCase is null or PrunerConfig.KindOneofCase.None or PrunerConfig.KindOneofCase.None_ ? "None" : study.Pruner.KindCase.ToString();

    private static object Axis(ParamSpec p) => p.DistributionCase switch
    {
        ParamSpec.DistributionOneofCase.Float => new { name = p.Name, kind = "float", low = p.Float.Low, high = p.Float.High, log = p.Float.Log, choices = Array.Empty<object>() },
        ParamSpec.DistributionOneofCase.Int => new { name = p.Name, kind = "int", low = (double)p.Int.Low, high = (double)p.Int.High, log = p.Int.Log, choices = Array.Empty<object>() },
        _ => new { name = p.Name, kind = "categorical", low = 0.0, high = p.Categorical.Choices.Count - 1.0, log = false, choices = p.Categorical.Choices.Select(TrialFormat.Plain).ToArray() },
    };

    /// <summary>
    /// fANOVA importance for the first objective, largest first, over the parameters every complete
    /// trial has (as Optuna's evaluator takes the intersection of the trials' parameters).
    /// </summary>
    public static object[] Importances(Study study, IReadOnlyList<Trial> trials)
    {
        var specs = StudyParams.Of(study, trials);
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Values.Count > 0).ToList();
        // What the server stored is valid, so the mappers find nothing to report here.
        var unused = new Violations();
        var shared = SearchSpaceMapper.ToDomain(new SearchSpace { Params = { specs.Where(p => complete.All(t => t.Params.ContainsKey(p.Name))) } }, unused);
        var observed = complete.Select(t => ((IReadOnlyDictionary<string, Core.Domain.ParamValue>)ValueMapper.ToDomain(t.Params, "params", unused), t.Values[0])).ToList();
        return FanovaImportance.Compute(shared.Params, observed)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (object)new { name = kv.Key, importance = kv.Value }).ToArray();
    }
}
