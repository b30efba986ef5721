using GrpcTuner.Core.Domain;

namespace GrpcTuner.Benchmarks.Quality;

/// <summary>A problem of the quality benchmarks: its search space, direction and objective (noise-free).</summary>
internal sealed record QualityProblem(string Name, SearchSpace Space, Direction Direction, Func<IReadOnlyDictionary<string, ParamValue>, double> F)
{
    public bool Better(double a, double b) => Direction == Direction.Minimize ? a < b : a > b;
}

/// <summary>
/// The problems samplers are compared on: five synthetic functions, three with categorical or
/// conditional structure, and the eight HPOBench MLP tables.
/// </summary>
internal static class QualityProblems
{
    public static QualityProblem Branin { get; } = new("Branin", Floats(("x1", -5, 10), ("x2", 0, 15)), Direction.Minimize, p => Problems.Branin(p["x1"].AsFloat, p["x2"].AsFloat));

    public static QualityProblem Hartmann6 { get; } = Vector("Hartmann-6", 6, 0, 1, Problems.Hartmann6);

    public static QualityProblem StyblinskiTang10 { get; } = Vector("Styblinski-Tang-10", 10, -5, 5, Problems.StyblinskiTang);

    public static QualityProblem Rosenbrock4 { get; } = Vector("Rosenbrock-4", 4, -5, 10, Problems.Rosenbrock);

    public static QualityProblem Levy5 { get; } = Vector("Levy-5", 5, -10, 10, Problems.Levy);

    /// <summary>Six categorical parameters of five choices (15,625 configurations); each choice has its own cost and neighbouring parameters interact.</summary>
    public static QualityProblem Categorical6x5 { get; } = CategoricalProblem();

    /// <summary>Model selection: three branches, each with parameters of its own (floats, log floats, ints, a categorical), the best in one branch.</summary>
    public static QualityProblem ModelSelection { get; } = ModelSelectionProblem();

    /// <summary>Branin whose inputs a categorical shifts and penalises: categorical and continuous parameters that matter together.</summary>
    public static QualityProblem ShiftedBranin { get; } = ShiftedBraninProblem();

    /// <summary>Two training-loop branches (SGD with momentum, Adam), each with parameters of its own, the best in the branch that is harder to tune.</summary>
    public static QualityProblem OptimizerBranches { get; } = OptimizerBranchesProblem();

    /// <summary>The problems with branches, on which define-by-run is compared.</summary>
    public static List<QualityProblem> Conditional { get; } = [ModelSelection, OptimizerBranches];

    public static List<QualityProblem> All(string hpobenchDir)
    {
        var problems = new List<QualityProblem> { Branin, Hartmann6, StyblinskiTang10, Rosenbrock4, Levy5, Categorical6x5, ModelSelection, ShiftedBranin };
        foreach (var file in Directory.GetFiles(hpobenchDir, "*.csv.gz").Order())
        {
            problems.Add(HpoBench(HpoBenchTable.Load(file)));
        }

        return problems;
    }

    public static QualityProblem HpoBench(HpoBenchTable table)
    {
        var space = new SearchSpace(HpoBenchTable.Axes.Select((a, i) => new ParamSpec(a, new IntDistribution(0, HpoBenchTable.AxisLength(i) - 1))).ToList());
        return new QualityProblem($"HPOBench {table.Name}", space, Direction.Maximize,
            p => table.Score((int)p["alpha"].AsInt, (int)p["batch_size"].AsInt, (int)p["depth"].AsInt, (int)p["learning_rate_init"].AsInt, (int)p["width"].AsInt));
    }

    public static QualityProblem Vector(string name, int dims, double low, double high, Func<IReadOnlyList<double>, double> f) =>
        new(name, Floats(Enumerable.Range(0, dims).Select(i => ($"x{i}", low, high)).ToArray()), Direction.Minimize,
            p => f(Enumerable.Range(0, dims).Select(i => p[$"x{i}"].AsFloat).ToArray()));

    private static QualityProblem CategoricalProblem()
    {
        const int parameters = 6, choices = 5;
        // Fixed pseudo-random costs: the same table in every run and for every tuner.
        var rng = new Random(20261201);
        var cost = Enumerable.Range(0, parameters).Select(_ => Enumerable.Range(0, choices).Select(_ => rng.NextDouble()).ToArray()).ToArray();
        var pair = Enumerable.Range(0, parameters - 1).Select(_ => Enumerable.Range(0, choices * choices).Select(_ => rng.NextDouble()).ToArray()).ToArray();
        var names = Enumerable.Range(0, choices).Select(c => ParamValue.Of($"c{c}")).ToList();
        var space = new SearchSpace(Enumerable.Range(0, parameters).Select(i => new ParamSpec($"p{i}", new CategoricalDistribution(names))).ToList());
        return new QualityProblem("Categorical 6x5", space, Direction.Minimize, p =>
        {
            var x = Enumerable.Range(0, parameters).Select(i => names.IndexOf(p[$"p{i}"])).ToArray();
            return Enumerable.Range(0, parameters).Sum(i => cost[i][x[i]]) + Enumerable.Range(0, parameters - 1).Sum(i => 0.6 * pair[i][(x[i] * choices) + x[i + 1]]);
        });
    }

