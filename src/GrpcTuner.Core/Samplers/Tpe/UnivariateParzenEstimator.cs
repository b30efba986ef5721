using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>
/// Optuna's Parzen estimator of one parameter: a weighted mixture with one kernel per observation,
/// as wide as the larger gap to its neighbours, plus a prior kernel. Numeric kernels are truncated
/// normals (integrated over a cell when discrete), categorical ones smoothed one-hots.
/// <para>
/// On the wide side of the split there is one kernel per trial, so at 10,000 trials scoring was
/// most of an Ask. The kernels are kept sorted by centre: a point is scored against the narrow ones
/// within <see cref="Reach"/> of their width, found by binary search, and against the few wider
/// ones; a narrow kernel further away adds less than e^-36 of its height. A categorical parameter's
/// mixture is a table of one probability per choice.
/// </para>
/// </summary>
internal sealed class UnivariateParzenEstimator : IParzenEstimator<double>
{
    /// <summary>How many of its widths away a kernel is still scored: exp(-8.5^2 / 2) is 2e-16.</summary>
    private const double Reach = 8.5;

    private const double InverseSqrt2Pi = 0.39894228040143267794;

    private readonly KernelDimension _dim;
    private readonly double _priorWeight;
    private readonly SortedObservations _observations;

    /// <summary>Where the prior kernel is among the kernels by centre: after the observations it ties with.</summary>
    private readonly int _priorRank;

    /// <summary>The kernels by centre: numeric ones' centres, 1/sigma and weight over truncated mass (0 for the wide ones, kept in <see cref="_wide"/>).</summary>
    private readonly double[] _mus = [];
    private readonly double[] _inverseSigmas = [];
    private readonly double[] _coefficients = [];
    private readonly Kernels _wide = Kernels.Empty;
    private readonly double _narrowReach;

    /// <summary>Per choice, the mixture's probability of it.</summary>
    private readonly double[] _choiceProbabilities = [];
    private readonly (double Observed, double Other) _categoricalKernel;

    /// <param name="distribution">The parameter's distribution.</param>
    /// <param name="observations">The observations' internal coordinates in ascending order, each with its place in trial order, which sets its weight.</param>
    /// <param name="priorWeight">Weight of the prior kernel relative to one observation.</param>
    public UnivariateParzenEstimator(Distribution distribution, SortedObservations observations, double priorWeight)
    {
        _dim = KernelDimension.Of(distribution);
        _priorWeight = priorWeight;
        _observations = observations;
        var values = observations.Values;
        var n = values.Length;
        _priorRank = UpperBound(values, _dim.Middle, 0);
        var weights = new Weights(n, priorWeight);
        if (_dim.Choices > 0)
        {
            _categoricalKernel = Parzen.CategoricalKernel(n, _dim.Choices, priorWeight);
            _choiceProbabilities = new double[_dim.Choices];
            for (var c = 0; c < _dim.Choices; c++)
            {
                _choiceProbabilities[c] = weights.Prior / _dim.Choices;
            }

            for (var r = 0; r < n; r++)
            {
                var w = weights.Of(observations.Positions[r]);
                for (var c = 0; c < _dim.Choices; c++)
                {
                    _choiceProbabilities[c] += w * (c == (int)values[r] ? _categoricalKernel.Observed : _categoricalKernel.Other);
                }
            }

            return;
        }

        _mus = new double[n + 1];
        Array.Copy(values, _mus, _priorRank);
        _mus[_priorRank] = _dim.Middle;
        Array.Copy(values, _priorRank, _mus, _priorRank + 1, n - _priorRank);
        _inverseSigmas = new double[n + 1];
        _coefficients = new double[n + 1];
        var narrowest = _dim.MinSigma(n);
        var wide = new List<int>();
        for (var r = 0; r <= n; r++)
        {
            var sigma = r == _priorRank ? _dim.Range : NeighbourSigma(r, narrowest);
            _inverseSigmas[r] = 1 / sigma;
            _coefficients[r] = Weight(weights, r) / _dim.Mass(_mus[r], sigma) * (_dim.Step > 0 ? 1 : InverseSqrt2Pi);
            // Narrow kernels, clipped to the narrowest width, are scored only near a point; the rest always.
            if (sigma > narrowest)
            {
                wide.Add(r);
            }
        }

        _wide = new Kernels(wide.Select(r => _mus[r]).ToArray(), wide.Select(r => _inverseSigmas[r]).ToArray(), wide.Select(r => _coefficients[r]).ToArray());
        foreach (var r in wide)
        {
            _coefficients[r] = 0;
        }

        _narrowReach = (Reach * narrowest) + (_dim.Step / 2);
    }

