using System.Collections.Immutable;

namespace GrpcTuner.Core.Domain;

/// <summary>
/// A trial's intermediate values, sorted by step. Each report makes a new trial version, so the
/// series is an immutable tree that versions share: a report costs O(log n) time and memory, where
/// copying the array made 5,000 reports cost 12.5 million copied values (and as many kept alive in
/// an event history).
/// </summary>
public static class IntermediateSeries
{
    /// <summary>
    /// The most intermediate values a trial keeps: a report every epoch, or every few hundred steps
    /// of a long run, stays far below it, and it bounds what one trial costs every replica's memory.
    /// </summary>
    public const int MaxPerTrial = 10_000;

    /// <summary>Where <paramref name="step"/> is in <paramref name="series"/>, or the bitwise complement of where it would go.</summary>
    public static int IndexOf(IReadOnlyList<IntermediateValue> series, long step)
    {
        int lo = 0, hi = series.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var at = series[mid].Step;
            if (at == step)
            {
                return mid;
            }

            if (at < step)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    /// <summary>The series with <paramref name="added"/> inserted in step order; a step already present keeps its value.</summary>
    public static IReadOnlyList<IntermediateValue> With(IReadOnlyList<IntermediateValue> series, IEnumerable<IntermediateValue> added)
    {
        var tree = series as ImmutableList<IntermediateValue> ?? [.. series];
        foreach (var iv in added)
        {
            var at = IndexOf(tree, iv.Step);
            if (at < 0)
            {
                tree = at == ~tree.Count ? tree.Add(iv) : tree.Insert(~at, iv);
            }
        }

        return tree;
    }

    /// <summary>The values of <paramref name="after"/> whose steps <paramref name="before"/> lacks; <paramref name="after"/> must hold every step of <paramref name="before"/>.</summary>
    public static IReadOnlyList<IntermediateValue> Added(IReadOnlyList<IntermediateValue> before, IReadOnlyList<IntermediateValue> after)
    {
        if (ReferenceEquals(before, after) || after.Count == before.Count)
        {
            return [];
        }

        // A report usually adds one step after the last: answer that without a walk.
        if (after.Count == before.Count + 1 && (before.Count == 0 || after[^1].Step > before[^1].Step))
        {
            return [after[^1]];
        }

        var added = new List<IntermediateValue>(after.Count - before.Count);
        foreach (var iv in after)
        {
            if (IndexOf(before, iv.Step) < 0)
            {
                added.Add(iv);
            }
        }

        return added;
    }
}
