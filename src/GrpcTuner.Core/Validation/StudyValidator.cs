using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Samplers;
using GrpcTuner.Core.Samplers.Qmc;

namespace GrpcTuner.Core.Validation;

/// <summary>Checks a study definition; field paths are those of CreateStudyRequest.</summary>
public static class StudyValidator
{
    public const int MaxParams = 256;
    public const int MaxObjectives = 16;
    public const int MaxRetries = 100;

    /// <summary>Choices of one categorical parameter: each Ask looks choices up, so their number bounds its cost.</summary>
    public const int MaxChoices = 10_000;

    /// <summary>Values an int or stepped float parameter can take: 2^53, so that every one is an exact double and a random index fits a long.</summary>
    public const long MaxValues = 1L << 53;

    /// <summary>CMA-ES population: its state and every generation's work grow with it.</summary>
    public const int MaxCmaEsPopulation = 1_000;

    /// <summary>NSGA-II population: non-dominated sorting is quadratic in it.</summary>
    public const int MaxNsga2Population = 10_000;

    /// <summary>PBT population: each exploit decision ranks the whole population.</summary>
    public const int MaxPopulation = 100_000;

    /// <summary>Startup trials of TPE and GP-BO.</summary>
    public const int MaxStartupTrials = 100_000;

    public static void Validate(StudyDefinition study)
    {
        var v = new Violations();
        v.Check(Names.IsValid(study.Name), "name", Names.Rule);
        ValidateSpace(study.Space, v);
        v.Check(study.Directions.Count is >= 1 and <= MaxObjectives, "directions", $"must list 1 to {MaxObjectives} directions, got {study.Directions.Count}");
        v.Check(study.MaxRetries is >= 0 and <= MaxRetries, "max_retries", $"must be in [0, {MaxRetries}], got {study.MaxRetries}");
        AttrValidator.Validate(study.UserAttrs, "user_attrs", v);
        if (!v.Any)
        {
            ValidateSampler(study, v);
            ValidatePruner(study, v);
        }

        v.ThrowIfAny();
    }

