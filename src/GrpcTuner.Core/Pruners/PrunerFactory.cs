using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Pruners;

/// <summary>Builds the pruner a study names. Pruners judge the first objective.</summary>
public static class PrunerFactory
{
    public static IPruner Create(StudyDefinition study) => study.Pruner.Kind switch
    {
        // PBT never prunes; its EXPLOIT decisions come from Schedulers.PbtScheduler.
        PrunerKind.None or PrunerKind.Pbt => new NopPruner(),
        PrunerKind.Percentile => new PercentilePruner(study.Pruner, study.Directions[0]),
        PrunerKind.SuccessiveHalving => new SuccessiveHalvingPruner(study.Pruner, study.Directions[0]),
        PrunerKind.Hyperband => new HyperbandPruner(study.Pruner, study.Directions[0]),
        _ => throw new ArgumentOutOfRangeException(nameof(study), study.Pruner.Kind, "unknown pruner"),
    };
}
