using System.Globalization;
using GrpcTuner.V1;
using YamlDotNet.RepresentationModel;

namespace GrpcTuner.Cli.Specs;

/// <summary>
/// Reads a study spec (YAML, or JSON, which is YAML too) into a CreateStudyRequest. The server
/// checks the values; this only checks the shape, naming the key that is wrong.
/// <code>
/// name: branin
/// directions: [minimize]
/// sampler: {type: tpe, seed: 42, n_startup_trials: 10, multivariate: true}   # or random / grid / qmc / gp / nsga2 / cmaes
/// pruner: {type: median}            # or percentile / asha / hyperband / pbt / none
/// max_retries: 1
/// params:
///   - {name: x, type: float, low: -5, high: 10, log: false, step: 0.5}
///   - {name: opt, type: categorical, choices: [adam, sgd]}
///   - {name: momentum, type: float, low: 0, high: 1, parent: opt, when: [sgd]}
/// stages:                           # optional: studies run one after another by grpctuner run
///   - {name: seeds, trials: 16}     # the spec as it is, as study NAME-seeds
///   - {name: pbt, from_best: 4, pruner: {type: pbt}, params: [{name: num_epochs, type: int, low: 6, high: 6}]}
/// </code>
/// A stage may replace the sampler, the pruner and parameters (by name); <c>from_best: k</c> starts
/// it from the k best trials of the stage before, params and checkpoints (see WarmStart).
/// </summary>
public static class StudySpec
{
    public static CreateStudyRequest Load(string path) => Parse(Read(path), path);

    /// <summary>The studies a spec runs: its stages, or the spec itself as the one stage.</summary>
    public static IReadOnlyList<Stage> LoadStages(string path) => ParseStages(Read(path), path);

    public static CreateStudyRequest Parse(string text, string source = "spec")
    {
        var root = Root(text, source);
        if (root.OptionalList("stages") is not null)
        {
            throw new SpecException($"{source}.stages: a spec with stages runs several studies, with 'grpctuner run'");
        }

        return Request(root);
    }

    public static IReadOnlyList<Stage> ParseStages(string text, string source = "spec")
    {
        var root = Root(text, source);
        var request = Request(root);
        if (root.OptionalList("stages") is not { } stages)
        {
            return [new Stage(request, null, 0)];
        }

        var result = new List<Stage>();
        foreach (var s in stages)
        {
            s.Only("name", "trials", "from_best", "sampler", "pruner", "params");
            var stage = request.Clone();
            stage.Name = $"{request.Name}-{s.String("name")}";
            if (s.OptionalMap("sampler") is { } sampler)
            {
                stage.Sampler = Sampler(sampler);
            }

            if (s.OptionalMap("pruner") is { } pruner)
            {
                stage.Pruner = Pruner(pruner);
            }

            foreach (var p in s.OptionalList("params") ?? [])
            {
                var spec = Param(p);
                var at = stage.SearchSpace.Params.ToList().FindIndex(q => q.Name == spec.Name);
                if (at < 0)
                {
                    stage.SearchSpace.Params.Add(spec);
                }
                else
                {
                    stage.SearchSpace.Params[at] = spec;
                }
            }

            var fromBest = (int)(s.OptionalLong("from_best") ?? 0);
            if (fromBest < 0 || (fromBest > 0 && result.Count == 0))
            {
                throw new SpecException($"{s.Path}.from_best: {(fromBest < 0 ? "must be >= 1" : "the first stage has no stage before it")}");
            }

            // The promoted trials are the population, unless the stage says otherwise.
            if (fromBest > 0 && stage.Pruner.Pbt is { PopulationSize: 0 } pbt)
            {
                pbt.PopulationSize = fromBest;
            }

            var trials = s.OptionalLong("trials");
            if (trials is < 1)
            {
                throw new SpecException($"{s.Path}.trials: must be >= 1");
            }

            result.Add(new Stage(stage, (int?)trials, fromBest));
        }

        return result.Count > 0 ? result : throw new SpecException($"{source}.stages: lists no stage");
    }

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : throw new SpecException($"{path}: no such file");

