namespace GrpcTuner.Benchmarks;

/// <summary>Standard test functions of the sampler literature, all minimized.</summary>
internal static class Problems
{
    /// <summary>Branin on [-5, 10] x [0, 15]; minimum 0.397887.</summary>
    public static double Branin(double x1, double x2)
    {
        const double a = 1, b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, r = 6, s = 10, t = 1 / (8 * Math.PI);
        return (a * Math.Pow(x2 - (b * x1 * x1) + (c * x1) - r, 2)) + (s * (1 - t) * Math.Cos(x1)) + s;
    }

    private static readonly double[] Alpha = [1.0, 1.2, 3.0, 3.2];

    private static readonly double[,] A =
    {
        { 10, 3, 17, 3.5, 1.7, 8 },
        { 0.05, 10, 17, 0.1, 8, 14 },
        { 3, 3.5, 1.7, 10, 17, 8 },
        { 17, 8, 0.05, 10, 0.1, 14 },
    };

    private static readonly double[,] P =
    {
        { 1312, 1696, 5569, 124, 8283, 5886 },
        { 2329, 4135, 8307, 3736, 1004, 9991 },
        { 2348, 1451, 3522, 2883, 3047, 6650 },
        { 4047, 8828, 8732, 5743, 1091, 381 },
    };

    /// <summary>Hartmann-6 on [0, 1]^6; minimum -3.32237.</summary>
    public static double Hartmann6(IReadOnlyList<double> x)
    {
        double sum = 0;
        for (var i = 0; i < 4; i++)
        {
            double inner = 0;
            for (var j = 0; j < 6; j++)
            {
                inner += A[i, j] * Math.Pow(x[j] - (P[i, j] * 1e-4), 2);
            }

            sum += Alpha[i] * Math.Exp(-inner);
        }

        return -sum;
    }

    /// <summary>Styblinski-Tang on [-5, 5]^d; minimum -39.16599 d.</summary>
    public static double StyblinskiTang(IReadOnlyList<double> x) => 0.5 * x.Sum(v => Math.Pow(v, 4) - (16 * v * v) + (5 * v));

    /// <summary>ZDT1 on [0, 1]^d, two objectives to minimize: f1 = x0, f2 = g (1 - sqrt(f1 / g)), g = 1 + 9 mean(x1..).</summary>
    public static double[] Zdt1(IReadOnlyList<double> x)
    {
        var g = 1 + (9 * x.Skip(1).Average());
        return [x[0], g * (1 - Math.Sqrt(x[0] / g))];
    }

    /// <summary>Levy on [-10, 10]^d; minimum 0 at (1, ..., 1).</summary>
    public static double Levy(IReadOnlyList<double> x)
    {
        var w = x.Select(v => 1 + ((v - 1) / 4)).ToArray();
        var sum = Math.Pow(Math.Sin(Math.PI * w[0]), 2);
        for (var i = 0; i < w.Length - 1; i++)
        {
            sum += Math.Pow(w[i] - 1, 2) * (1 + (10 * Math.Pow(Math.Sin((Math.PI * w[i]) + 1), 2)));
        }

        return sum + (Math.Pow(w[^1] - 1, 2) * (1 + Math.Pow(Math.Sin(2 * Math.PI * w[^1]), 2)));
    }

    /// <summary>Rosenbrock; minimum 0 at (1, ..., 1).</summary>
    public static double Rosenbrock(IReadOnlyList<double> x) =>
        Enumerable.Range(0, x.Count - 1).Sum(i => (100 * Math.Pow(x[i + 1] - (x[i] * x[i]), 2)) + Math.Pow(1 - x[i], 2));
}
