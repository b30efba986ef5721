namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>Standard normal functions accurate in the tails, where truncated kernels live.</summary>
internal static class Gaussian
{
    private const double LogSqrt2Pi = 0.91893853320467274178;

    /// <summary>Complementary error function, relative error below 1.2e-7 everywhere (Numerical Recipes' erfcc).</summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        if (z > 26)
        {
            // erfc(26) is 5e-296: beyond it exp underflows, and libm's underflow path costs a hundred times a normal exp.
            return x > 0 ? 0 : 2;
        }

        var t = 1 / (1 + (0.5 * z));
        ReadOnlySpan<double> c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var poly = 0.0;
        for (var i = c.Length - 1; i >= 0; i--)
        {
            poly = c[i] + (t * poly);
        }

        var ans = t * Math.Exp(-(z * z) + poly);
        return x >= 0 ? ans : 2 - ans;
    }

    /// <summary>P(X &lt;= x).</summary>
    public static double Cdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>P(a &lt;= X &lt;= b), computed on the side of zero where it keeps its precision.</summary>
    public static double Mass(double a, double b) =>
        a < -8.5 && b > 8.5 ? 1.0 // both tails beyond 8.5 sigma hold under 1e-17: no erfc needed
        : a > 0 ? Cdf(-a) - Cdf(-b) : Cdf(b) - Cdf(a);

    public static double LogPdf(double x) => (-0.5 * x * x) - LogSqrt2Pi;

    /// <summary>Inverse of <see cref="Cdf"/> (Acklam's rational approximation).</summary>
    public static double InverseCdf(double p)
    {
        const double pLow = 0.02425;
        if (p <= 0)
        {
            return double.NegativeInfinity;
        }

        if (p >= 1)
        {
            return double.PositiveInfinity;
        }

        if (p < pLow)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return Tail(q);
        }

        if (p > 1 - pLow)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -Tail(q);
        }

        var r = p - 0.5;
        var s = r * r;
        return (((((((-3.969683028665376e+01 * s) + 2.209460984245205e+02) * s) - 2.759285104469687e+02) * s + 1.383577518672690e+02) * s
            - 3.066479806614716e+01) * s + 2.506628277459239e+00) * r
            / ((((((((-5.447609879822406e+01 * s) + 1.615858368580409e+02) * s) - 1.556989798598866e+02) * s + 6.680131188771972e+01) * s
            - 1.328068155288572e+01) * s) + 1);

        static double Tail(double q) =>
            (((((((-7.784894002430293e-03 * q) - 3.223964580411365e-01) * q) - 2.400758277161838e+00) * q - 2.549732539343734e+00) * q
            + 4.374664141464968e+00) * q + 2.938163982698783e+00)
            / ((((((7.784695709041462e-03 * q) + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q + 3.754408661907416e+00) * q) + 1);
    }

    /// <summary>A standard normal draw conditioned on [a, b], by inverting the CDF on the accurate side.</summary>
    public static double SampleTruncated(double a, double b, double u)
    {
        if (a > 0)
        {
            return -SampleTruncated(-b, -a, u);
        }

        var lo = Cdf(a);
        var hi = Cdf(b);
        var x = InverseCdf(lo + (u * (hi - lo)));
        return double.IsFinite(x) ? Math.Clamp(x, a, b) : (a + b) / 2;
    }
}
