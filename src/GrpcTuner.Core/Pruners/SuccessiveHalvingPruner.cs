using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Pruners;

/// <summary>
/// Asynchronous successive halving (Li et al., ASHA; Optuna's SuccessiveHalvingPruner). Rung r sits
/// at step min_resource * eta^(s + r); a trial reaching a rung goes on only if it is in the top 1/eta
/// of all trials that reached it. A trial's value at a rung is its value at the first report at or
/// past the rung, so rung membership follows from the reports alone and needs no extra state.
/// </summary>
public sealed class SuccessiveHalvingPruner(PrunerSettings settings, Direction direction) : IPruner
{
    public bool ShouldPrune(Trial trial, IReadOnlyList<Trial> history)
    {
        if (trial.LastStep is not { } step)
        {
            return false;
        }

        var minResource = settings.MinResource > 0 ? settings.MinResource : EstimateMinResource(history);
        if (minResource is not { } r0)
        {
            return false;
        }

        for (var rung = 0; ; rung++)
        {
            var rungStep = RungStep(r0, rung);
            if (step < rungStep)
            {
                return false;
            }

            // Rungs reached before this report were judged when they were reached.
            if (RungValue(trial, rungStep) is not { } entry || entry.Step != step)
            {
                continue;
            }

            var competing = new List<double>();
            foreach (var t in history)
            {
                if (t.Number != trial.Number && RungValue(t, rungStep) is { } other)
                {
                    competing.Add(other.Value);
                }
            }

            competing.Add(entry.Value);
            if (competing.Count <= settings.BootstrapCount || !IsPromotable(entry.Value, competing))
            {
                return true;
            }
        }
    }

    private long RungStep(long minResource, int rung)
    {
        var exponent = settings.MinEarlyStoppingRate + rung;
        var result = (double)minResource * Math.Pow(settings.ReductionFactor, exponent);
        return result >= long.MaxValue ? long.MaxValue : (long)result;
    }

    /// <summary>The first report at or after the rung's step.</summary>
    private static IntermediateValue? RungValue(Trial t, long rungStep)
    {
        var at = IntermediateSeries.IndexOf(t.Intermediate, rungStep);
        var first = at >= 0 ? at : ~at;
        return first < t.Intermediate.Count ? t.Intermediate[first] : null;
    }

    private bool IsPromotable(double value, List<double> competing)
    {
        var index = Math.Max((competing.Count / settings.ReductionFactor) - 1, 0);
        competing.Sort();
        if (direction == Direction.Maximize)
        {
            competing.Reverse();
            return value >= competing[index];
        }

        return value <= competing[index];
    }

    /// <summary>Optuna's "auto": a hundredth of the longest complete trial, at least 1.</summary>
    private static long? EstimateMinResource(IReadOnlyList<Trial> history)
    {
        long? longest = null;
        foreach (var t in history)
        {
            if (t.State == TrialState.Complete && t.LastStep is { } s)
            {
                longest = Math.Max(longest ?? 0, s);
            }
        }

        return longest is { } l ? Math.Max(l / 100, 1) : null;
    }
}
