using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers.Tpe;

namespace GrpcTuner.Core.Samplers;

/// <summary>
/// The value of one define-by-run parameter outside the intersection space, as Optuna's
/// sample_independent chooses it: TPE models it from the trials that have it; every other sampler
/// draws it uniformly (Optuna's CMA-ES, GP, NSGA-II and QMC fall back to random sampling the same way;
/// a grid's points cover only its declared parameters).
/// </summary>
public static class IndependentSuggestion
{
    public static ParamValue Choose(StudyDefinition study, long trialNumber, string name, Distribution distribution, IReadOnlyList<Trial> history)
    {
        // Only trials with a value this distribution contains inform it; their count keys the stream,
        // so the same history gives the same value on every replica.
        var informed = history.Where(t => t.Number != trialNumber && t.Params.TryGetValue(name, out var v) && distribution.Contains(v)).ToList();
        var rng = Rng.For(study.Sampler.Seed, "suggest", name, trialNumber, informed.Count);
        if (study.Sampler.Kind != SamplerKind.Tpe)
        {
            return IndependentSampling.Draw(distribution, rng);
        }

        var single = study with { Space = new SearchSpace([new ParamSpec(name, distribution)]) };
        return new TpeSampler(single).Sample(informed, rng)[name];
    }
}
