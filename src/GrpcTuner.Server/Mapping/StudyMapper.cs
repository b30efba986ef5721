using Google.Protobuf.WellKnownTypes;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Validation;
using Wire = GrpcTuner.V1;

namespace GrpcTuner.Server.Mapping;

/// <summary>Studies between the wire and the domain. Wire defaults (0 meaning "default") are resolved here.</summary>
internal static class StudyMapper
{
    public static StudyDefinition ToDomain(Wire.CreateStudyRequest r)
    {
        var v = new Violations();
        var space = SearchSpaceMapper.ToDomain(r.SearchSpace, v);
        var directions = new List<Direction>();
        for (var i = 0; i < r.Directions.Count; i++)
        {
            switch (r.Directions[i])
            {
                case Wire.Direction.Minimize:
                    directions.Add(Direction.Minimize);
                    break;
                case Wire.Direction.Maximize:
                    directions.Add(Direction.Maximize);
                    break;
                default:
                    v.Add($"directions[{i}]", $"must be DIRECTION_MINIMIZE or DIRECTION_MAXIMIZE, got {(int)r.Directions[i]}");
                    break;
            }
        }

        var sampler = Sampler(r.Sampler);
        var pruner = Pruner(r.Pruner);
        v.ThrowIfAny();
        return new StudyDefinition(r.Name, space, directions, sampler, pruner, r.MaxRetries, new Dictionary<string, string>(r.UserAttrs));
    }

    public static Wire.Study ToProto(Study s)
    {
        var d = s.Definition;
        var study = new Wire.Study
        {
            StudyId = s.Id,
            Name = d.Name,
            SearchSpace = SearchSpaceMapper.ToProto(d.Space),
            Sampler = SamplerToProto(d.Sampler),
            Pruner = PrunerToProto(d.Pruner),
            MaxRetries = d.MaxRetries,
            CreateTime = Timestamp.FromDateTimeOffset(s.CreatedAt),
        };
        study.Directions.AddRange(d.Directions.Select(x => x == Direction.Minimize ? Wire.Direction.Minimize : Wire.Direction.Maximize));
        study.UserAttrs.Add(d.UserAttrs.ToDictionary());
        return study;
    }

    private static SamplerSettings Sampler(Wire.SamplerConfig? c)
    {
        // An unseeded study gets a seed now, stored with it, so every replica samples alike.
        var seed = c is { HasSeed: true } ? c.Seed : new Rng((ulong)DateTime.UtcNow.Ticks ^ (ulong)Environment.ProcessId).NextUInt64();
        return c?.KindCase switch
        {
            Wire.SamplerConfig.KindOneofCase.Random => new SamplerSettings(SamplerKind.Random, seed),
            Wire.SamplerConfig.KindOneofCase.Grid => new SamplerSettings(SamplerKind.Grid, seed),
            Wire.SamplerConfig.KindOneofCase.Qmc => new SamplerSettings(SamplerKind.Qmc, seed),
            Wire.SamplerConfig.KindOneofCase.Gp => new SamplerSettings(SamplerKind.Gp, seed, Gp: new GpOptions(c.Gp.NStartupTrials == 0 ? 10 : c.Gp.NStartupTrials)),
            Wire.SamplerConfig.KindOneofCase.Cmaes => new SamplerSettings(SamplerKind.CmaEs, seed, CmaEs: new CmaEsOptions(
                PopulationSize: c.Cmaes.PopulationSize == 0 ? null : c.Cmaes.PopulationSize,
                Restarts: !c.Cmaes.NoRestarts,
                RandomForOtherParams: c.Cmaes.RandomForOtherParams)),
            Wire.SamplerConfig.KindOneofCase.Nsga2 => new SamplerSettings(SamplerKind.Nsga2, seed, Nsga2: new Nsga2Options(
                PopulationSize: c.Nsga2.PopulationSize == 0 ? 50 : c.Nsga2.PopulationSize,
                CrossoverProbability: c.Nsga2.HasCrossoverProb ? c.Nsga2.CrossoverProb : 0.9,
                SwappingProbability: c.Nsga2.HasSwappingProb ? c.Nsga2.SwappingProb : 0.5,
                MutationProbability: c.Nsga2.HasMutationProb ? c.Nsga2.MutationProb : null)),
            _ => new SamplerSettings(SamplerKind.Tpe, seed, Tpe(c?.Tpe)),
        };
    }

    private static TpeOptions Tpe(Wire.TpeSamplerConfig? t) => t is null
        ? TpeOptions.Default
        : new TpeOptions(
            NStartupTrials: t.NStartupTrials == 0 ? TpeOptions.Default.NStartupTrials : t.NStartupTrials,
            NEiCandidates: t.NEiCandidates == 0 ? TpeOptions.Default.NEiCandidates : t.NEiCandidates,
            Multivariate: t.Multivariate,
            ConstantLiar: !t.HasConstantLiar || t.ConstantLiar,
            PriorWeight: t.PriorWeight == 0 ? TpeOptions.Default.PriorWeight : t.PriorWeight);

