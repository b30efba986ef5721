using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>
/// Some model-based suggestions are a small random step from the best trial so far, as a (1+1)
/// evolution strategy takes: each numeric parameter moves by a normal step of <see cref="Scale"/>
/// of its range in unit coordinates, each categorical one changes with probability 1/d. l(x)/g(x)
/// keeps exploring wherever l is wide, so on its own TPE refines a good region slowly. The quality
/// benchmark against Optuna 3.1 chose the settings per mode (see Tpe/README.md): univariate, every
/// fourth suggestion, 0.05; multivariate, whose kernels all share Scott's wide bandwidth, every
/// second suggestion, 0.025.
/// </summary>
/// <param name="Every">One model-based suggestion in this many is a step.</param>
/// <param name="Scale">The step's standard deviation, as a share of each numeric range.</param>
internal sealed record IncumbentStep(int Every, double Scale)
{
    private static readonly IncumbentStep Univariate = new(4, 0.05);
    private static readonly IncumbentStep Multivariate = new(2, 0.025);

    public static IncumbentStep For(bool multivariate) => multivariate ? Multivariate : Univariate;

    /// <param name="modelBased">How many finished trials past the startup ones the history holds.</param>
    public bool IsDue(int modelBased) => modelBased % Every == Every - 1;

    public Dictionary<string, ParamValue> From(Trial best, SearchSpace space, Rng rng)
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
