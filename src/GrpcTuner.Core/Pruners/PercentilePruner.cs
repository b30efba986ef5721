using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Pruners;

/// <summary>
/// Prunes a trial whose best value so far is worse than the given percentile of the complete
/// trials' values at the same step (Optuna's PercentilePruner; percentile 50 is the median pruner).
/// </summary>
public sealed class PercentilePruner : IPruner
{
    private readonly PrunerSettings _settings;
    private readonly Direction _direction;

    public PercentilePruner(PrunerSettings settings, Direction direction)
    {
        if (settings.Percentile is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Percentile, "percentile must be in [0, 100]");
        }

        _settings = settings;
        _direction = direction;
    }

    public static PercentilePruner Median(Direction direction) =>
        new(new PrunerSettings(PrunerKind.Percentile), direction);

    public bool ShouldPrune(Trial trial, IReadOnlyList<Trial> history)
    {
        var complete = history.Where(t => t.State == TrialState.Complete).ToList();
        if (complete.Count == 0 || complete.Count < _settings.NStartupTrials || trial.LastStep is not { } step)
        {
            return false;
        }

        if (step < _settings.NWarmupSteps || !IsFirstInInterval(step, trial))
        {
            return false;
        }

        var best = _direction == Direction.Minimize ? trial.Intermediate.Min(iv => iv.Value) : trial.Intermediate.Max(iv => iv.Value);
        var others = new List<double>();
        foreach (var t in complete)
        {
            if (t.TryGetIntermediate(step, out var v))
            {
                others.Add(v);
            }
        }

        if (others.Count == 0 || others.Count < _settings.NMinTrials)
        {
            return false;
        }

        var q = _direction == Direction.Maximize ? 100 - _settings.Percentile : _settings.Percentile;
        var threshold = Percentile(others, q);
        return _direction == Direction.Maximize ? best < threshold : best > threshold;
    }

    /// <summary>Linear interpolation between closest ranks, as numpy's percentile.</summary>
    public static double Percentile(List<double> values, double q)
    {
        values.Sort();
        var pos = q / 100 * (values.Count - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, values.Count - 1);
        return values[lo] + ((pos - lo) * (values[hi] - values[lo]));
    }

    /// <summary>Only the first report at or after each interval boundary is judged.</summary>
    private bool IsFirstInInterval(long step, Trial trial)
    {
        var interval = Math.Max(1, _settings.IntervalSteps);
        var nearestLower = ((step - _settings.NWarmupSteps) / interval * interval) + _settings.NWarmupSteps;
        var secondLast = trial.Intermediate.Count >= 2 ? trial.Intermediate[^2].Step : -1;
        return secondLast < nearestLower;
    }
}
