namespace GrpcTuner.Core.Analysis.Fanova;

/// <summary>
/// The functional ANOVA of one regression tree over a box (Hutter et al. 2014, as Optuna's
/// _FanovaTree computes it): the tree is a piecewise constant function; its variance over the box,
/// and the variance of its marginal in some features (the others averaged out over the box), are
/// sums over the cells its splits cut.
/// </summary>
internal sealed class FanovaTree
{
    private readonly RegressionTree _tree;
    private readonly (double Low, double High)[] _box;

    /// <summary>Per node, the mean of its leaves weighted by their volume, and its volume.</summary>
    private readonly (double Value, double Weight)[] _statistics;

    /// <summary>Per feature, the midpoints and widths of the cells its thresholds cut the box into.</summary>
    private readonly (double[] Midpoints, double[] Sizes)[] _cells;

    /// <summary>Per node, the features some split below it uses.</summary>
    private readonly bool[][] _subtreeFeatures;

    public FanovaTree(RegressionTree tree, (double Low, double High)[] box)
    {
        _tree = tree;
        _box = box;
        _statistics = Statistics();
        _cells = Cells();
        _subtreeFeatures = SubtreeFeatures();
        var leaves = Enumerable.Range(0, tree.NodeCount).Where(n => tree.Feature[n] < 0).Select(n => _statistics[n]).ToList();
        Variance = WeightedVariance(leaves);
    }

    /// <summary>The tree's variance over the box.</summary>
    public double Variance { get; }

    /// <summary>The variance over the box of the tree's marginal in <paramref name="features"/>.</summary>
    public double MarginalVariance(int[] features)
    {
        var points = new List<(double Value, double Weight)>();
        var sample = new double[_box.Length];
        foreach (var combination in Combinations(features))
        {
            Array.Fill(sample, double.NaN);
            var size = 1.0;
            for (var k = 0; k < features.Length; k++)
            {
                sample[features[k]] = _cells[features[k]].Midpoints[combination[k]];
                size *= _cells[features[k]].Sizes[combination[k]];
            }

            var (value, weight) = Marginalized(sample);
            points.Add((value, weight * size));
        }

        return Math.Max(WeightedVariance(points), 0);
    }

    /// <summary>The tree's mean over the features <paramref name="sample"/> leaves NaN, with the others fixed.</summary>
    private (double Value, double Weight) Marginalized(double[] sample)
    {
        var box = _box.Select((b, f) => double.IsNaN(sample[f]) ? (0.0, 1.0) : b).ToArray();
        var fixedFeatures = Enumerable.Range(0, sample.Length).Where(f => !double.IsNaN(sample[f])).ToArray();
        var leaves = new List<(double Value, double Weight)>();
        var stack = new Stack<(int Node, (double Low, double High)[] Box)>();
        stack.Push((0, box));
        while (stack.Count > 0)
        {
            var (node, space) = stack.Pop();
            var feature = _tree.Feature[node];
            if (feature >= 0)
            {
                if (!double.IsNaN(sample[feature]))
                {
                    var goLeft = sample[feature] <= _tree.Threshold[node];
                    stack.Push((goLeft ? _tree.Left[node] : _tree.Right[node], Narrowed(space, feature, _tree.Threshold[node], goLeft)));
                    continue;
                }

                if (fixedFeatures.Any(f => _subtreeFeatures[node][f]))
                {
                    stack.Push((_tree.Left[node], space));
                    stack.Push((_tree.Right[node], space));
                    continue;
                }
            }

            leaves.Add((_statistics[node].Value, _statistics[node].Weight / Volume(space)));
        }

        var total = leaves.Sum(l => l.Weight);
        return (leaves.Sum(l => l.Value * l.Weight) / total, total);
    }

    private (double Value, double Weight)[] Statistics()
    {
        var n = _tree.NodeCount;
        var statistics = new (double Value, double Weight)[n];
        var boxes = new (double Low, double High)[n][];
        boxes[0] = _box;
        for (var node = 0; node < n; node++)
        {
            var feature = _tree.Feature[node];
            if (feature < 0)
            {
                statistics[node] = (_tree.Value[node], Volume(boxes[node]));
                continue;
            }

            boxes[_tree.Left[node]] = Narrowed(boxes[node], feature, _tree.Threshold[node], left: true);
            boxes[_tree.Right[node]] = Narrowed(boxes[node], feature, _tree.Threshold[node], left: false);
        }

        // Children come after their parent, so a reverse pass sees both before it.
        for (var node = n - 1; node >= 0; node--)
        {
            if (_tree.Feature[node] >= 0)
            {
                var (l, r) = (statistics[_tree.Left[node]], statistics[_tree.Right[node]]);
                var weight = l.Weight + r.Weight;
                statistics[node] = (((l.Value * l.Weight) + (r.Value * r.Weight)) / weight, weight);
            }
        }

        return statistics;
    }

    private (double[] Midpoints, double[] Sizes)[] Cells() => Enumerable.Range(0, _box.Length).Select(f =>
    {
        var edges = Enumerable.Range(0, _tree.NodeCount).Where(n => _tree.Feature[n] == f).Select(n => _tree.Threshold[n])
            .Distinct().Order().Prepend(_box[f].Low).Append(_box[f].High).ToArray();
        var midpoints = new double[edges.Length - 1];
        var sizes = new double[edges.Length - 1];
        for (var k = 0; k < midpoints.Length; k++)
        {
            midpoints[k] = 0.5 * (edges[k] + edges[k + 1]);
            sizes[k] = edges[k + 1] - edges[k];
        }

        return (midpoints, sizes);
    }).ToArray();

    private bool[][] SubtreeFeatures()
    {
        var n = _tree.NodeCount;
        var active = new bool[n][];
        for (var node = n - 1; node >= 0; node--)
        {
            active[node] = new bool[_box.Length];
            var feature = _tree.Feature[node];
            if (feature < 0)
            {
                continue;
            }

            active[node][feature] = true;
            for (var f = 0; f < _box.Length; f++)
            {
                active[node][f] |= active[_tree.Left[node]][f] || active[_tree.Right[node]][f];
            }
        }

        return active;
    }

    /// <summary>Every choice of one cell per feature.</summary>
    private IEnumerable<int[]> Combinations(int[] features)
    {
        var counts = features.Select(f => _cells[f].Midpoints.Length).ToArray();
        var index = new int[features.Length];
        while (true)
        {
            yield return (int[])index.Clone();
            var k = features.Length - 1;
            while (k >= 0 && ++index[k] == counts[k])
            {
                index[k--] = 0;
            }

            if (k < 0)
            {
                yield break;
            }
        }
    }

    private static (double Low, double High)[] Narrowed((double Low, double High)[] box, int feature, double threshold, bool left)
    {
        var narrowed = ((double Low, double High)[])box.Clone();
        narrowed[feature] = left ? (box[feature].Low, threshold) : (threshold, box[feature].High);
        return narrowed;
    }

    private static double Volume((double Low, double High)[] box) => box.Aggregate(1.0, (v, b) => v * (b.High - b.Low));

    private static double WeightedVariance(IReadOnlyCollection<(double Value, double Weight)> points)
    {
        var total = points.Sum(p => p.Weight);
        var mean = points.Sum(p => p.Value * p.Weight) / total;
        return points.Sum(p => p.Weight * (p.Value - mean) * (p.Value - mean)) / total;
    }
}
