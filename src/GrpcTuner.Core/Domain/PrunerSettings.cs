namespace GrpcTuner.Core.Domain;

/// <summary>The pruner families.</summary>
public enum PrunerKind
{
    None,
    Percentile,
    SuccessiveHalving,
    Hyperband,
}

/// <summary>Which pruner a study uses, with its options; the defaults are Optuna's.</summary>
public sealed record PrunerSettings(
    PrunerKind Kind,
    double Percentile = 50,
    int NStartupTrials = 5,
    int NWarmupSteps = 0,
    int IntervalSteps = 1,
    int NMinTrials = 1,
    long MinResource = 0,
    int ReductionFactor = 4,
    int MinEarlyStoppingRate = 0,
    int BootstrapCount = 0,
    long MaxResource = 0)
{
    public static PrunerSettings None { get; } = new(PrunerKind.None);
}
