namespace GrpcTuner.Core.Samplers.Gp;

/// <summary>
/// Gaussian-process regression with a Matérn-5/2 ARD kernel and Gaussian noise. Numeric
/// dimensions contribute ((x - y) / l)^2 to the squared distance; categorical ones (Hamming)
/// contribute 1 / l^2 when they differ. Exact posterior through a Cholesky factor.
/// </summary>
public sealed class GaussianProcess
{
    private readonly double[][] _x;
    private readonly bool[] _categorical;
    private readonly double[] _lengthScales;
    private readonly double _signalVariance;
    private readonly double[,] _cholesky;
    private readonly double[] _alpha;

    /// <param name="x">Training inputs.</param>
    /// <param name="y">Training targets (standardized by the caller).</param>
    /// <param name="categorical">Which dimensions are categorical.</param>
    /// <param name="lengthScales">One per dimension.</param>
    /// <param name="signalVariance">Kernel amplitude.</param>
    /// <param name="noiseVariance">Observation noise.</param>
    public GaussianProcess(double[][] x, double[] y, bool[] categorical, double[] lengthScales, double signalVariance, double noiseVariance)
    {
        _x = x;
        _categorical = categorical;
        _lengthScales = lengthScales;
        _signalVariance = signalVariance;
        var n = x.Length;
        var k = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                k[i, j] = k[j, i] = Kernel(x[i], x[j]) + (i == j ? noiseVariance : 0);
            }
        }

        _cholesky = Cholesky(k);
        _alpha = SolveTransposed(_cholesky, Solve(_cholesky, y));
        LogMarginalLikelihood = -0.5 * y.Zip(_alpha).Sum(p => p.First * p.Second)
            - Enumerable.Range(0, n).Sum(i => Math.Log(_cholesky[i, i]))
            - (0.5 * n * Math.Log(2 * Math.PI));
    }

    public double LogMarginalLikelihood { get; }

    /// <summary>Posterior mean and variance at a point.</summary>
    public (double Mean, double Variance) Predict(double[] point)
    {
        var kStar = _x.Select(xi => Kernel(xi, point)).ToArray();
        var mean = kStar.Zip(_alpha).Sum(p => p.First * p.Second);
        var v = Solve(_cholesky, kStar);
        return (mean, Math.Max(_signalVariance - v.Sum(t => t * t), 1e-12));
    }

    public double Kernel(double[] a, double[] b)
    {
        double r2 = 0;
        for (var d = 0; d < a.Length; d++)
        {
            var diff = _categorical[d] ? (a[d] == b[d] ? 0 : 1) : a[d] - b[d];
            r2 += diff * diff / (_lengthScales[d] * _lengthScales[d]);
        }

        var r = Math.Sqrt(5 * r2);
        return _signalVariance * (1 + r + (r * r / 3)) * Math.Exp(-r);
    }

    private static double[,] Cholesky(double[,] a)
    {
        var n = a.GetLength(0);
        var l = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[i, j];
                for (var k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }

                l[i, j] = i == j ? Math.Sqrt(Math.Max(sum, 1e-12)) : sum / l[j, j];
            }
        }

        return l;
    }

    /// <summary>Solves L z = b.</summary>
    private static double[] Solve(double[,] l, double[] b)
    {
        var z = new double[b.Length];
        for (var i = 0; i < b.Length; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++)
            {
                sum -= l[i, k] * z[k];
            }

            z[i] = sum / l[i, i];
        }

        return z;
    }

    /// <summary>Solves L^T x = z.</summary>
    private static double[] SolveTransposed(double[,] l, double[] z)
    {
        var n = z.Length;
        var x = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = z[i];
            for (var k = i + 1; k < n; k++)
            {
                sum -= l[k, i] * x[k];
            }

            x[i] = sum / l[i, i];
        }

        return x;
    }
}
