using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>
/// Optuna's Parzen estimator: a weighted mixture with one kernel per observation plus a prior
/// kernel. Numeric dimensions use truncated normals (integrated over a cell when discrete),
/// categorical ones a smoothed one-hot distribution.
/// </summary>
internal sealed class ParzenEstimator
{
    private readonly Dimension[] _dims;
    private readonly double[] _logWeights;
    private readonly double[] _weights;
    private readonly double[][] _mus;
    private readonly double[][] _sigmas;
    private readonly double[][] _logMass;

    /// <summary>
    /// Per continuous dimension and component: -log(mass) - log(sqrt(2 pi)), so a kernel costs no logarithm.
    /// Kernel heights leave out -log(sigma), as Optuna 3.1's truncnorm.logpdf does: l(x)/g(x) then favours
    /// points near observations over points under a narrow kernel alone, which the quality benchmark
    /// measures as better (Branin, 100 seeds: 0.427 with, 0.461 without; Optuna 0.426).
    /// </summary>
    private readonly double[][] _logNorm;
    private readonly double[][][] _logProbs;

    /// <param name="distributions">One per dimension.</param>
    /// <param name="observations">Rows in trial-number order; each row has one internal coordinate per dimension.</param>
    /// <param name="priorWeight">Weight of the prior kernel relative to one observation.</param>
    /// <param name="multivariate">Use one bandwidth rule for all dimensions (Scott's) instead of neighbour gaps.</param>
    public ParzenEstimator(IReadOnlyList<Distribution> distributions, IReadOnlyList<double[]> observations, double priorWeight, bool multivariate)
    {
        _dims = distributions.Select(Dimension.Of).ToArray();
        var n = observations.Count;
        var k = n + 1;
        _weights = ObservationWeights(n, priorWeight);
        _logWeights = _weights.Select(w => Math.Log(w)).ToArray();
        _mus = new double[_dims.Length][];
        _sigmas = new double[_dims.Length][];
        _logMass = new double[_dims.Length][];
        _logNorm = new double[_dims.Length][];
        _logProbs = new double[_dims.Length][][];
        for (var d = 0; d < _dims.Length; d++)
        {
            var dim = _dims[d];
            if (dim.Choices > 0)
            {
                _logProbs[d] = CategoricalKernels(observations, d, dim.Choices, priorWeight);
                continue;
            }

            var mus = new double[k];
            for (var i = 0; i < n; i++)
            {
                mus[i] = observations[i][d];
            }

            mus[n] = 0.5 * (dim.Low + dim.High);
            var sigmas = multivariate ? ScottSigmas(n, _dims.Length, dim) : NeighbourSigmas(mus, n, dim);
            var maxSigma = dim.High - dim.Low;
            // Optuna's magic clip: 1 + the number of kernels, the prior's included.
            var minSigma = maxSigma / Math.Min(100.0, 2.0 + n);
            for (var i = 0; i < n; i++)
            {
                sigmas[i] = Math.Clamp(sigmas[i], minSigma, maxSigma);
            }

            sigmas[n] = maxSigma;
            var logMass = new double[k];
            for (var i = 0; i < k; i++)
            {
                logMass[i] = SafeLog(Gaussian.Mass((dim.Low - mus[i]) / sigmas[i], (dim.High - mus[i]) / sigmas[i]));
            }

            var logNorm = new double[k];
            for (var i = 0; i < k; i++)
            {
                logNorm[i] = Gaussian.LogPdf(0) - logMass[i];
            }

            _mus[d] = mus;
            _sigmas[d] = sigmas;
            _logMass[d] = logMass;
            _logNorm[d] = logNorm;
        }
    }

    /// <summary>Draws <paramref name="count"/> points; each row has one internal coordinate per dimension.</summary>
    public double[][] Sample(Rng rng, int count)
    {
        var samples = new double[count][];
        for (var s = 0; s < count; s++)
        {
            var component = rng.Choice(_weights);
            var x = new double[_dims.Length];
            for (var d = 0; d < _dims.Length; d++)
            {
                var dim = _dims[d];
                if (dim.Choices > 0)
                {
                    x[d] = ChooseCategory(_logProbs[d][component], rng);
                    continue;
                }

                var mu = _mus[d][component];
                var sigma = _sigmas[d][component];
                var z = Gaussian.SampleTruncated((dim.Low - mu) / sigma, (dim.High - mu) / sigma, rng.NextDouble());
                x[d] = dim.Snap(mu + (sigma * z));
            }

            samples[s] = x;
        }

        return samples;
    }

    /// <summary>Log score of each point under the mixture: log mass for discrete dimensions, a bandwidth-free kernel height for continuous ones.</summary>
    public double[] LogPdf(double[][] points)
    {
        var result = new double[points.Length];
        var terms = new double[_weights.Length];
        for (var s = 0; s < points.Length; s++)
        {
            var x = points[s];
            Array.Copy(_logWeights, terms, terms.Length);
            for (var d = 0; d < _dims.Length; d++)
            {
                AddDimension(d, x[d], terms);
            }

            result[s] = LogSumExp(terms);
        }

        return result;
    }

