using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Samplers.Qmc;

/// <summary>
/// Quasi-Monte Carlo sampling: point i of a scrambled Sobol sequence, one dimension per parameter.
/// Conditional parameters take their coordinate only while active.
/// </summary>
public sealed class QmcSampler : ISequenceSampler
{
    private readonly SearchSpace _space;
    private readonly ScrambledSobol _sobol;

    public QmcSampler(SearchSpace space, ulong seed)
    {
        _space = space;
        _sobol = new ScrambledSobol(space.Params.Count, seed);
    }

    public static int MaxParams => SobolDirections.MaxDimensions;

    public long? Size => null;

    public IReadOnlyDictionary<string, ParamValue> PointAt(long index)
    {
        var u = _sobol.Point(index);
        var chosen = new Dictionary<string, ParamValue>(u.Length, StringComparer.Ordinal);
        for (var d = 0; d < u.Length; d++)
        {
            var spec = _space.Params[d];
            if (SearchSpace.IsActive(spec, chosen))
            {
                chosen[spec.Name] = IndependentSampling.FromUnit(spec.Distribution, u[d]);
            }
        }

        return chosen;
    }
}