    private static Node Root(string text, string source)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new SpecException($"{source}: not valid YAML or JSON at line {e.Start.Line}: {e.Message}");
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SpecException($"{source}: expected a mapping with name, directions and params");
        }

        return new Node(root, source);
    }

    private static CreateStudyRequest Request(Node node)
    {
        node.Only("name", "directions", "sampler", "pruner", "max_retries", "user_attrs", "params", "stages");
        var request = new CreateStudyRequest
        {
            Name = node.String("name"),
            MaxRetries = (int)(node.OptionalLong("max_retries") ?? 0),
            SearchSpace = new SearchSpace(),
            Sampler = Sampler(node.OptionalMap("sampler")),
            Pruner = Pruner(node.OptionalMap("pruner")),
        };
        foreach (var d in node.List("directions"))
        {
            request.Directions.Add(d.Scalar() switch
            {
                "minimize" => Direction.Minimize,
                "maximize" => Direction.Maximize,
                var other => throw new SpecException($"{d.Path}: '{other}' is not minimize or maximize"),
            });
        }

        if (node.OptionalMap("user_attrs") is { } attrs)
        {
            foreach (var (key, value) in attrs.Entries())
            {
                request.UserAttrs[key] = value.Scalar();
            }
        }

        foreach (var p in node.List("params"))
        {
            request.SearchSpace.Params.Add(Param(p));
        }

        return request;
    }

    private static ParamSpec Param(Node p)
    {
        var spec = new ParamSpec { Name = p.String("name") };
        switch (p.String("type"))
        {
            case "float":
                p.Only("name", "type", "low", "high", "log", "step", "parent", "when");
                spec.Float = new FloatDistribution { Low = p.Double("low"), High = p.Double("high"), Log = p.OptionalBool("log") ?? false };
                if (p.OptionalDouble("step") is { } step)
                {
                    spec.Float.Step = step;
                }

                break;
            case "int":
                p.Only("name", "type", "low", "high", "log", "step", "parent", "when");
                spec.Int = new IntDistribution { Low = p.Long("low"), High = p.Long("high"), Log = p.OptionalBool("log") ?? false, Step = p.OptionalLong("step") ?? 1 };
                break;
            case "categorical":
                p.Only("name", "type", "choices", "parent", "when");
                spec.Categorical = new CategoricalDistribution();
                spec.Categorical.Choices.AddRange(p.List("choices").Select(c => c.Value()));
                break;
            default:
                throw new SpecException($"{p.Path}.type: must be float, int or categorical");
        }

        if (p.OptionalString("parent") is { } parent)
        {
            spec.Condition = new Condition { Parent = parent };
            spec.Condition.Values.AddRange(p.List("when").Select(c => c.Value()));
        }

        return spec;
    }

    private static SamplerConfig Sampler(Node? s)
    {
        var config = new SamplerConfig();
        if (s is null)
        {
            config.Tpe = new TpeSamplerConfig();
            return config;
        }

        if (s.OptionalLong("seed") is { } seed)
        {
            config.Seed = (ulong)seed;
        }

        switch (s.OptionalString("type") ?? "tpe")
        {
            case "random":
                s.Only("type", "seed");
                config.Random = new RandomSamplerConfig();
                break;
            case "grid":
                s.Only("type", "seed");
                config.Grid = new GridSamplerConfig();
                break;
            case "qmc":
                s.Only("type", "seed");
                config.Qmc = new QmcSamplerConfig();
                break;
            case "tpe":
                s.Only("type", "seed", "n_startup_trials", "n_ei_candidates", "multivariate", "constant_liar", "prior_weight");
                config.Tpe = new TpeSamplerConfig
                {
                    NStartupTrials = (int)(s.OptionalLong("n_startup_trials") ?? 0),
                    NEiCandidates = (int)(s.OptionalLong("n_ei_candidates") ?? 0),
                    Multivariate = s.OptionalBool("multivariate") ?? false,
                    PriorWeight = s.OptionalDouble("prior_weight") ?? 0,
                };
                if (s.OptionalBool("constant_liar") is { } liar)
                {
                    config.Tpe.ConstantLiar = liar;
                }

                break;
            case "gp":
                s.Only("type", "seed", "n_startup_trials");
                config.Gp = new GpSamplerConfig { NStartupTrials = (int)(s.OptionalLong("n_startup_trials") ?? 0) };
                break;
            case "cmaes":
                s.Only("type", "seed", "population_size", "restarts", "random_for_other_params");
                config.Cmaes = new CmaEsSamplerConfig
                {
                    PopulationSize = (int)(s.OptionalLong("population_size") ?? 0),
                    NoRestarts = s.OptionalBool("restarts") == false,
                    RandomForOtherParams = s.OptionalBool("random_for_other_params") ?? false,
                };
                break;
            case "nsga2":
                s.Only("type", "seed", "population_size", "crossover_prob", "swapping_prob", "mutation_prob");
                config.Nsga2 = new Nsga2SamplerConfig { PopulationSize = (int)(s.OptionalLong("population_size") ?? 0) };
                if (s.OptionalDouble("crossover_prob") is { } crossover)
                {
                    config.Nsga2.CrossoverProb = crossover;
                }

                if (s.OptionalDouble("swapping_prob") is { } swapping)
                {
                    config.Nsga2.SwappingProb = swapping;
                }

                if (s.OptionalDouble("mutation_prob") is { } mutation)
                {
                    config.Nsga2.MutationProb = mutation;
                }

                break;
            default:
                throw new SpecException($"{s.Path}.type: must be random, grid, qmc, tpe, gp, nsga2 or cmaes");
        }

        return config;
    }

    private static PrunerConfig Pruner(Node? p)
    {
        var config = new PrunerConfig();
        switch (p?.OptionalString("type") ?? "none")
        {
            case "none":
                config.None = new NopPrunerConfig();
                break;
            case "median" or "percentile":
                p!.Only("type", "percentile", "n_startup_trials", "n_warmup_steps", "interval_steps", "n_min_trials");
                config.Percentile = new PercentilePrunerConfig
                {
                    Percentile = p.OptionalDouble("percentile") ?? 50,
                    NWarmupSteps = (int)(p.OptionalLong("n_warmup_steps") ?? 0),
                    IntervalSteps = (int)(p.OptionalLong("interval_steps") ?? 0),
                    NMinTrials = (int)(p.OptionalLong("n_min_trials") ?? 0),
                };
                if (p.OptionalLong("n_startup_trials") is { } startup)
                {
                    config.Percentile.NStartupTrials = (int)startup;
                }

                break;
            case "asha" or "successive_halving":
                p!.Only("type", "min_resource", "reduction_factor", "min_early_stopping_rate", "bootstrap_count");
                config.SuccessiveHalving = new SuccessiveHalvingPrunerConfig
                {
                    MinResource = p.OptionalLong("min_resource") ?? 0,
                    ReductionFactor = (int)(p.OptionalLong("reduction_factor") ?? 0),
                    MinEarlyStoppingRate = (int)(p.OptionalLong("min_early_stopping_rate") ?? 0),
                    BootstrapCount = (int)(p.OptionalLong("bootstrap_count") ?? 0),
                };
                break;
            case "pbt":
                p!.Only("type", "perturbation_interval", "quantile_fraction", "resample_probability", "burn_in", "perturbation_factors", "mutable_params", "population_size");
                config.Pbt = new PbtConfig
                {
                    PerturbationInterval = p.OptionalLong("perturbation_interval") ?? 0,
                    QuantileFraction = p.OptionalDouble("quantile_fraction") ?? 0,
                    BurnIn = p.OptionalLong("burn_in") ?? 0,
                    PopulationSize = (int)(p.OptionalLong("population_size") ?? 0),
                };
                if (p.OptionalDouble("resample_probability") is { } resample)
                {
                    config.Pbt.ResampleProbability = resample;
                }

                if (p.OptionalList("perturbation_factors") is { } factors)
                {
                    config.Pbt.PerturbationFactors.AddRange(factors.Select(f => double.Parse(f.Scalar(), CultureInfo.InvariantCulture)));
                }

                if (p.OptionalList("mutable_params") is { } mutable)
                {
                    config.Pbt.MutableParams.AddRange(mutable.Select(m => m.Scalar()));
                }

                break;
            case "hyperband":
                p!.Only("type", "min_resource", "max_resource", "reduction_factor");
                config.Hyperband = new HyperbandPrunerConfig
                {
                    MinResource = p.OptionalLong("min_resource") ?? 0,
                    MaxResource = p.OptionalLong("max_resource") ?? 0,
                    ReductionFactor = (int)(p.OptionalLong("reduction_factor") ?? 0),
                };
                break;
            default:
                throw new SpecException($"{p!.Path}.type: must be none, median, percentile, asha, hyperband or pbt");
        }

        return config;
    }

    /// <summary>A YAML node with its path in the file, for error messages.</summary>
    private sealed class Node(YamlNode node, string path)
    {
        public string Path { get; } = path;

        private YamlNode Yaml { get; } = node;


        public void Only(params string[] keys)
        {
            foreach (var (key, _) in Entries())
            {
                if (!keys.Contains(key))
                {
                    throw new SpecException($"{Path}: unknown key '{key}'; expected one of {string.Join(", ", keys)}");
                }
            }
        }

        public IEnumerable<(string Key, Node Value)> Entries() =>
            Map().Children.Select(kv => (((YamlScalarNode)kv.Key).Value!, new Node(kv.Value, $"{Path}.{((YamlScalarNode)kv.Key).Value}")));

        public string Scalar() => Yaml is YamlScalarNode { Value: { } v } ? v : throw new SpecException($"{Path}: expected a single value");

        /// <summary>A typed parameter value: quoted or non-numeric text is a string.</summary>
        public ParamValue Value()
        {
            var s = (YamlScalarNode)Yaml;
            var text = Scalar();
            if (s.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted)
            {
                return new ParamValue { StringValue = text };
            }

            if (text is "true" or "false")
            {
                return new ParamValue { BoolValue = text == "true" };
            }

            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
            {
                return new ParamValue { IntValue = l };
            }

            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? new ParamValue { FloatValue = d }
                : new ParamValue { StringValue = text };
        }

        public string String(string key) => OptionalString(key) ?? throw new SpecException($"{Path}.{key}: is required");

        public string? OptionalString(string key) => Child(key)?.Scalar();

        public double Double(string key) => OptionalDouble(key) ?? throw new SpecException($"{Path}.{key}: is required");

        public double? OptionalDouble(string key) => Child(key) is { } c
            ? double.TryParse(c.Scalar(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new SpecException($"{c.Path}: '{c.Scalar()}' is not a number")
            : null;

        public long Long(string key) => OptionalLong(key) ?? throw new SpecException($"{Path}.{key}: is required");

        public long? OptionalLong(string key) => Child(key) is { } c
            ? long.TryParse(c.Scalar(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : throw new SpecException($"{c.Path}: '{c.Scalar()}' is not an integer")
            : null;

        public bool? OptionalBool(string key) => Child(key) is { } c
            ? bool.TryParse(c.Scalar(), out var b) ? b : throw new SpecException($"{c.Path}: '{c.Scalar()}' is not true or false")
            : null;

        public Node? OptionalMap(string key) => Child(key) is { } c ? (c.Yaml is YamlMappingNode ? c : throw new SpecException($"{c.Path}: expected a mapping")) : null;

        public List<Node>? OptionalList(string key) => Child(key) is null ? null : List(key);

        public List<Node> List(string key)
        {
            var c = Child(key) ?? throw new SpecException($"{Path}.{key}: is required");
            return c.Yaml is YamlSequenceNode seq
                ? seq.Children.Select((n, i) => new Node(n, $"{c.Path}[{i}]")).ToList()
                : throw new SpecException($"{c.Path}: expected a list");
        }

        private YamlMappingNode Map() => Yaml as YamlMappingNode ?? throw new SpecException($"{Path}: expected a mapping");

        private Node? Child(string key) =>
            Map().Children.TryGetValue(new YamlScalarNode(key), out var child) ? new Node(child, $"{Path}.{key}") : null;
    }
}
