namespace GrpcTuner.Core.Samplers.Gp;

/// <summary>Nelder–Mead minimization: derivative-free, deterministic, enough for a handful of kernel hyperparameters.</summary>
internal static class NelderMead
{
    public static double[] Minimize(Func<double[], double> f, double[] start, double step, int maxEvaluations)
    {
        var n = start.Length;
        var simplex = new List<(double[] X, double F)> { (start, f(start)) };
        for (var i = 0; i < n; i++)
        {
            var x = (double[])start.Clone();
            x[i] += step;
            simplex.Add((x, f(x)));
        }

        var evaluations = n + 1;
        while (evaluations < maxEvaluations)
        {
            simplex.Sort((a, b) => a.F.CompareTo(b.F));
            if (simplex[^1].F - simplex[0].F < 1e-9)
            {
                break;
            }

            var centroid = new double[n];
            for (var i = 0; i < n; i++)
            {
                centroid[i] = simplex.Take(n).Average(p => p.X[i]);
            }

            double[] Toward(double t) => centroid.Select((c, i) => c + (t * (simplex[^1].X[i] - c))).ToArray();
            var reflected = Toward(-1);
            var fr = f(reflected);
            evaluations++;
            if (fr < simplex[0].F)
            {
                var expanded = Toward(-2);
                var fe = f(expanded);
                evaluations++;
                simplex[^1] = fe < fr ? (expanded, fe) : (reflected, fr);
            }
            else if (fr < simplex[^2].F)
            {
                simplex[^1] = (reflected, fr);
            }
            else
            {
                var contracted = Toward(0.5);
                var fc = f(contracted);
                evaluations++;
                if (fc < simplex[^1].F)
                {
                    simplex[^1] = (contracted, fc);
                }
                else
                {
                    var best = simplex[0].X;
                    for (var k = 1; k < simplex.Count; k++)
                    {
                        var shrunk = best.Select((b, i) => b + (0.5 * (simplex[k].X[i] - b))).ToArray();
                        simplex[k] = (shrunk, f(shrunk));
                        evaluations++;
                    }
                }
            }
        }

        return simplex.MinBy(p => p.F).X;
    }
}