    private static PrunerSettings Pruner(Wire.PrunerConfig? c)
    {
        switch (c?.KindCase)
        {
            case Wire.PrunerConfig.KindOneofCase.Percentile:
                var p = c.Percentile;
                return new PrunerSettings(PrunerKind.Percentile,
                    Percentile: p.Percentile == 0 ? 50 : p.Percentile,
                    NStartupTrials: p.HasNStartupTrials ? p.NStartupTrials : 5,
                    NWarmupSteps: p.NWarmupSteps,
                    IntervalSteps: p.IntervalSteps == 0 ? 1 : p.IntervalSteps,
                    NMinTrials: p.NMinTrials == 0 ? 1 : p.NMinTrials);
            case Wire.PrunerConfig.KindOneofCase.SuccessiveHalving:
                var sh = c.SuccessiveHalving;
                return new PrunerSettings(PrunerKind.SuccessiveHalving,
                    MinResource: sh.MinResource,
                    ReductionFactor: sh.ReductionFactor == 0 ? 4 : sh.ReductionFactor,
                    MinEarlyStoppingRate: sh.MinEarlyStoppingRate,
                    BootstrapCount: sh.BootstrapCount);
            case Wire.PrunerConfig.KindOneofCase.Pbt:
                var pbt = c.Pbt;
                return new PrunerSettings(PrunerKind.Pbt, Pbt: new PbtOptions(
                    PerturbationInterval: pbt.PerturbationInterval == 0 ? 1 : pbt.PerturbationInterval,
                    QuantileFraction: pbt.QuantileFraction == 0 ? 0.25 : pbt.QuantileFraction,
                    ResampleProbability: pbt.HasResampleProbability ? pbt.ResampleProbability : 0.25,
                    BurnIn: pbt.BurnIn,
                    PerturbationFactors: pbt.PerturbationFactors.Count > 0 ? pbt.PerturbationFactors.ToArray() : null,
                    MutableParams: pbt.MutableParams.Count > 0 ? pbt.MutableParams.ToArray() : null,
                    PopulationSize: pbt.PopulationSize));
            case Wire.PrunerConfig.KindOneofCase.Hyperband:
                var hb = c.Hyperband;
                return new PrunerSettings(PrunerKind.Hyperband,
                    MinResource: hb.MinResource == 0 ? 1 : hb.MinResource,
                    MaxResource: hb.MaxResource,
                    ReductionFactor: hb.ReductionFactor == 0 ? 3 : hb.ReductionFactor);
            default:
                return PrunerSettings.None;
        }
    }

    private static Wire.SamplerConfig SamplerToProto(SamplerSettings s)
    {
        var c = new Wire.SamplerConfig { Seed = s.Seed };
        switch (s.Kind)
        {
            case SamplerKind.Random:
                c.Random = new Wire.RandomSamplerConfig();
                break;
            case SamplerKind.Grid:
                c.Grid = new Wire.GridSamplerConfig();
                break;
            case SamplerKind.Qmc:
                c.Qmc = new Wire.QmcSamplerConfig();
                break;
            case SamplerKind.Gp:
                c.Gp = new Wire.GpSamplerConfig { NStartupTrials = (s.Gp ?? new GpOptions()).NStartupTrials };
                break;
            case SamplerKind.CmaEs:
                var cma = s.CmaEs ?? new CmaEsOptions();
                c.Cmaes = new Wire.CmaEsSamplerConfig { PopulationSize = cma.PopulationSize ?? 0, NoRestarts = !cma.Restarts, RandomForOtherParams = cma.RandomForOtherParams };
                break;
            case SamplerKind.Nsga2:
                var n = s.Nsga2 ?? new Nsga2Options();
                c.Nsga2 = new Wire.Nsga2SamplerConfig { PopulationSize = n.PopulationSize, CrossoverProb = n.CrossoverProbability, SwappingProb = n.SwappingProbability };
                if (n.MutationProbability is { } mutation)
                {
                    c.Nsga2.MutationProb = mutation;
                }

                break;
            default:
                var t = s.TpeOrDefault;
                c.Tpe = new Wire.TpeSamplerConfig
                {
                    NStartupTrials = t.NStartupTrials,
                    NEiCandidates = t.NEiCandidates,
                    Multivariate = t.Multivariate,
                    ConstantLiar = t.ConstantLiar,
                    PriorWeight = t.PriorWeight,
                };
                break;
        }

        return c;
    }

    private static Wire.PrunerConfig PrunerToProto(PrunerSettings p) => p.Kind switch
    {
        PrunerKind.Percentile => new Wire.PrunerConfig
        {
            Percentile = new Wire.PercentilePrunerConfig
            {
                Percentile = p.Percentile,
                NStartupTrials = p.NStartupTrials,
                NWarmupSteps = p.NWarmupSteps,
                IntervalSteps = p.IntervalSteps,
                NMinTrials = p.NMinTrials,
            },
        },
        PrunerKind.SuccessiveHalving => new Wire.PrunerConfig
        {
            SuccessiveHalving = new Wire.SuccessiveHalvingPrunerConfig
            {
                MinResource = p.MinResource,
                ReductionFactor = p.ReductionFactor,
                MinEarlyStoppingRate = p.MinEarlyStoppingRate,
                BootstrapCount = p.BootstrapCount,
            },
        },
        PrunerKind.Pbt => PbtToProto(p.Pbt ?? new PbtOptions()),
        PrunerKind.Hyperband => new Wire.PrunerConfig
        {
            Hyperband = new Wire.HyperbandPrunerConfig { MinResource = p.MinResource, MaxResource = p.MaxResource, ReductionFactor = p.ReductionFactor },
        },
        _ => new Wire.PrunerConfig { None = new Wire.NopPrunerConfig() },
    };

    private static Wire.PrunerConfig PbtToProto(PbtOptions o)
    {
        var pbt = new Wire.PbtConfig
        {
            PerturbationInterval = o.PerturbationInterval,
            QuantileFraction = o.QuantileFraction,
            ResampleProbability = o.ResampleProbability,
            BurnIn = o.BurnIn,
            PopulationSize = o.PopulationSize,
        };
        pbt.PerturbationFactors.AddRange(o.Factors);
        pbt.MutableParams.AddRange(o.MutableParams ?? []);
        return new Wire.PrunerConfig { Pbt = pbt };
    }
}
