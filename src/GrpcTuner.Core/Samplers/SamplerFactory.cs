using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Samplers.Qmc;
using GrpcTuner.Core.Samplers.Tpe;

namespace GrpcTuner.Core.Samplers;

/// <summary>Builds the sampler a study names. Exactly one of the two results is set.</summary>
public static class SamplerFactory
{
    public static (ISampler? Free, ISequenceSampler? Sequence) Create(StudyDefinition study) => study.Sampler.Kind switch
    {
        SamplerKind.Random => (new RandomSampler(study.Space), null),
        SamplerKind.Tpe => (new TpeSampler(study), null),
        SamplerKind.Nsga2 => (new Nsga2.Nsga2Sampler(study), null),
        SamplerKind.CmaEs => (new CmaEs.CmaEsSampler(study), null),
        SamplerKind.Gp => (new Gp.GpSampler(study), null),
        SamplerKind.Grid => (null, new GridSampler(study.Space, study.Sampler.Seed)),
        SamplerKind.Qmc => (null, new QmcSampler(study.Space, study.Sampler.Seed)),
        _ => throw new ArgumentOutOfRangeException(nameof(study), study.Sampler.Kind, "unknown sampler"),
    };

    /// <summary>
    /// The study as its sampler sees it once define-by-run parameters join the space: CMA-ES then
    /// draws what it cannot model at random, as Optuna's does outside its relative space.
    /// </summary>
    public static StudyDefinition Extended(StudyDefinition study, SearchSpace space) => study with
    {
        Space = space,
        Sampler = study.Sampler.Kind == SamplerKind.CmaEs
            ? study.Sampler with { CmaEs = (study.Sampler.CmaEs ?? new CmaEsOptions()) with { RandomForOtherParams = true } }
            : study.Sampler,
    };
}