    /// <summary>Draws <paramref name="count"/> internal coordinates, choosing kernels by weight in trial order with the prior last, as Optuna does.</summary>
    public double[] Sample(Rng rng, int count)
    {
        var n = _observations.Values.Length;
        var weights = new Weights(n, _priorWeight);
        var byPosition = new double[n + 1];
        var rankOf = new int[n + 1];
        for (var r = 0; r <= n; r++)
        {
            var position = r == _priorRank ? n : _observations.Positions[Observation(r)];
            byPosition[position] = Weight(weights, r);
            rankOf[position] = r;
        }

        var samples = new double[count];
        for (var s = 0; s < count; s++)
        {
            var r = rankOf[rng.Choice(byPosition)];
            samples[s] = _dim.Choices > 0
                ? Parzen.DrawCategory(_dim.Choices, r == _priorRank ? null : (int)_observations.Values[Observation(r)], _categoricalKernel, rng)
                : _dim.Draw(_mus[r], 1 / _inverseSigmas[r], rng);
        }

        return samples;
    }

    /// <summary>Log score of each point: log mass for discrete values, a bandwidth-free kernel height for continuous ones (as Optuna 3.1's truncnorm.logpdf).</summary>
    public double[] LogPdf(double[] points) => Array.ConvertAll(points, LogPdf);

    private double LogPdf(double x)
    {
        if (_dim.Choices > 0)
        {
            return Math.Log(_choiceProbabilities[(int)x]);
        }

        var first = LowerBound(_mus, x - _narrowReach);
        var sum = Sum(_mus, _inverseSigmas, _coefficients, x, first, UpperBound(_mus, x + _narrowReach, first))
            + Sum(_wide.Mus, _wide.InverseSigmas, _wide.Coefficients, x, 0, _wide.Mus.Length);
        return Parzen.SafeLog(sum);
    }

    private double Sum(double[] mus, double[] inverseSigmas, double[] coefficients, double x, int from, int to)
    {
        double sum = 0;
        if (_dim.Step > 0)
        {
            var (lo, hi) = _dim.Cell(x);
            for (var i = from; i < to; i++)
            {
                sum += coefficients[i] * Gaussian.Mass((lo - mus[i]) * inverseSigmas[i], (hi - mus[i]) * inverseSigmas[i]);
            }

            return sum;
        }

        for (var i = from; i < to; i++)
        {
            // Within the window every kernel is near; a wide one may be far, where exp would underflow slowly.
            var z = (x - mus[i]) * inverseSigmas[i];
            if (z is > -Reach and < Reach)
            {
                sum += coefficients[i] * Math.Exp(-0.5 * z * z);
            }
        }

        return sum;
    }

    /// <summary>The normalised weight of the kernel at rank <paramref name="r"/>.</summary>
    private double Weight(Weights weights, int r) =>
        r == _priorRank ? weights.Prior : weights.Of(_observations.Positions[Observation(r)]);

    /// <summary>The observation at kernel rank <paramref name="r"/>, which is not the prior's.</summary>
    private int Observation(int r) => r < _priorRank ? r : r - 1;

    /// <summary>
    /// The larger gap to the neighbours among the sorted observations and the prior mean, clipped.
    /// Endpoints are not neighbours (Optuna's consider_endpoints=False): the extremes use their one inner gap.
    /// </summary>
    private double NeighbourSigma(int r, double narrowest)
    {
        var last = _mus.Length - 1;
        var gap = last == 0 ? _dim.Range
            : r == 0 ? _mus[1] - _mus[0]
            : r == last ? _mus[r] - _mus[r - 1]
            : Math.Max(_mus[r] - _mus[r - 1], _mus[r + 1] - _mus[r]);
        return Math.Clamp(gap, narrowest, _dim.Range);
    }

    /// <summary>The first index whose value is at least <paramref name="value"/>.</summary>
    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The first index from <paramref name="from"/> whose value exceeds <paramref name="value"/>.</summary>
    private static int UpperBound(double[] sorted, double value, int from)
    {
        int lo = from, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Kernels by centre, each with 1/sigma and its coefficient.</summary>
    private sealed record Kernels(double[] Mus, double[] InverseSigmas, double[] Coefficients)
    {
        public static readonly Kernels Empty = new([], [], []);
    }
}