    private void AddDimension(int d, double x, double[] terms)
    {
        var dim = _dims[d];
        if (dim.Choices > 0)
        {
            var c = (int)x;
            var probs = _logProbs[d];
            for (var i = 0; i < terms.Length; i++)
            {
                terms[i] += probs[i][c];
            }

            return;
        }

        var mus = _mus[d];
        var sigmas = _sigmas[d];
        var logMass = _logMass[d];
        if (dim.Step > 0)
        {
            var lo = Math.Max(x - (dim.Step / 2), dim.Low);
            var hi = Math.Min(x + (dim.Step / 2), dim.High);
            for (var i = 0; i < terms.Length; i++)
            {
                terms[i] += SafeLog(Gaussian.Mass((lo - mus[i]) / sigmas[i], (hi - mus[i]) / sigmas[i])) - logMass[i];
            }

            return;
        }

        var logNorm = _logNorm[d];
        for (var i = 0; i < terms.Length; i++)
        {
            var z = (x - mus[i]) / sigmas[i];
            terms[i] += logNorm[i] - (0.5 * z * z);
        }
    }

    /// <summary>Optuna's default weights: flat up to 25 observations, then a ramp that favours recent ones.</summary>
    private static double[] ObservationWeights(int n, double priorWeight)
    {
        var w = new double[n + 1];
        const int flat = 25;
        for (var i = 0; i < n; i++)
        {
            w[i] = n < flat || i >= n - flat ? 1.0 : n - flat == 1 ? 1.0 / n : (1.0 / n) + ((1.0 - (1.0 / n)) * i / (n - flat - 1));
        }

        w[n] = priorWeight;
        var total = w.Sum();
        for (var i = 0; i <= n; i++)
        {
            w[i] /= total;
        }

        return w;
    }

    private static double[][] CategoricalKernels(IReadOnlyList<double[]> observations, int d, int choices, double priorWeight)
    {
        var n = observations.Count;
        var kernels = new double[n + 1][];
        for (var i = 0; i <= n; i++)
        {
            // Optuna's kernel: every cell gets prior_weight / (n + 1), the observed one 1 more, so
            // kernels sharpen as observations accumulate.
            var row = new double[choices];
            Array.Fill(row, priorWeight / (n + 1));
            if (i < n)
            {
                row[(int)observations[i][d]] += 1;
            }

            var total = row.Sum();
            for (var c = 0; c < choices; c++)
            {
                row[c] = Math.Log(row[c] / total);
            }

            kernels[i] = row;
        }

        return kernels;
    }

    private static double[] ScottSigmas(int n, int dimensions, Dimension dim)
    {
        var sigma = 0.2 * Math.Pow(Math.Max(n, 1), -1.0 / (dimensions + 4)) * (dim.High - dim.Low);
        var sigmas = new double[n + 1];
        Array.Fill(sigmas, sigma);
        return sigmas;
    }

    /// <summary>Each kernel as wide as the larger gap to its neighbours among the sorted observations and the prior mean.</summary>
    private static double[] NeighbourSigmas(double[] mus, int n, Dimension dim)
    {
        var order = new int[n + 1];
        for (var i = 0; i <= n; i++)
        {
            order[i] = i;
        }

        var sortedMus = (double[])mus.Clone();
        Array.Sort(sortedMus, order);
        var sigmas = new double[n + 1];
        for (var r = 0; r < order.Length; r++)
        {
            var left = r == 0 ? dim.Low : mus[order[r - 1]];
            var right = r == order.Length - 1 ? dim.High : mus[order[r + 1]];
            var here = mus[order[r]];
            // Endpoints are not neighbours (Optuna's consider_endpoints=False): the extremes use their one inner gap.
            sigmas[order[r]] = order.Length == 1 ? dim.High - dim.Low
                : r == 0 ? right - here
                : r == order.Length - 1 ? here - left
                : Math.Max(here - left, right - here);
        }

        return sigmas;
    }

    private static int ChooseCategory(double[] logProbs, Rng rng)
    {
        var u = rng.NextDouble();
        for (var c = 0; c < logProbs.Length; c++)
        {
            u -= Math.Exp(logProbs[c]);
            if (u < 0)
            {
                return c;
            }
        }

        return logProbs.Length - 1;
    }

    private static double LogSumExp(double[] terms)
    {
        var max = double.NegativeInfinity;
        foreach (var t in terms)
        {
            max = Math.Max(max, t);
        }

        if (double.IsNegativeInfinity(max))
        {
            return max;
        }

        // Terms more than 50 nats below the largest add less than 1e-21 of it: skip their exp.
        double sum = 0;
        var cutoff = max - 50;
        foreach (var t in terms)
        {
            if (t > cutoff)
            {
                sum += Math.Exp(t - max);
            }
        }

        return max + Math.Log(sum);
    }

    private static double SafeLog(double p) => Math.Log(Math.Max(p, 1e-300));

    /// <summary>A dimension in internal coordinates: discrete ones are widened by half a step on each side.</summary>
    private readonly record struct Dimension(double Low, double High, double Step, int Choices)
    {
        public static Dimension Of(Distribution distribution)
        {
            if (distribution is CategoricalDistribution c)
            {
                return new Dimension(0, c.Choices.Count - 1, 1, c.Choices.Count);
            }

            if (distribution is IntDistribution { Log: true } li)
            {
                return new Dimension(Math.Log(li.Low - 0.5), Math.Log(li.High + 0.5), 0, 0);
            }

            var (low, high) = distribution.InternalBounds;
            var step = distribution.InternalStep;
            return new Dimension(low - (step / 2), high + (step / 2), step, 0);
        }

        /// <summary>Moves a continuous draw onto the grid of a discrete dimension.</summary>
        public double Snap(double x)
        {
            if (Step <= 0)
            {
                return Math.Clamp(x, Low, High);
            }

            var first = Low + (Step / 2);
            var last = High - (Step / 2);
            return Math.Clamp(first + (Math.Round((x - first) / Step) * Step), first, last);
        }
    }
}