    private static QualityProblem ModelSelectionProblem()
    {
        ParamValue S(string s) => ParamValue.Of(s);
        Condition When(string model) => new("model", [S(model)]);
        var widths = new[] { 32L, 64, 128, 256, 512 }.Select(ParamValue.Of).ToList();
        var space = new SearchSpace(
        [
            new ParamSpec("model", new CategoricalDistribution([S("linear"), S("tree"), S("net")])),
            new ParamSpec("c", new FloatDistribution(1e-4, 1e2, Log: true), When("linear")),
            new ParamSpec("l1_ratio", new FloatDistribution(0, 1), When("linear")),
            new ParamSpec("depth", new IntDistribution(1, 30), When("tree")),
            new ParamSpec("min_leaf", new IntDistribution(1, 100, Log: true), When("tree")),
            new ParamSpec("lr", new FloatDistribution(1e-5, 1e-1, Log: true), When("net")),
            new ParamSpec("layers", new IntDistribution(1, 6), When("net")),
            new ParamSpec("width", new CategoricalDistribution(widths), When("net")),
            new ParamSpec("dropout", new FloatDistribution(0, 0.6), When("net")),
        ]);
        return new QualityProblem("Model selection (conditional)", space, Direction.Minimize, p => p["model"].AsString switch
        {
            "linear" => 0.30 + (0.02 * Math.Pow(Math.Log10(p["c"].AsFloat) - 0.5, 2)) + (0.05 * Math.Pow(p["l1_ratio"].AsFloat - 0.3, 2)),
            "tree" => 0.24 + (0.01 * Math.Pow((p["depth"].AsInt - 12) / 4.0, 2)) + (0.02 * Math.Pow(Math.Log(p["min_leaf"].AsInt / 6.0), 2)),
            _ => 0.18 + (0.03 * Math.Pow(Math.Log10(p["lr"].AsFloat) + 3.2, 2)) + (0.01 * Math.Pow(p["layers"].AsInt - 3, 2))
                + (0.02 * Math.Abs(Math.Log2(p["width"].AsInt / 128.0))) + (0.08 * Math.Pow(p["dropout"].AsFloat - 0.2, 2)),
        });
    }

    private static QualityProblem OptimizerBranchesProblem()
    {
        Condition When(string optimizer) => new("optimizer", [ParamValue.Of(optimizer)]);
        var space = new SearchSpace(
        [
            new ParamSpec("optimizer", new CategoricalDistribution([ParamValue.Of("sgd"), ParamValue.Of("adam")])),
            new ParamSpec("sgd_lr", new FloatDistribution(1e-4, 1, Log: true), When("sgd")),
            new ParamSpec("momentum", new FloatDistribution(0, 0.99), When("sgd")),
            new ParamSpec("nesterov", new CategoricalDistribution([ParamValue.Of(true), ParamValue.Of(false)]), When("sgd")),
            new ParamSpec("adam_lr", new FloatDistribution(1e-5, 1e-1, Log: true), When("adam")),
            new ParamSpec("beta1", new FloatDistribution(0.5, 0.999), When("adam")),
            new ParamSpec("weight_decay", new FloatDistribution(1e-6, 1e-1, Log: true), When("adam")),
            new ParamSpec("batch_size", new IntDistribution(16, 256, Step: 16)),
        ]);
        return new QualityProblem("Optimizer branches (conditional)", space, Direction.Minimize, p =>
        {
            var batch = 0.02 * Math.Pow(Math.Log2(p["batch_size"].AsInt / 64.0), 2);
            return batch + (p["optimizer"].AsString == "sgd"
                ? 0.20 + (0.05 * Math.Pow(Math.Log10(p["sgd_lr"].AsFloat) + 1.3, 2)) + (0.3 * Math.Pow(p["momentum"].AsFloat - 0.9, 2)) + (p["nesterov"].AsBool ? 0 : 0.01)
                : 0.22 + (0.04 * Math.Pow(Math.Log10(p["adam_lr"].AsFloat) + 3.3, 2)) + (0.2 * Math.Pow(p["beta1"].AsFloat - 0.9, 2))
                    + (0.005 * Math.Pow(Math.Log10(p["weight_decay"].AsFloat) + 4, 2)));
        });
    }

    private static QualityProblem ShiftedBraninProblem()
    {
        var shifts = new (string Name, double Dx, double Dy, double Penalty)[] { ("a", 0, 0, 0.6), ("b", 2.5, -1.5, 0.0), ("c", -3, 4, 0.3), ("d", 1, 6, 0.9) };
        var space = new SearchSpace(
        [
            new ParamSpec("shift", new CategoricalDistribution(shifts.Select(s => ParamValue.Of(s.Name)).ToList())),
            new ParamSpec("x1", new FloatDistribution(-5, 10)),
            new ParamSpec("x2", new FloatDistribution(0, 15)),
        ]);
        return new QualityProblem("Shifted Branin (categorical)", space, Direction.Minimize, p =>
        {
            var s = shifts.Single(x => x.Name == p["shift"].AsString);
            return Problems.Branin(Math.Clamp(p["x1"].AsFloat - s.Dx, -5, 10), Math.Clamp(p["x2"].AsFloat - s.Dy, 0, 15)) + s.Penalty;
        });
    }

    private static SearchSpace Floats(params (string Name, double Low, double High)[] ps) =>
        new(ps.Select(p => new ParamSpec(p.Name, new FloatDistribution(p.Low, p.High))).ToList());
}
