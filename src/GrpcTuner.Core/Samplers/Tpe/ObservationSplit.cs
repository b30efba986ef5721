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

    /// <returns>The good and the other trials, both in number order, and the best of the good ones.</returns>
    public static (List<Trial> Below, List<Trial> Above, Trial? Best) Split(IReadOnlyList<Trial> history, IReadOnlyList<Direction> directions, bool constantLiar)
    {
        var considered = history.Where(t => t.State is TrialState.Complete or TrialState.Pruned
            || (constantLiar && t.State == TrialState.Running)).ToList();
        var ranks = directions.Count > 1 ? ParetoRanks(considered, directions) : null;
        var keys = new SortKey[considered.Count];
        for (var i = 0; i < considered.Count; i++)
        {
            var t = considered[i];
            keys[i] = t.State switch
            {
                TrialState.Complete => new SortKey(0, ranks is null ? Signed(t.Values[0], directions[0]) : ranks[i], 0, i),
                TrialState.Pruned when t.LastStep is { } step && t.TryGetIntermediate(step, out var v) => new SortKey(1, -step, Signed(v, directions[0]), i),
                TrialState.Pruned => new SortKey(2, 0, 0, i),
                _ => new SortKey(3, 0, 0, i),
            };
        }

        // gamma counts finished trials only: running ones (the constant liar's) join the split but never the good side.
        var nBelow = Gamma(considered.Count(t => t.State != TrialState.Running));
        var isBelow = new bool[considered.Count];
        var smallest = Smallest(keys, nBelow);
        foreach (var key in smallest)
        {
            isBelow[key.Index] = true;
        }

        // The history is in number order, so both halves come out in number order without sorting.
        var below = new List<Trial>(nBelow);
        var above = new List<Trial>(considered.Count - nBelow);
        for (var i = 0; i < considered.Count; i++)
        {
            (isBelow[i] ? below : above).Add(considered[i]);
        }

        return (below, above, smallest.Count > 0 ? considered[smallest[0].Index] : null);
    }

    /// <summary>The k smallest keys, by insertion into a sorted window: O(n) when k (at most 25) is small, as gamma makes it.</summary>
    private static List<SortKey> Smallest(SortKey[] keys, int k)
    {
        var best = new List<SortKey>(k + 1);
        foreach (var key in keys)
        {
            if (best.Count == k && (k == 0 || key.CompareTo(best[^1]) >= 0))
            {
                continue;
            }

            var at = best.Count;
            while (at > 0 && key.CompareTo(best[at - 1]) < 0)
            {
                at--;
            }

            best.Insert(at, key);
            if (best.Count > k)
            {
                best.RemoveAt(k);
            }
        }

        return best;
    }

    /// <summary>Group first (complete, pruned with reports, pruned without, running), then value, then trial order.</summary>
    private readonly record struct SortKey(int Group, double Primary, double Secondary, int Index) : IComparable<SortKey>
    {
        public int CompareTo(SortKey other)
        {
            var c = Group.CompareTo(other.Group);
            if (c == 0)
            {
                c = Primary.CompareTo(other.Primary);
            }

            if (c == 0)
            {
                c = Secondary.CompareTo(other.Secondary);
            }

            return c != 0 ? c : Index.CompareTo(other.Index);
        }
    }

    private static double Signed(double value, Direction direction) => direction == Direction.Maximize ? -value : value;

    private static double[] ParetoRanks(List<Trial> considered, IReadOnlyList<Direction> directions)
    {
        var complete = considered.Select((t, i) => (t, i)).Where(x => x.t.State == TrialState.Complete).ToList();
        var ranks = NonDominatedSort.Ranks(complete.Select(x => x.t.Values).ToList(), directions);
        var result = new double[considered.Count];
        for (var j = 0; j < complete.Count; j++)
        {
            result[complete[j].i] = ranks[j];
        }

        return result;
    }
}
