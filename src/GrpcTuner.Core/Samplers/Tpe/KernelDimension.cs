using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>A dimension of a Parzen estimator in internal coordinates: discrete ones are widened by half a step on each side.</summary>
internal readonly record struct KernelDimension(double Low, double High, double Step, int Choices)
{
    public double Range => High - Low;

    public static KernelDimension Of(Distribution distribution)
    {
        if (distribution is CategoricalDistribution c)
        {
            return new KernelDimension(0, c.Choices.Count - 1, 1, c.Choices.Count);
        }

        if (distribution is IntDistribution { Log: true } li)
        {
            return new KernelDimension(Math.Log(li.Low - 0.5), Math.Log(li.High + 0.5), 0, 0);
        }

        var (low, high) = distribution.InternalBounds;
        var step = distribution.InternalStep;
        return new KernelDimension(low - (step / 2), high + (step / 2), step, 0);
    }

    /// <summary>Optuna's magic clip: no kernel narrower than the range over 1 + the number of kernels, the prior's included.</summary>
    public double MinSigma(int observations) => Range / Math.Min(100.0, 2.0 + observations);

    /// <summary>The prior kernel's centre; it is as wide as the range.</summary>
    public double Middle => 0.5 * (Low + High);

    /// <summary>A draw from a normal kernel truncated to the range, moved onto the grid of a discrete dimension.</summary>
    public double Draw(double mu, double sigma, Rng rng) =>
        Snap(mu + (sigma * Gaussian.SampleTruncated((Low - mu) / sigma, (High - mu) / sigma, rng.NextDouble())));

    /// <summary>P(the kernel's draw lands in the range), which normalises the truncated kernel.</summary>
    public double Mass(double mu, double sigma) => Math.Max(Gaussian.Mass((Low - mu) / sigma, (High - mu) / sigma), 1e-300);

    /// <summary>The cell of a discrete value, clipped to the range.</summary>
    public (double Low, double High) Cell(double x) => (Math.Max(x - (Step / 2), Low), Math.Min(x + (Step / 2), High));

    private double Snap(double x)
    {
        if (Step <= 0)
        {
            return Math.Clamp(x, Low, High);
        }

        var first = Low + (Step / 2);
        var last = High - (Step / 2);
        return Math.Clamp(first + (Math.Round((x - first) / Step) * Step), first, last);
    }
}
