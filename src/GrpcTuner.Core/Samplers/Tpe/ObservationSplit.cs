using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Pareto;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>
/// Splits the history into the good ("below") and the rest ("above") trials the way Optuna does:
/// complete trials by value, then pruned trials by how far they got and their last value, then
/// running trials (constant liar) as the worst of all. gamma(n) = min(ceil(0.1 n), 25).
/// </summary>
internal static class ObservationSplit
{
    public static int Gamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <returns>
    /// The good and the other trials as rows of <paramref name="columns"/>, both in history order;
    /// the best of the good ones (-1 when there is none); how many trials are finished.
    /// </returns>
    public static (int[] Below, int[] Above, int Best, int Finished) Split(TrialColumns columns, IReadOnlyList<Direction> directions)
    {
        var keys = columns.Keys;
        var ranks = directions.Count > 1 ? ParetoRanks(columns, directions) : null;
        var considered = 0;
        var finished = 0;
        foreach (var key in keys)
        {
            considered += key.Group == SplitKey.Ignored ? 0 : 1;
            finished += key.IsFinished ? 1 : 0;
        }

        // gamma counts finished trials only: running ones (the constant liar's) join the split but never the good side.
        var smallest = Smallest(keys, ranks, Gamma(finished));
        var isBelow = new bool[keys.Length];
        foreach (var i in smallest)
        {
            isBelow[i] = true;
        }

        // Rows are in history order, so both halves come out in number order without sorting.
        var below = new int[smallest.Count];
        var above = new int[considered - smallest.Count];
        int b = 0, a = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (isBelow[i])
            {
                below[b++] = i;
            }
            else if (keys[i].Group != SplitKey.Ignored)
            {
                above[a++] = i;
            }
        }

        return (below, above, smallest.Count > 0 ? smallest[0] : -1, finished);
    }

    /// <summary>The rows of the k smallest keys, by insertion into a sorted window: O(n) when k (at most 25) is small, as gamma makes it.</summary>
    private static List<int> Smallest(ReadOnlySpan<SplitKey> keys, double[]? ranks, int k)
    {
        var best = new List<int>(k + 1);
        for (var i = 0; i < keys.Length; i++)
        {
            if (k == 0 || keys[i].Group == SplitKey.Ignored || (best.Count == k && Compare(keys, ranks, i, best[^1]) >= 0))
            {
                continue;
            }

            var at = best.Count;
            while (at > 0 && Compare(keys, ranks, i, best[at - 1]) < 0)
            {
                at--;
            }

            best.Insert(at, i);
            if (best.Count > k)
            {
                best.RemoveAt(k);
            }
        }

        return best;
    }

    /// <summary>Group first (complete, pruned with reports, pruned without, running), then value (a Pareto rank with several objectives), then history order.</summary>
    private static int Compare(ReadOnlySpan<SplitKey> keys, double[]? ranks, int a, int b)
    {
        ref readonly var x = ref keys[a];
        ref readonly var y = ref keys[b];
        var c = x.Group.CompareTo(y.Group);
        if (c == 0)
        {
            c = ranks is not null && x.Group == SplitKey.Complete ? ranks[a].CompareTo(ranks[b]) : x.Primary.CompareTo(y.Primary);
        }

        if (c == 0)
        {
            c = x.Secondary.CompareTo(y.Secondary);
        }

        return c != 0 ? c : a.CompareTo(b);
    }

    private static double[] ParetoRanks(TrialColumns columns, IReadOnlyList<Direction> directions)
    {
        var complete = new List<int>();
        for (var i = 0; i < columns.Count; i++)
        {
            if (columns.Keys[i].Group == SplitKey.Complete)
            {
                complete.Add(i);
            }
        }

        var ranks = NonDominatedSort.Ranks(complete.Select(i => columns.Trial(i).Values).ToList(), directions);
        var result = new double[columns.Count];
        for (var j = 0; j < complete.Count; j++)
        {
            result[complete[j]] = ranks[j];
        }

        return result;
    }
}

/// <summary>Which trials the split reads, and each one's key: fixed by the study's directions and whether running trials count (the constant liar).</summary>
internal sealed record SplitRule(IReadOnlyList<Direction> Directions, bool ConstantLiar)
{
    public SplitKey KeyOf(Trial t) => t.State switch
    {
        // With several objectives the Pareto rank replaces the value; it depends on the other trials, so the split computes it.
        TrialState.Complete => new SplitKey(SplitKey.Complete, Directions.Count > 1 ? 0 : Signed(t.Values[0]), 0),
        TrialState.Pruned when t.LastStep is { } step && t.TryGetIntermediate(step, out var v) => new SplitKey(SplitKey.PrunedWithReports, -step, Signed(v)),
        TrialState.Pruned => new SplitKey(SplitKey.PrunedWithout, 0, 0),
        TrialState.Running when ConstantLiar => new SplitKey(SplitKey.Running, 0, 0),
        _ => new SplitKey(SplitKey.Ignored, 0, 0),
    };

    private double Signed(double value) => Directions[0] == Direction.Maximize ? -value : value;
}

/// <summary>A trial's group in the split's order (lower is better), then its value or how far it got, then its last value.</summary>
internal readonly record struct SplitKey(int Group, double Primary, double Secondary)
{
    public const int Complete = 0;
    public const int PrunedWithReports = 1;
    public const int PrunedWithout = 2;
    public const int Running = 3;
    public const int Ignored = 4;

    /// <summary>Complete or pruned: what gamma and the startup trials count.</summary>
    public bool IsFinished => Group is not (Ignored or Running);
}
