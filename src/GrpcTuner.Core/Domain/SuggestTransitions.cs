using GrpcTuner.Core.Errors;

namespace GrpcTuner.Core.Domain;

/// <summary>
/// Define-by-run: how a running trial gains parameters as its objective asks for them. A name has
/// one distribution per trial; asking again with it returns the recorded value, with another is a
/// FAILED_PRECONDITION that names both.
/// </summary>
public static class SuggestTransitions
{
    /// <summary>
    /// The value recorded for <paramref name="name"/>, or null when the Suggest must choose one.
    /// <paramref name="grid"/>: a grid's declared parameter answers any distribution that contains its value,
    /// as Optuna's GridSampler gives its grid whatever suggest_* the objective calls.
    /// </summary>
    public static ParamValue? Recorded(string study, Trial trial, SearchSpace space, string name, Distribution distribution, bool grid = false)
    {
        if (space.Find(name) is { } spec)
        {
            if (grid && trial.Params.TryGetValue(name, out var point))
            {
                // A grid of whole numbers also answers suggest_float, as Optuna's does.
                var fitted = point.Kind == ParamKind.Int && distribution is FloatDistribution ? ParamValue.Of((double)point.AsInt) : point;
                if (distribution.Contains(fitted))
                {
                    return fitted;
                }
            }

            if (!spec.Distribution.Equals(distribution))
            {
                throw Conflict($"parameter '{name}' is declared in the search space of study '{study}' as {spec.Distribution}; this Suggest names {distribution}");
            }

            return trial.Params.TryGetValue(name, out var declared)
                ? declared
                : throw Conflict($"parameter '{name}' is conditional on '{spec.Condition?.Parent}', whose value in trial {trial.Number} of study '{study}' does not enable it");
        }

        if (!trial.Params.TryGetValue(name, out var value))
        {
            return null;
        }

        var recorded = trial.Distributions.GetValueOrDefault(name);
        return recorded is not null && recorded.Equals(distribution)
            ? value
            : throw Conflict($"parameter '{name}' of trial {trial.Number} of study '{study}' was suggested as {recorded}; this Suggest names {distribution}");
    }

    /// <summary>Define-by-run parameters one trial may hold: each Ask and Suggest reads them all.</summary>
    public const int MaxParams = 1024;

    /// <summary>The trial with one more define-by-run parameter.</summary>
    public static Trial Record(Trial trial, string name, Distribution distribution, ParamValue value) => trial.Distributions.Count >= MaxParams
        ? throw Conflict($"trial {trial.Number} already holds {MaxParams} define-by-run parameters, the most one trial may have; '{name}' was not added")
        : trial with
    {
        Params = With(trial.Params, name, value),
        Distributions = With(trial.Distributions, name, distribution),
        Proposals = trial.Proposals.ContainsKey(name) ? trial.Proposals.Where(p => p.Key != name).ToDictionary(StringComparer.Ordinal) : trial.Proposals,
        Version = trial.Version + 1,
    };

    /// <summary>
    /// The trial with the proposals its worker took without a call recorded. Each must fit the trial's
    /// proposal for that name, or repeat what is recorded; otherwise nothing is recorded.
    /// </summary>
    public static Trial Take(string study, Trial trial, SearchSpace space, IReadOnlyDictionary<string, Distribution> taken)
    {
        foreach (var (name, distribution) in taken.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (Recorded(study, trial, space, name, distribution) is not null)
            {
                continue;
            }

            if (!trial.Proposals.TryGetValue(name, out var proposal) || !proposal.Fits(distribution))
            {
                throw new TunerException(ErrorKind.InvalidArgument,
                    $"suggested[{name}]: trial {trial.Number} of study '{study}' has no proposal for '{name}' that fits {distribution}; call Suggest for it");
            }

            trial = Record(trial, name, distribution, proposal.Value);
        }

        return trial;
    }

    /// <summary>Only the worker holding the trial's lease may add to it.</summary>
    public static void RequireWorker(string study, Trial trial, string workerId)
    {
        TrialTransitions.RequireRunning(study, trial, "given parameters");
        if (trial.WorkerId != workerId)
        {
            throw Conflict($"trial {trial.Number} of study '{study}' is leased to worker '{trial.WorkerId}', not to worker_id '{workerId}'");
        }
    }

    private static TunerException Conflict(string message) => new(ErrorKind.FailedPrecondition, message);

    private static Dictionary<string, T> With<T>(IReadOnlyDictionary<string, T> map, string name, T value) =>
        new(map, StringComparer.Ordinal) { [name] = value };
}
