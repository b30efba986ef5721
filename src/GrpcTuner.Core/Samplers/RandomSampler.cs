using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers;

/// <summary>Independent uniform sampling of every active parameter.</summary>
public sealed class RandomSampler(SearchSpace space) : ISampler
{
    public IReadOnlyDictionary<string, ParamValue> Sample(IReadOnlyList<Trial> history, Rng rng, CancellationToken ct = default) =>
        IndependentSampling.DrawAll(space, rng);
}
