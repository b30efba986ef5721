using System.Collections;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Storage;

/// <summary>
/// A study's trials by number, with snapshots that cost O(1): a snapshot is the backing array and
/// the count at the time it was taken. Later updates of a trial may show through a snapshot (each
/// trial record is immutable, so a reader sees one whole version of it), but later trials never do.
/// Asks take a snapshot every time, so copying 10,000 references per Ask was the cost to avoid.
/// Writers must be serialized by the owner; readers need no lock.
/// </summary>
internal sealed class TrialLog
{
    private Trial?[] _items = new Trial?[64];
    private volatile int _count;
    private volatile int _dense;

    public int Count => _count;

    public Trial? this[long number] => number >= 0 && number < _count ? Volatile.Read(ref _items[number]) : null;

    /// <summary>Stores a trial at its number; the log grows to hold it. Holes stay null until filled.</summary>
    public void Put(Trial trial)
    {
        var n = checked((int)trial.Number);
        if (n >= _items.Length)
        {
            var grown = new Trial?[Math.Max(_items.Length * 2, n + 1)];
            Array.Copy(_items, grown, _count);
            _items = grown;
        }

        Volatile.Write(ref _items[n], trial);
        if (n >= _count)
        {
            _count = n + 1;
        }

        var dense = _dense;
        while (dense < _count && _items[dense] is not null)
        {
            dense++;
        }

        _dense = dense;
    }

    /// <summary>The dense prefix of trials (up to the first hole) as a read-only list.</summary>
    public IReadOnlyList<Trial> Snapshot()
    {
        // Read the count before the array: a grown array holds at least as many trials.
        var dense = _dense;
        return new View(_items, dense);
    }

    private sealed class View(Trial?[] items, int count) : IReadOnlyList<Trial>
    {
        public int Count => count;

        public Trial this[int index] => (uint)index < (uint)count ? Volatile.Read(ref items[index])! : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<Trial> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return Volatile.Read(ref items[i])!;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
