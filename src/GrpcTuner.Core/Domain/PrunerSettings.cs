namespace GrpcTuner.Core.Domain;

/// <summary>The pruner families.</summary>
public enum PrunerKind
{
    None,
    Percentile,
    SuccessiveHalving,
    Hyperband,
    Pbt,
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
    long MaxResource = 0,
    PbtOptions? Pbt = null)
{
    public static PrunerSettings None { get; } = new(PrunerKind.None);
}

/// <summary>Population-Based Training options; the defaults are Ray Tune's.</summary>
public sealed record PbtOptions(
    long PerturbationInterval = 1,
    double QuantileFraction = 0.25,
    double ResampleProbability = 0.25,
    long BurnIn = 0,
    IReadOnlyList<double>? PerturbationFactors = null,
    IReadOnlyList<string>? MutableParams = null,
    int PopulationSize = 0)
{
    /// <summary>The most members a study starts, or null for no limit.</summary>
    public long? Population => PopulationSize > 0 ? PopulationSize : null;

    public IReadOnlyList<double> Factors => PerturbationFactors is { Count: > 0 } f ? f : [1.2, 0.8];

    /// <summary>Whether an exploiting trial explores this parameter: the listed ones, or by default every float parameter.</summary>
    public bool Explores(ParamSpec spec) =>
        MutableParams is { Count: > 0 } listed ? listed.Contains(spec.Name, StringComparer.Ordinal) : spec.Distribution is FloatDistribution;
}
