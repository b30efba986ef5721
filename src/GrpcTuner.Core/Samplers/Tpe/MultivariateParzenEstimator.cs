using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>
/// Optuna's multivariate Parzen estimator: a weighted mixture with one kernel per observation over
/// all its dimensions plus a prior kernel, every kernel of a dimension as wide as Scott's rule
/// makes it. Numeric dimensions use truncated normals (integrated over a cell when discrete),
/// categorical ones a smoothed one-hot distribution.
/// </summary>
internal sealed class MultivariateParzenEstimator : IParzenEstimator<double[]>
{
    private readonly KernelDimension[] _dims;
    private readonly double[] _weights;

    /// <summary>
    /// Per component, its log weight plus what its continuous dimensions add at their kernel's centre:
    /// -log(mass) - log(sqrt(2 pi)) each. Kernel heights leave out -log(sigma), as Optuna 3.1's
    /// truncnorm.logpdf does: l(x)/g(x) then favours points near observations over points under a
    /// narrow kernel alone, which the quality benchmark measures as better (Branin, 100 seeds: 0.427
    /// with, 0.461 without; Optuna 0.426).
    /// </summary>
    private readonly double[] _base;

    /// <summary>Per numeric dimension, each component's centre and width (the prior's last) and log truncated mass.</summary>
    private readonly double[][] _mus;
    private readonly double[][] _sigmas;
    private readonly double[][] _logMass;

    /// <summary>Per categorical dimension, each component's centre (-1 for the prior) and the kernel's probabilities.</summary>
    private readonly int[][] _choices;
    private readonly (double Observed, double Other)[] _categoricalKernels;

    /// <param name="distributions">One per dimension.</param>
    /// <param name="columns">Per dimension, the observations' internal coordinates in trial-number order.</param>
    /// <param name="priorWeight">Weight of the prior kernel relative to one observation.</param>
    public MultivariateParzenEstimator(IReadOnlyList<Distribution> distributions, IReadOnlyList<double[]> columns, double priorWeight)
    {
        _dims = distributions.Select(KernelDimension.Of).ToArray();
        var n = columns.Count == 0 ? 0 : columns[0].Length;
        var k = n + 1;
        _weights = Parzen.ObservationWeights(n, priorWeight);
        _base = _weights.Select(w => Math.Log(w)).ToArray();
        _mus = new double[_dims.Length][];
        _sigmas = new double[_dims.Length][];
        _logMass = new double[_dims.Length][];
        _choices = new int[_dims.Length][];
        _categoricalKernels = new (double, double)[_dims.Length];
        for (var d = 0; d < _dims.Length; d++)
        {
            var dim = _dims[d];
            if (dim.Choices > 0)
            {
                var column = columns[d];
                _choices[d] = Enumerable.Range(0, k).Select(i => i == n ? -1 : (int)column[i]).ToArray();
                _categoricalKernels[d] = Parzen.CategoricalKernel(n, dim.Choices, priorWeight);
                continue;
            }

            var mus = new double[k];
            Array.Copy(columns[d], mus, n);
            mus[n] = dim.Middle;
            // Scott's rule, clipped as Optuna clips every kernel; the prior stays as wide as the range.
            var sigmas = new double[k];
            Array.Fill(sigmas, Math.Clamp(0.2 * Math.Pow(Math.Max(n, 1), -1.0 / (_dims.Length + 4)) * dim.Range, dim.MinSigma(n), dim.Range));
            sigmas[n] = dim.Range;
            var logMass = new double[k];
            for (var i = 0; i < k; i++)
            {
                logMass[i] = Math.Log(dim.Mass(mus[i], sigmas[i]));
                if (dim.Step <= 0)
                {
                    _base[i] += Gaussian.LogPdf(0) - logMass[i];
                }
            }

            _mus[d] = mus;
            _sigmas[d] = sigmas;
            _logMass[d] = logMass;
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
                    var centre = _choices[d][component];
                    x[d] = Parzen.DrawCategory(dim.Choices, centre < 0 ? null : centre, _categoricalKernels[d], rng);
                }
                else
                {
                    x[d] = dim.Draw(_mus[d][component], _sigmas[d][component], rng);
                }
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
            _base.CopyTo(terms, 0);
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
            var choices = _choices[d];
            var (observed, other) = _categoricalKernels[d];
            var logObserved = Math.Log(observed);
            var logOther = Math.Log(other);
            var logPrior = -Math.Log(dim.Choices);
            for (var i = 0; i < terms.Length; i++)
            {
                terms[i] += choices[i] < 0 ? logPrior : choices[i] == (int)x ? logObserved : logOther;
            }

            return;
        }

        var mus = _mus[d];
        var sigmas = _sigmas[d];
        if (dim.Step > 0)
        {
            var logMass = _logMass[d];
            var (lo, hi) = dim.Cell(x);
            for (var i = 0; i < terms.Length; i++)
            {
                terms[i] += Parzen.SafeLog(Gaussian.Mass((lo - mus[i]) / sigmas[i], (hi - mus[i]) / sigmas[i])) - logMass[i];
            }

            return;
        }

        for (var i = 0; i < terms.Length; i++)
        {
            var z = (x - mus[i]) / sigmas[i];
            terms[i] -= 0.5 * z * z;
        }
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
}
