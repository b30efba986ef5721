using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>
/// What TPE reads of each trial, one array per quantity, in history order: its place in the split
/// and its internal coordinate per parameter, with each parameter's trials kept sorted by
/// coordinate. Reading every trial's dictionaries and sorting the history dominated an Ask at
/// 10,000 trials, so the columns follow the history instead: <see cref="Sync"/> reads only trials
/// that are new or are other objects than last time, and moves only those in the sorted orders.
/// Not thread-safe: its sampler serialises access.
/// </summary>
internal sealed class TrialColumns(SearchSpace space, SplitRule rule)
{
    /// <summary>More new trials than this at once are sorted in together rather than inserted one by one.</summary>
    private const int InsertLimit = 64;

    private Trial[] _trials = [];
    private SplitKey[] _keys = [];
    /// <summary>Per parameter, each trial's internal coordinate; NaN where the trial lacks it or its value is outside the distribution.</summary>
    private readonly double[][] _coordinates = space.Params.Select(_ => Array.Empty<double>()).ToArray();
    private readonly List<int>[] _ascending = space.Params.Select(_ => new List<int>()).ToArray();
    private int[] _positions = [];

    public int Count { get; private set; }

    /// <summary>How many parameters the space has.</summary>
    public int Dimensions => _coordinates.Length;

    public Trial Trial(int row) => _trials[row];

    /// <summary>Each trial's place in the split's order, the first <see cref="Count"/> valid; <see cref="SplitKey.Ignored"/> for those it leaves out.</summary>
    public ReadOnlySpan<SplitKey> Keys => _keys.AsSpan(0, Count);

    /// <summary>Brings the columns up to <paramref name="history"/>, reading only the trials that differ from the ones last read.</summary>
    public void Sync(IReadOnlyList<Trial> history)
    {
        var n = history.Count;
        if (n < Count)
        {
            Count = 0;
            foreach (var order in _ascending)
            {
                order.Clear();
            }
        }

        if (n > _trials.Length)
        {
            Grow(Math.Max(n, 2 * _trials.Length));
        }

        for (var i = 0; i < Count; i++)
        {
            var t = history[i];
            if (!ReferenceEquals(t, _trials[i]))
            {
                Replace(i, t);
            }
        }

        var appended = n - Count;
        for (var i = Count; i < n; i++)
        {
            Read(i, history[i]);
        }

        var previous = Count;
        Count = n;
        for (var d = 0; d < _ascending.Length; d++)
        {
            if (appended > InsertLimit)
            {
                Resort(d);
                continue;
            }

            for (var i = previous; i < n; i++)
            {
                Insert(d, i);
            }
        }
    }

    /// <summary>The coordinates of parameter <paramref name="d"/> of those <paramref name="rows"/> that have it, in ascending order.</summary>
    public SortedObservations Sorted(int d, int[] rows)
    {
        if (_positions.Length < _trials.Length)
        {
            _positions = new int[_trials.Length];
            Array.Fill(_positions, -1);
        }

        var column = _coordinates[d];
        var count = 0;
        foreach (var row in rows)
        {
            if (!double.IsNaN(column[row]))
            {
                _positions[row] = count++;
            }
        }

        var values = new double[count];
        var positions = new int[count];
        if (count * 16 < Count)
        {
            // Few rows (the good side): sorting them beats walking the whole order.
            foreach (var row in rows)
            {
                if (_positions[row] >= 0)
                {
                    values[_positions[row]] = column[row];
                    positions[_positions[row]] = _positions[row];
                }
            }

            Array.Sort(positions, (a, b) => Compare(values, a, b));
            var byPosition = (double[])values.Clone();
            for (var k = 0; k < count; k++)
            {
                values[k] = byPosition[positions[k]];
            }
        }
        else
        {
            var at = 0;
            foreach (var row in _ascending[d])
            {
                if (_positions[row] >= 0)
                {
                    values[at] = column[row];
                    positions[at++] = _positions[row];
                }
            }
        }

        foreach (var row in rows)
        {
            _positions[row] = -1;
        }

        return new SortedObservations(values, positions);
    }

    /// <summary>Those of <paramref name="rows"/> that have every one of the parameters at <paramref name="dims"/>.</summary>
    public int[] Having(IEnumerable<int> dims, int[] rows)
    {
        foreach (var d in dims)
        {
            var column = _coordinates[d];
            rows = Array.FindAll(rows, i => !double.IsNaN(column[i]));
        }

        return rows;
    }

    /// <summary>The coordinates of parameter <paramref name="d"/> at <paramref name="rows"/>.</summary>
    public double[] Gather(int d, int[] rows)
    {
        var column = _coordinates[d];
        return Array.ConvertAll(rows, i => column[i]);
    }

    private void Read(int i, Trial t)
    {
        _trials[i] = t;
        _keys[i] = rule.KeyOf(t);
        for (var d = 0; d < _coordinates.Length; d++)
        {
            _coordinates[d][i] = CoordinateOf(d, t);
        }
    }

    /// <summary>A trial read again as another object: usually only its state changed, and then no order moves.</summary>
    private void Replace(int i, Trial t)
    {
        _trials[i] = t;
        _keys[i] = rule.KeyOf(t);
        for (var d = 0; d < _coordinates.Length; d++)
        {
            var updated = CoordinateOf(d, t);
            if (updated.Equals(_coordinates[d][i]))
            {
                continue;
            }

            if (!double.IsNaN(_coordinates[d][i]))
            {
                _ascending[d].RemoveAt(Locate(d, i));
            }

            _coordinates[d][i] = updated;
            Insert(d, i);
        }
    }

    private double CoordinateOf(int d, Trial t)
    {
        var spec = space.Params[d];
        return t.Params.TryGetValue(spec.Name, out var v) && spec.Distribution.Contains(v) ? spec.Distribution.ToInternal(v) : double.NaN;
    }

    private void Insert(int d, int i)
    {
        if (!double.IsNaN(_coordinates[d][i]))
        {
            _ascending[d].Insert(~Locate(d, i), i);
        }
    }

    /// <summary>Where row <paramref name="i"/> is in the order of parameter <paramref name="d"/>, or the complement of where it would go.</summary>
    private int Locate(int d, int i)
    {
        var order = _ascending[d];
        var column = _coordinates[d];
        int lo = 0, hi = order.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = Compare(column, order[mid], i);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
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

    private void Resort(int d)
    {
        var column = _coordinates[d];
        var rows = Enumerable.Range(0, Count).Where(i => !double.IsNaN(column[i])).ToArray();
        Array.Sort(rows, (a, b) => Compare(column, a, b));
        _ascending[d].Clear();
        _ascending[d].AddRange(rows);
    }

    /// <summary>By coordinate, then history order.</summary>
    private static int Compare(double[] column, int a, int b)
    {
        var c = column[a].CompareTo(column[b]);
        return c != 0 ? c : a.CompareTo(b);
    }

    private void Grow(int capacity)
    {
        Array.Resize(ref _trials, capacity);
        Array.Resize(ref _keys, capacity);
        for (var d = 0; d < _coordinates.Length; d++)
        {
            Array.Resize(ref _coordinates[d], capacity);
        }
    }
}

/// <summary>One parameter's observations in ascending order (ties in trial order), each with its position in trial order, which sets its weight.</summary>
internal sealed record SortedObservations(double[] Values, int[] Positions);
