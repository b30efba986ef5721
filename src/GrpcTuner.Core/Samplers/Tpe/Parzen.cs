using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>What both Parzen estimators share with Optuna's: the observations' weights and the categorical kernel.</summary>
internal static class Parzen
{
    /// <summary>Optuna's default weights, normalised with the prior's last.</summary>
    public static double[] ObservationWeights(int n, double priorWeight)
    {
        var weights = new Weights(n, priorWeight);
        var w = new double[n + 1];
        for (var i = 0; i < n; i++)
        {
            w[i] = weights.Of(i);
        }

        w[n] = weights.Prior;
        return w;
    }

    /// <summary>
    /// Optuna's categorical kernel: every cell gets prior_weight / (n + 1), the observed one 1 more,
    /// normalised, so kernels sharpen as observations accumulate; the prior kernel is uniform.
    /// </summary>
    /// <returns>The probability of the observed cell and of any other.</returns>
    public static (double Observed, double Other) CategoricalKernel(int n, int choices, double priorWeight)
    {
        var smoothing = priorWeight / (n + 1);
        var total = (choices * smoothing) + 1;
        return ((smoothing + 1) / total, smoothing / total);
    }

    /// <summary>A choice from a categorical kernel centred on <paramref name="observed"/> (null: the uniform prior).</summary>
    public static int DrawCategory(int choices, int? observed, (double Observed, double Other) kernel, Rng rng)
    {
        var u = rng.NextDouble();
        for (var c = 0; c < choices; c++)
        {
            u -= observed is null ? 1.0 / choices : c == observed ? kernel.Observed : kernel.Other;
            if (u < 0)
            {
                return c;
            }
        }

        return choices - 1;
    }

    public static double SafeLog(double p) => Math.Log(Math.Max(p, 1e-300));
}

/// <summary>
/// Optuna's default weights, normalised with the prior's, each computed when asked: flat up to 25
/// observations, then a ramp from 1/n that favours recent ones; the prior weighs prior_weight.
/// </summary>
internal readonly struct Weights
{
    private const int Flat = 25;
    private readonly int _n;
    private readonly int _ramp;
    private readonly double _slope;
    private readonly double _scale;

    public Weights(int n, double priorWeight)
    {
        _n = n;
        _ramp = n - Flat;
        _slope = _ramp > 1 ? (1.0 - (1.0 / n)) / (_ramp - 1) : 0;
        var rampTotal = _ramp <= 0 ? 0 : _ramp == 1 ? 1.0 / n : (_ramp / (double)n) + (_slope * _ramp * (_ramp - 1) / 2);
        _scale = 1 / (rampTotal + Math.Min(n, Flat) + priorWeight);
        Prior = priorWeight * _scale;
    }

    public double Prior { get; }

    /// <summary>The weight of the observation at <paramref name="position"/> in trial order.</summary>
    public double Of(int position) =>
        _scale * (position >= _ramp ? 1.0 : _ramp == 1 ? 1.0 / _n : (1.0 / _n) + (_slope * position));
}
