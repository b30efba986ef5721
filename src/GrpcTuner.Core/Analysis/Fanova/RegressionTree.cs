using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Analysis.Fanova;

/// <summary>
/// A CART regression tree grown as scikit-learn's RandomForestRegressor grows each of its trees
/// (the forest Optuna's fANOVA evaluator fits): on a bootstrap sample, every feature considered at
/// every node in random order, the split that most reduces the squared error, thresholds halfway
/// between neighbouring values, nodes split down to one sample.
/// </summary>
internal sealed class RegressionTree
{
    private const int MaxDepth = 64;

    private readonly List<int> _feature = [];
    private readonly List<double> _threshold = [];
    private readonly List<int> _left = [];
    private readonly List<int> _right = [];
    private readonly List<double> _value = [];

    /// <summary>Node 0 is the root; a leaf's feature is -1.</summary>
    public IReadOnlyList<int> Feature => _feature;

    public IReadOnlyList<double> Threshold => _threshold;

    public IReadOnlyList<int> Left => _left;

    public IReadOnlyList<int> Right => _right;

    /// <summary>The mean target of the samples that reached the node.</summary>
    public IReadOnlyList<double> Value => _value;

    public int NodeCount => _feature.Count;

    /// <param name="x">Rows of features.</param>
    /// <param name="y">Targets.</param>
    /// <param name="rng">Draws the bootstrap sample and the order features are tried in.</param>
    public RegressionTree(double[][] x, double[] y, Rng rng)
    {
        var sample = new int[y.Length];
        for (var i = 0; i < sample.Length; i++)
        {
            sample[i] = (int)rng.NextLong(y.Length);
        }

        Grow(x, y, sample, 0, rng);
    }

    private int Grow(double[][] x, double[] y, int[] rows, int depth, Rng rng)
    {
        var node = _feature.Count;
        _feature.Add(-1);
        _threshold.Add(0);
        _left.Add(-1);
        _right.Add(-1);
        _value.Add(rows.Average(i => y[i]));
        if (depth >= MaxDepth || rows.Length < 2 || rows.All(i => y[i] == y[rows[0]]))
        {
            return node;
        }

        var (feature, threshold) = BestSplit(x, y, rows, rng);
        if (feature < 0)
        {
            return node;
        }

        var left = rows.Where(i => x[i][feature] <= threshold).ToArray();
        var right = rows.Where(i => x[i][feature] > threshold).ToArray();
        _feature[node] = feature;
        _threshold[node] = threshold;
        _left[node] = Grow(x, y, left, depth + 1, rng);
        _right[node] = Grow(x, y, right, depth + 1, rng);
        return node;
    }

    /// <summary>The split with the smallest summed squared error of its two sides; feature -1 when every feature is constant here.</summary>
    private static (int Feature, double Threshold) BestSplit(double[][] x, double[] y, int[] rows, Rng rng)
    {
        var features = Enumerable.Range(0, x[0].Length).ToArray();
        for (var i = features.Length - 1; i > 0; i--)
        {
            var j = (int)rng.NextLong(i + 1);
            (features[i], features[j]) = (features[j], features[i]);
        }

        var best = (Feature: -1, Threshold: 0.0);
        var bestScore = double.NegativeInfinity;
        var total = rows.Sum(i => y[i]);
        var n = rows.Length;
        foreach (var f in features)
        {
            var sorted = rows.OrderBy(i => x[i][f]).ToArray();
            double leftSum = 0;
            for (var k = 1; k < n; k++)
            {
                leftSum += y[sorted[k - 1]];
                var (below, above) = (x[sorted[k - 1]][f], x[sorted[k]][f]);
                if (below == above)
                {
                    continue;
                }

                // Minimising the sides' squared error is maximising sum_left^2 / n_left + sum_right^2 / n_right.
                var rightSum = total - leftSum;
                var score = (leftSum * leftSum / k) + (rightSum * rightSum / (n - k));
                if (score > bestScore + 1e-12)
                {
                    bestScore = score;
                    best = (f, below + ((above - below) / 2));
                }
            }
        }

        return best;
    }
}