    private static void ValidateSpace(SearchSpace space, Violations v)
    {
        if (!v.Check(space.Params.Count <= MaxParams, "search_space.params", $"must have at most {MaxParams} parameters, got {space.Params.Count}"))
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < space.Params.Count; i++)
        {
            var p = space.Params[i];
            var field = $"search_space.params[{i}]";
            if (v.Check(Names.IsValid(p.Name), $"{field}.name", Names.Rule))
            {
                v.Check(seen.Add(p.Name), $"{field}.name", $"'{p.Name}' is declared twice");
            }

            ValidateDistribution(p.Distribution, field, v);
            if (p.Condition is { } c)
            {
                ValidateCondition(c, space, i, $"{field}.condition", v);
            }
        }
    }

    /// <summary>Checks one distribution (field names the message holding it); true when it is valid.</summary>
    public static bool ValidateDistribution(Distribution d, string field, Violations v)
    {
        var before = v.Count;
        CheckDistribution(d, field, v);
        return v.Count == before;
    }

    private static void CheckDistribution(Distribution d, string field, Violations v)
    {
        switch (d)
        {
            case FloatDistribution f:
                field += ".float";
                if (!v.Check(double.IsFinite(f.Low), $"{field}.low", $"must be finite, got {f.Low}")
                    | !v.Check(double.IsFinite(f.High), $"{field}.high", $"must be finite, got {f.High}"))
                {
                    return;
                }

                if (!v.Check(f.Low <= f.High, $"{field}.high", $"must be >= low ({f.Low}), got {f.High}"))
                {
                    return;
                }

                if (f.Log)
                {
                    v.Check(f.Low > 0, $"{field}.low", $"must be > 0 with log, got {f.Low}");
                    v.Check(f.Step is null, $"{field}.step", "cannot be combined with log");
                }

                if (f.Step is { } step && v.Check(double.IsFinite(step) && step > 0, $"{field}.step", $"must be finite and > 0, got {step}"))
                {
                    var k = (f.High - f.Low) / step;
                    if (v.Check(k < MaxValues, $"{field}.step", $"makes {k:G3} values; at most {MaxValues} are allowed"))
                    {
                        v.Check(Math.Abs(k - Math.Round(k)) <= 1e-8 * Math.Max(1, k), $"{field}.step",
                            $"must divide the range: high - low ({f.High - f.Low}) is not a multiple of {step}");
                    }
                }

                break;
            case IntDistribution n:
                field += ".int";
                if (!v.Check(n.Low <= n.High, $"{field}.high", $"must be >= low ({n.Low}), got {n.High}")
                    || !v.Check(n.Step >= 1, $"{field}.step", $"must be >= 1, got {n.Step}"))
                {
                    return;
                }

                // Int128: high - low of two longs can overflow a long.
                var range = (Int128)n.High - n.Low;
                if (!v.Check(range / n.Step < MaxValues, field, $"takes {(range / n.Step) + 1} values; at most {MaxValues} are allowed"))
                {
                    return;
                }

                v.Check(range % n.Step == 0, $"{field}.step", $"must divide the range: high - low ({range}) is not a multiple of {n.Step}");
                if (n.Log)
                {
                    v.Check(n.Low >= 1, $"{field}.low", $"must be >= 1 with log, got {n.Low}");
                    v.Check(n.Step == 1, $"{field}.step", "must be 1 with log");
                }

                break;
            case CategoricalDistribution c:
                field += ".categorical.choices";
                if (!v.Check(c.Choices.Count is >= 1 and <= MaxChoices, field, $"must list 1 to {MaxChoices} choices, got {c.Choices.Count}"))
                {
                    return;
                }

                // A set, not IndexOf per choice: linear in the choices, not quadratic.
                var distinct = new HashSet<ParamValue>();
                for (var i = 0; i < c.Choices.Count; i++)
                {
                    var choice = c.Choices[i];
                    v.Check(choice.Kind != ParamKind.Float || double.IsFinite(choice.AsFloat), $"{field}[{i}]", "must be finite");
                    v.Check(distinct.Add(choice), $"{field}[{i}]", $"repeats the choice {choice}");
                }

                break;
        }
    }

    private static void ValidateCondition(Condition c, SearchSpace space, int index, string field, Violations v)
    {
        var parentIndex = -1;
        for (var j = 0; j < index; j++)
        {
            if (space.Params[j].Name == c.Parent)
            {
                parentIndex = j;
            }
        }

        if (!v.Check(parentIndex >= 0, $"{field}.parent", $"'{c.Parent}' must name a parameter declared before this one"))
        {
            return;
        }

        if (!v.Check(c.Values.Count >= 1, $"{field}.values", "must list at least one value of the parent"))
        {
            return;
        }

        var parent = space.Params[parentIndex].Distribution;
        for (var i = 0; i < c.Values.Count; i++)
        {
            v.Check(parent.Contains(c.Values[i]), $"{field}.values[{i}]", $"{c.Values[i]} is not a value the parent '{c.Parent}' can take");
        }
    }

    private static void ValidateSampler(StudyDefinition study, Violations v)
    {
        var space = study.Space;
        switch (study.Sampler.Kind)
        {
            case SamplerKind.Grid:
                if (!v.Check(space.Params.Count > 0, "search_space.params", "a grid study needs at least one declared parameter: the grid is made of them")
                    || !v.Check(!space.HasConditions, "sampler.grid", "a grid cannot have conditional parameters"))
                {
                    return;
                }

                for (var i = 0; i < space.Params.Count; i++)
                {
                    v.Check(space.Params[i].Distribution is not FloatDistribution { Step: null }, $"search_space.params[{i}].float.step",
                        "the grid sampler needs a step on every float parameter");
                }

                if (!v.Any)
                {
                    v.Check(GridSampler.CountPoints(space) is not null, "sampler.grid", $"the grid has more than {GridSampler.MaxPoints} points");
                }

                break;
            case SamplerKind.Qmc:
                v.Check(space.Params.Count > 0, "search_space.params", "a QMC study needs at least one declared parameter: its sequence covers them");
                v.Check(space.Params.Count <= QmcSampler.MaxParams, "sampler.qmc", $"supports at most {QmcSampler.MaxParams} parameters, got {space.Params.Count}");
                break;
            case SamplerKind.Nsga2:
                var nsga = study.Sampler.Nsga2 ?? new Nsga2Options();
                v.Check(nsga.PopulationSize is >= 2 and <= MaxNsga2Population, "sampler.nsga2.population_size", $"must be in [2, {MaxNsga2Population}], got {nsga.PopulationSize}");
                v.Check(nsga.CrossoverProbability is >= 0 and <= 1, "sampler.nsga2.crossover_prob", $"must be in [0, 1], got {nsga.CrossoverProbability}");
                v.Check(nsga.SwappingProbability is >= 0 and <= 1, "sampler.nsga2.swapping_prob", $"must be in [0, 1], got {nsga.SwappingProbability}");
                v.Check(nsga.MutationProbability is null or (>= 0 and <= 1), "sampler.nsga2.mutation_prob", $"must be in [0, 1], got {nsga.MutationProbability}");
                break;
            case SamplerKind.Gp:
                v.Check(study.Directions.Count == 1, "sampler.gp", "GP-BO optimizes a single objective; use nsga2 for several");
                v.Check((study.Sampler.Gp?.NStartupTrials ?? 10) is >= 1 and <= MaxStartupTrials, "sampler.gp.n_startup_trials", $"must be in [1, {MaxStartupTrials}], got {study.Sampler.Gp?.NStartupTrials}");
                break;
            case SamplerKind.CmaEs:
                var cma = study.Sampler.CmaEs ?? new CmaEsOptions();
                v.Check(study.Directions.Count == 1, "sampler.cmaes", "CMA-ES optimizes a single objective; use nsga2 for several");
                v.Check(cma.PopulationSize is null or (>= 2 and <= MaxCmaEsPopulation), "sampler.cmaes.population_size", $"must be in [2, {MaxCmaEsPopulation}], got {cma.PopulationSize}");
                if (!cma.RandomForOtherParams)
                {
                    for (var i = 0; i < space.Params.Count; i++)
                    {
                        v.Check(space.Params[i].Distribution is not CategoricalDistribution && space.Params[i].Condition is null, $"search_space.params[{i}]",
                            $"CMA-ES handles unconditional float and int parameters; set sampler.cmaes.random_for_other_params to draw '{space.Params[i].Name}' at random");
                    }
                }

                break;
            case SamplerKind.Tpe:
                var tpe = study.Sampler.TpeOrDefault;
                v.Check(tpe.NStartupTrials is >= 0 and <= MaxStartupTrials, "sampler.tpe.n_startup_trials", $"must be in [0, {MaxStartupTrials}], got {tpe.NStartupTrials}");
                v.Check(tpe.NEiCandidates is >= 1 and <= 10000, "sampler.tpe.n_ei_candidates", $"must be in [1, 10000], got {tpe.NEiCandidates}");
                v.Check(double.IsFinite(tpe.PriorWeight) && tpe.PriorWeight > 0, "sampler.tpe.prior_weight", $"must be finite and > 0, got {tpe.PriorWeight}");
                break;
        }
    }

    private static void ValidatePruner(StudyDefinition study, Violations v)
    {
        var p = study.Pruner;
        if (p.Kind == PrunerKind.None)
        {
            return;
        }

        v.Check(study.Directions.Count == 1, "pruner", "pruning needs a single objective");
        if (p.Kind == PrunerKind.Percentile)
        {
            const string f = "pruner.percentile";
            v.Check(p.Percentile is >= 0 and <= 100, $"{f}.percentile", $"must be in [0, 100], got {p.Percentile}");
            v.Check(p.NStartupTrials >= 0, $"{f}.n_startup_trials", $"must be >= 0, got {p.NStartupTrials}");
            v.Check(p.NWarmupSteps >= 0, $"{f}.n_warmup_steps", $"must be >= 0, got {p.NWarmupSteps}");
            v.Check(p.IntervalSteps >= 1, $"{f}.interval_steps", $"must be >= 1, got {p.IntervalSteps}");
            v.Check(p.NMinTrials >= 1, $"{f}.n_min_trials", $"must be >= 1, got {p.NMinTrials}");
        }
        else if (p.Kind == PrunerKind.Pbt)
        {
            const string f = "pruner.pbt";
            var o = p.Pbt ?? new PbtOptions();
            v.Check(o.PerturbationInterval >= 1, $"{f}.perturbation_interval", $"must be >= 1, got {o.PerturbationInterval}");
            v.Check(o.QuantileFraction is > 0 and <= 0.5, $"{f}.quantile_fraction", $"must be in (0, 0.5], got {o.QuantileFraction}");
            v.Check(o.ResampleProbability is >= 0 and <= 1, $"{f}.resample_probability", $"must be in [0, 1], got {o.ResampleProbability}");
            v.Check(o.BurnIn >= 0, $"{f}.burn_in", $"must be >= 0, got {o.BurnIn}");
            v.Check(o.PopulationSize is >= 0 and <= MaxPopulation, $"{f}.population_size", $"must be in [0, {MaxPopulation}] (0: no limit), got {o.PopulationSize}");
            v.Check(o.Factors.All(x => double.IsFinite(x) && x > 0), $"{f}.perturbation_factors", "must all be finite and > 0");
            var mutable = o.MutableParams ?? [];
            for (var i = 0; i < mutable.Count; i++)
            {
                v.Check(study.Space.Find(mutable[i]) is not null, $"{f}.mutable_params[{i}]", $"'{mutable[i]}' is not a parameter of the search space");
            }
        }
        else if (p.Kind == PrunerKind.Hyperband)
        {
            const string f = "pruner.hyperband";
            v.Check(p.MinResource >= 1, $"{f}.min_resource", $"must be >= 1, got {p.MinResource}");
            v.Check(p.MaxResource == 0 || p.MaxResource > p.MinResource, $"{f}.max_resource", $"must be 0 (auto) or > min_resource ({p.MinResource}), got {p.MaxResource}");
            v.Check(p.ReductionFactor >= 2, $"{f}.reduction_factor", $"must be >= 2, got {p.ReductionFactor}");
        }
        else
        {
            const string f = "pruner.successive_halving";
            v.Check(p.MinResource >= 0, $"{f}.min_resource", $"must be >= 0, got {p.MinResource}");
            v.Check(p.ReductionFactor >= 2, $"{f}.reduction_factor", $"must be >= 2, got {p.ReductionFactor}");
            v.Check(p.MinEarlyStoppingRate >= 0, $"{f}.min_early_stopping_rate", $"must be >= 0, got {p.MinEarlyStoppingRate}");
            v.Check(p.BootstrapCount >= 0, $"{f}.bootstrap_count", $"must be >= 0, got {p.BootstrapCount}");
        }
    }
}
