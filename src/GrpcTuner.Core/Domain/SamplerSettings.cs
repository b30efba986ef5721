namespace GrpcTuner.Core.Domain;

/// <summary>The sampler families.</summary>
public enum SamplerKind
{
    Random,
    Grid,
    Qmc,
    Tpe,
    Nsga2,
    CmaEs,
    Gp,
}

/// <summary>Which sampler a study uses, with its options and seed.</summary>
public sealed record SamplerSettings(SamplerKind Kind, ulong Seed, TpeOptions? Tpe = null, Nsga2Options? Nsga2 = null, CmaEsOptions? CmaEs = null, GpOptions? Gp = null)
{
    public TpeOptions TpeOrDefault => Tpe ?? TpeOptions.Default;
}

/// <summary>TPE options; the defaults are Optuna's.</summary>
public sealed record TpeOptions(
    int NStartupTrials = 10,
    int NEiCandidates = 24,
    bool Multivariate = false,
    bool ConstantLiar = true,
    double PriorWeight = 1.0)
{
    public static TpeOptions Default { get; } = new();
}

/// <summary>NSGA-II options; the defaults are Optuna's (mutation probability null means 1 / number of parameters).</summary>
public sealed record Nsga2Options(
    int PopulationSize = 50,
    double CrossoverProbability = 0.9,
    double SwappingProbability = 0.5,
    double? MutationProbability = null);

/// <summary>CMA-ES options: population size (null: 4 + floor(3 ln n)), IPOP restarts, and whether categorical or conditional parameters may be drawn at random.</summary>
public sealed record CmaEsOptions(int? PopulationSize = null, bool Restarts = true, bool RandomForOtherParams = false);

/// <summary>GP-BO options: random trials before the model takes over.</summary>
public sealed record GpOptions(int NStartupTrials = 10);
