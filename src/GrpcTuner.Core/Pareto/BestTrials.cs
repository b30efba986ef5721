using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Pareto;

/// <summary>The best complete trial for one objective, the Pareto front for several.</summary>
public static class BestTrials
{
    public static IReadOnlyList<Trial> Select(IReadOnlyList<Trial> trials, IReadOnlyList<Direction> directions)
    {
        var complete = trials.Where(t => t.State == TrialState.Complete).ToList();
        if (complete.Count == 0)
        {
            return [];
        }

        if (directions.Count == 1)
        {
            var sign = directions[0] == Direction.Minimize ? 1 : -1;
            Trial best = complete[0];
            foreach (var t in complete)
            {
                if (sign * t.Values[0] < sign * best.Values[0])
                {
                    best = t;
                }
            }

            return [best];
        }

        return complete
            .Where(t => !complete.Any(o => NonDominatedSort.Dominates(o.Values, t.Values, directions)))
            .OrderBy(t => t.Number)
            .ToList();
    }
}
