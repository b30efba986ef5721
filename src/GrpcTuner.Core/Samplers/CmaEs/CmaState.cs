namespace GrpcTuner.Core.Samplers.CmaEs;

/// <summary>
/// The state of CMA-ES (Hansen's tutorial, 2016) on the unit cube, updated from one generation at
/// a time: mean, step size, covariance and the two evolution paths, with the standard constants.
/// </summary>
internal sealed class CmaState
{
    private readonly int _n;
    private readonly double[] _weights;
    private readonly double _muEff, _cSigma, _dSigma, _cC, _c1, _cMu, _chiN;
    private double[] _pSigma, _pC;
    private double[,] _b = new double[0, 0];
    private double[] _d = [];
    private int _generation;

    public CmaState(int n, int lambda, double[] mean, double sigma)
    {
        _n = n;
        Lambda = lambda;
        Mean = mean;
        Sigma = sigma;
        var mu = lambda / 2;
        var raw = Enumerable.Range(1, mu).Select(i => Math.Log(mu + 0.5) - Math.Log(i)).ToArray();
        _weights = raw.Select(w => w / raw.Sum()).ToArray();
        _muEff = 1 / _weights.Sum(w => w * w);
        _cSigma = (_muEff + 2) / (n + _muEff + 5);
        _dSigma = 1 + (2 * Math.Max(0, Math.Sqrt((_muEff - 1) / (n + 1)) - 1)) + _cSigma;
        _cC = (4 + (_muEff / n)) / (n + 4 + (2 * _muEff / n));
        _c1 = 2 / (((n + 1.3) * (n + 1.3)) + _muEff);
        _cMu = Math.Min(1 - _c1, 2 * (_muEff - 2 + (1 / _muEff)) / (((n + 2) * (n + 2)) + _muEff));
        _chiN = Math.Sqrt(n) * (1 - (1.0 / (4 * n)) + (1.0 / (21.0 * n * n)));
        _pSigma = new double[n];
        _pC = new double[n];
        C = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            C[i, i] = 1;
        }

        Decompose();
    }

    public int Lambda { get; }

    public double[] Mean { get; private set; }

    public double Sigma { get; private set; }

    public double[,] C { get; private set; }

    /// <summary>Largest axis of the search distribution: tiny means the run has converged.</summary>
    public double Spread => Sigma * Math.Sqrt(_d.Max());

    /// <summary>An independent copy: <see cref="Tell"/> replaces every array it changes instead of writing into it, so a shallow copy shares nothing that moves.</summary>
    public CmaState Copy() => (CmaState)MemberwiseClone();

    /// <summary>A point m + sigma B D z for a standard normal z.</summary>
    public double[] Sample(Func<double> gaussian)
    {
        var z = Enumerable.Range(0, _n).Select(_ => gaussian()).ToArray();
        var x = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            double sum = 0;
            for (var j = 0; j < _n; j++)
            {
                sum += _b[i, j] * Math.Sqrt(_d[j]) * z[j];
            }

            x[i] = Mean[i] + (Sigma * sum);
        }

        return x;
    }

    /// <summary>One update from a generation's points, best first.</summary>
    public void Tell(IReadOnlyList<double[]> bestFirst)
    {
        _generation++;
        var mu = Math.Min(_weights.Length, bestFirst.Count);
        var y = bestFirst.Take(mu).Select(x => x.Select((v, i) => (v - Mean[i]) / Sigma).ToArray()).ToList();
        var yw = new double[_n];
        for (var k = 0; k < mu; k++)
        {
            for (var i = 0; i < _n; i++)
            {
                yw[i] += _weights[k] * y[k][i];
            }
        }

        Mean = Mean.Select((m, i) => m + (Sigma * yw[i])).ToArray();
        var cInvSqrtYw = MultiplyInverseSqrt(yw);
        var aSigma = Math.Sqrt(_cSigma * (2 - _cSigma) * _muEff);
        _pSigma = _pSigma.Select((p, i) => ((1 - _cSigma) * p) + (aSigma * cInvSqrtYw[i])).ToArray();
        var normPSigma = Math.Sqrt(_pSigma.Sum(p => p * p));
        var hSigma = normPSigma / Math.Sqrt(1 - Math.Pow(1 - _cSigma, 2 * _generation)) < (1.4 + (2.0 / (_n + 1))) * _chiN ? 1.0 : 0.0;
        var aC = Math.Sqrt(_cC * (2 - _cC) * _muEff);
        _pC = _pC.Select((p, i) => ((1 - _cC) * p) + (hSigma * aC * yw[i])).ToArray();
        var next = new double[_n, _n];
        for (var i = 0; i < _n; i++)
        {
            for (var j = 0; j < _n; j++)
            {
                double rankMu = 0;
                for (var k = 0; k < mu; k++)
                {
                    rankMu += _weights[k] * y[k][i] * y[k][j];
                }

                next[i, j] = ((1 - _c1 - _cMu) * C[i, j])
                    + (_c1 * ((_pC[i] * _pC[j]) + ((1 - hSigma) * _cC * (2 - _cC) * C[i, j])))
                    + (_cMu * rankMu);
            }
        }

        C = next;
        Sigma *= Math.Exp(_cSigma / _dSigma * ((normPSigma / _chiN) - 1));
        Decompose();
    }

    private void Decompose()
    {
        var (values, vectors) = SymmetricEigen.Decompose(C);
        _d = values.Select(v => Math.Max(v, 1e-20)).ToArray();
        _b = vectors;
    }

    /// <summary>C^(-1/2) v = B D^(-1/2) B^T v.</summary>
    private double[] MultiplyInverseSqrt(double[] v)
    {
        var bt = new double[_n];
        for (var j = 0; j < _n; j++)
        {
            for (var i = 0; i < _n; i++)
            {
                bt[j] += _b[i, j] * v[i];
            }

            bt[j] /= Math.Sqrt(_d[j]);
        }

        var result = new double[_n];
        for (var i = 0; i < _n; i++)
        {
            for (var j = 0; j < _n; j++)
            {
                result[i] += _b[i, j] * bt[j];
            }
        }

        return result;
    }
}
