namespace GrpcTuner.Benchmarks.Quality;

/// <summary>The two-sided Mann-Whitney U test, by the normal approximation with the tie correction (fine for 20 or more samples a side).</summary>
internal static class MannWhitney
{
    public static double PValue(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var all = a.Select(v => (v, 0)).Concat(b.Select(v => (v, 1))).OrderBy(x => x.v).ToArray();
        var ranks = new double[all.Length];
        var tieTerm = 0.0;
        for (var i = 0; i < all.Length;)
        {
            var j = i;
            while (j + 1 < all.Length && all[j + 1].v == all[i].v)
            {
                j++;
            }

            var t = j - i + 1;
            tieTerm += (t * t * t) - t;
            for (var k = i; k <= j; k++)
            {
                ranks[k] = (i + j + 2) / 2.0;
            }

            i = j + 1;
        }

        double n1 = a.Count, n2 = b.Count, n = n1 + n2;
        var r1 = Enumerable.Range(0, all.Length).Where(i => all[i].Item2 == 0).Sum(i => ranks[i]);
        var u = r1 - (n1 * (n1 + 1) / 2);
        var mean = n1 * n2 / 2;
        var variance = n1 * n2 / 12 * ((n + 1) - (tieTerm / (n * (n - 1))));
        if (variance <= 0)
        {
            return 1;
        }

        var z = (Math.Abs(u - mean) - 0.5) / Math.Sqrt(variance);
        return Math.Min(1, 2 * (1 - NormalCdf(Math.Max(0, z))));
    }

    private static double NormalCdf(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    /// <summary>Abramowitz and Stegun 7.1.26, error under 1.5e-7.</summary>
    private static double Erf(double x)
    {
        var t = 1 / (1 + (0.3275911 * Math.Abs(x)));
        var y = 1 - ((((((1.061405429 * t) - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return x >= 0 ? y : -y;
    }
}
