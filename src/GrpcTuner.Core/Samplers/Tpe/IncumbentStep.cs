using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>
/// Every fourth model-based suggestion is a small random step from the best trial so far, as a
/// (1+1) evolution strategy takes: each numeric parameter moves by a normal step of 0.05 of its
/// range in unit coordinates, each categorical one changes with probability 1/d. l(x)/g(x) keeps
/// exploring wherever l is wide, so on its own TPE refines a good region slowly; the quality
/// benchmark against Optuna 3.1 measures the step as a gain on most problems and a loss on none
/// (see Tpe/README.md).
/// </summary>
internal static class IncumbentStep
{
    private const int Every = 4;
    private const double Scale = 0.05;

    /// <param name="modelBased">How many finished trials past the startup ones the history holds.</param>
    public static bool IsDue(int modelBased) => modelBased % Every == Every - 1;

    public static Dictionary<string, ParamValue> From(Trial best, SearchSpace space, Rng rng)
    {
        var step = new Dictionary<string, ParamValue>(space.Params.Count, StringComparer.Ordinal);
        foreach (var spec in space.Params)
        {
            if (!SearchSpace.IsActive(spec, step))
            {
                continue;
            }

            if (!best.Params.TryGetValue(spec.Name, out var v) || !spec.Distribution.Contains(v))
            {
                // A child parameter the best trial never had (its parent changed): nothing to step from.
                step[spec.Name] = IndependentSampling.Draw(spec.Distribution, rng);
            }
            else if (spec.Distribution is CategoricalDistribution c)
            {
                step[spec.Name] = rng.NextDouble() < 1.0 / space.Params.Count ? c.Choices[(int)rng.NextLong(c.Choices.Count)] : v;
            }
            else
            {
                var u = IndependentSampling.ToUnit(spec.Distribution, v) + (Scale * rng.NextGaussian());
                step[spec.Name] = IndependentSampling.FromUnit(spec.Distribution, Math.Clamp(u, 0, 1 - 1e-12));
            }
        }

        return step;
    }
}
