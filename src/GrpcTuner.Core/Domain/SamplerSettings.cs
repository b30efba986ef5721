namespace GrpcTuner.Core.Domain;

/// <summary>The sampler families.</summary>
public enum SamplerKind
{
    Random,
    Grid,
    Qmc,
    Tpe,
}

/// <summary>Which sampler a study uses, with its options and seed.</summary>
public sealed record SamplerSettings(SamplerKind Kind, ulong Seed, TpeOptions? Tpe = null)
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
