using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Samplers;

/// <summary>
/// Optuna's intersection search space, over the define-by-run parameters: those every complete
/// trial has, each with one distribution. Ask samples them jointly with the declared space, so
/// that relative samplers (multivariate TPE, GP-BO, CMA-ES, NSGA-II) model them together.
/// </summary>
public static class IntersectionSearchSpace
{
    /// <summary>The shared parameters, in name order so that every replica builds the same space.</summary>
    public static IReadOnlyList<ParamSpec> Of(IReadOnlyList<Trial> history)
    {
        Dictionary<string, Distribution>? common = null;
        foreach (var t in history)
        {
            if (t.State != TrialState.Complete)
            {
                continue;
            }

            if (common is null)
            {
                common = new Dictionary<string, Distribution>(t.Distributions, StringComparer.Ordinal);
            }
            else
            {
                foreach (var (name, d) in common.ToArray())
                {
                    if (!t.Distributions.TryGetValue(name, out var other) || !other.Equals(d))
                    {
                        common.Remove(name);
                    }
                }
            }

            if (common.Count == 0)
            {
                return [];
            }
        }

        return common is null ? [] : common.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new ParamSpec(c.Key, c.Value)).ToList();
    }

    /// <summary>The declared space extended by the shared define-by-run parameters.</summary>
    public static SearchSpace Extend(SearchSpace declared, IReadOnlyList<ParamSpec> shared) =>
        shared.Count == 0 ? declared : new SearchSpace(declared.Params.Concat(shared).ToList());
}
