using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Pruners;

/// <summary>
/// Hyperband (Li et al. 2018), asynchronous as Optuna's HyperbandPruner: n = floor(log_eta(max /
/// min)) + 1 brackets; bracket i is successive halving whose first rung sits at min * eta^i; each
/// trial belongs to one bracket, chosen by a hash of its number with probabilities proportional to
/// Optuna's budgets ceil(n * eta^(n-1-i) / (n - i)); a trial competes only within its bracket.
/// </summary>
public sealed class HyperbandPruner(PrunerSettings settings, Direction direction) : IPruner
{
    public bool ShouldPrune(Trial trial, IReadOnlyList<Trial> history)
    {
        var maxResource = settings.MaxResource > 0 ? settings.MaxResource : LongestCompleteRun(history);
        if (maxResource is not { } max || max <= settings.MinResource)
        {
            return false;
        }

        var budgets = Budgets(BracketCount(settings.MinResource, max, settings.ReductionFactor), settings.ReductionFactor);
        var bracket = BracketOf(trial.Number, budgets);
        var sameBracket = history.Where(t => BracketOf(t.Number, budgets) == bracket).ToList();
        var halving = new SuccessiveHalvingPruner(
            settings with { Kind = PrunerKind.SuccessiveHalving, MinEarlyStoppingRate = bracket, BootstrapCount = 0 },
            direction);
        return halving.ShouldPrune(trial, sameBracket);
    }

    public static int BracketCount(long minResource, long maxResource, int eta) =>
        (int)Math.Floor((Math.Log(maxResource / (double)minResource) / Math.Log(eta)) + 1e-9) + 1;

    /// <summary>Optuna's trial allocation budget of each bracket.</summary>
    public static int[] Budgets(int brackets, int eta) =>
        Enumerable.Range(0, brackets).Select(i => (int)Math.Ceiling(brackets * Math.Pow(eta, brackets - 1 - i) / (brackets - i))).ToArray();

    /// <summary>The bracket of a trial: a stable hash of its number, spread over the budgets.</summary>
    public static int BracketOf(long number, int[] budgets)
    {
        var z = (ulong)number + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        var slot = (long)((z ^ (z >> 31)) % (ulong)budgets.Sum());
        for (var i = 0; i < budgets.Length; i++)
        {
            slot -= budgets[i];
            if (slot < 0)
            {
                return i;
            }
        }

        return budgets.Length - 1;
    }

    private static long? LongestCompleteRun(IReadOnlyList<Trial> history)
    {
        long? longest = null;
        foreach (var t in history)
        {
            if (t.State == TrialState.Complete && t.LastStep is { } s)
            {
                longest = Math.Max(longest ?? 0, s);
            }
        }

        return longest;
    }
}
