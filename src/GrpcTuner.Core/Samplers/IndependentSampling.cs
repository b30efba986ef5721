using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers;

/// <summary>Uniform draws from one distribution, and the conversion of a unit-cube coordinate to a value.</summary>
public static class IndependentSampling
{
    public static ParamValue Draw(Distribution distribution, Rng rng) => FromUnit(distribution, rng.NextDouble());

    /// <summary>The value at position <paramref name="u"/> in [0, 1) of a distribution, uniform in its scale.</summary>
    public static ParamValue FromUnit(Distribution distribution, double u)
    {
        switch (distribution)
        {
            case CategoricalDistribution c:
                return c.Choices[Math.Min((int)(u * c.Choices.Count), c.Choices.Count - 1)];
            case FloatDistribution { Step: { } step, Count: { } n } f:
                return ParamValue.Of(Math.Min(f.Low + (Math.Min((long)(u * n), n - 1) * step), f.High));
            case IntDistribution { Log: false } i:
                return ParamValue.Of(i.Low + (Math.Min((long)(u * i.Count), i.Count - 1) * i.Step));
            case IntDistribution i:
                // Widening by half a unit gives the end values their fair share of the log scale.
                var lo = Math.Log(i.Low - 0.5);
                var hi = Math.Log(i.High + 0.5);
                return i.FromInternal(lo + (u * (hi - lo)));
            default:
                var (low, high) = distribution.InternalBounds;
                return distribution.FromInternal(low + (u * (high - low)));
        }
    }

    /// <summary>Where a contained value sits in [0, 1): the inverse of <see cref="FromUnit"/> (the middle of its cell for discrete values).</summary>
    public static double ToUnit(Distribution distribution, ParamValue value)
    {
        switch (distribution)
        {
            case CategoricalDistribution c:
                return (c.IndexOf(value) + 0.5) / c.Choices.Count;
            case FloatDistribution { Step: { } step, Count: { } n } f:
                return (Math.Round((value.AsFloat - f.Low) / step) + 0.5) / n;
            case IntDistribution { Log: false } i:
                return ((((value.AsInt - i.Low) / i.Step) + 0.5) / i.Count);
            case IntDistribution i:
                var lo = Math.Log(i.Low - 0.5);
                return (Math.Log(value.AsInt) - lo) / (Math.Log(i.High + 0.5) - lo);
            default:
                var (low, high) = distribution.InternalBounds;
                return high > low ? (distribution.ToInternal(value) - low) / (high - low) : 0.5;
        }
    }

    /// <summary>Draws every active parameter independently, in declaration order.</summary>
    public static Dictionary<string, ParamValue> DrawAll(SearchSpace space, Rng rng, Dictionary<string, ParamValue>? chosen = null)
    {
        chosen ??= new Dictionary<string, ParamValue>(space.Params.Count, StringComparer.Ordinal);
        foreach (var spec in space.Params)
        {
            if (!chosen.ContainsKey(spec.Name) && SearchSpace.IsActive(spec, chosen))
            {
                chosen[spec.Name] = Draw(spec.Distribution, rng);
            }
        }

        return chosen;
    }
}
