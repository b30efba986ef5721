using GrpcTuner.Benchmarks.Quality;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;

namespace GrpcTuner.Benchmarks;

/// <summary>
/// Sampler quality: the median over seeds of the best value found in a fixed number of trials,
/// for TPE and random search, on test functions and the HPOBench tables. The samplers are the
/// ones the server runs, called directly: quality does not depend on the transport.
/// </summary>
internal static class QualityBenchmark
{
    private sealed record Problem(string Name, SearchSpace Space, Direction Direction, Func<IReadOnlyDictionary<string, ParamValue>, double> F);

    public static void Run(string hpobenchDir, int seeds, int trials)
    {
        var problems = new List<Problem>
        {
            new("Branin", Floats(("x1", -5, 10), ("x2", 0, 15)), Direction.Minimize, p => Problems.Branin(p["x1"].AsFloat, p["x2"].AsFloat)),
            Vector("Hartmann-6", 6, 0, 1, Problems.Hartmann6),
            Vector("Styblinski-Tang-10", 10, -5, 5, Problems.StyblinskiTang),
        };
        foreach (var file in Directory.GetFiles(hpobenchDir, "*.csv.gz").Order())
        {
            var table = HpoBenchTable.Load(file);
            var space = new SearchSpace(HpoBenchTable.Axes.Select((a, i) => new ParamSpec(a, new IntDistribution(0, HpoBenchTable.AxisLength(i) - 1))).ToList());
            problems.Add(new Problem($"HPOBench {table.Name}", space, Direction.Maximize,
                p => table.Score((int)p["alpha"].AsInt, (int)p["batch_size"].AsInt, (int)p["depth"].AsInt, (int)p["learning_rate_init"].AsInt, (int)p["width"].AsInt)));
        }

        Console.WriteLine($"| problem | direction | TPE median best | random median best | TPE better |");
        Console.WriteLine("|---|---|---|---|---|");
        var wins = 0;
        foreach (var problem in problems)
        {
            var tpe = MedianBest(problem, SamplerKind.Tpe, seeds, trials);
            var random = MedianBest(problem, SamplerKind.Random, seeds, trials);
            var better = problem.Direction == Direction.Minimize ? tpe < random : tpe > random;
            wins += better ? 1 : 0;
            Console.WriteLine($"| {problem.Name} | {problem.Direction} | {tpe:G6} | {random:G6} | {(better ? "yes" : "no")} |");
        }

        Console.WriteLine($"TPE better on {wins} of {problems.Count} problems ({seeds} seeds x {trials} trials each)");
    }

    /// <summary>CMA-ES against random search on 10-D Rosenbrock over [-5, 10]^10.</summary>
    public static void RunCmaEs(int seeds, int trials)
    {
        var rosenbrock = Vector("Rosenbrock-10", 10, -5, 10, Problems.Rosenbrock);
        var cma = MedianBest(rosenbrock, SamplerKind.CmaEs, seeds, trials);
        var random = MedianBest(rosenbrock, SamplerKind.Random, seeds, trials);
        Console.WriteLine($"Rosenbrock-10, {trials} trials, {seeds} seeds, median best: CMA-ES {cma:G6}, random {random:G6} ({(cma < random ? "CMA-ES better" : "random better")})");
    }

    /// <summary>GP-BO against TPE with few trials, where a model of the whole surface pays off.</summary>
    public static void RunGp(int seeds, int trials)
    {
        Problem[] problems =
        [
            new("Branin", Floats(("x1", -5, 10), ("x2", 0, 15)), Direction.Minimize, p => Problems.Branin(p["x1"].AsFloat, p["x2"].AsFloat)),
            Vector("Hartmann-6", 6, 0, 1, Problems.Hartmann6),
            Vector("Levy-5", 5, -10, 10, Problems.Levy),
            Vector("Rosenbrock-4", 4, -5, 10, Problems.Rosenbrock),
        ];
        Console.WriteLine("| problem | GP median best | TPE median best | GP better |");
        Console.WriteLine("|---|---|---|---|");
        var wins = 0;
        foreach (var problem in problems)
        {
            var gp = MedianBest(problem, SamplerKind.Gp, seeds, trials);
            var tpe = MedianBest(problem, SamplerKind.Tpe, seeds, trials);
            wins += gp < tpe ? 1 : 0;
            Console.WriteLine($"| {problem.Name} | {gp:G6} | {tpe:G6} | {(gp < tpe ? "yes" : "no")} |");
        }

        Console.WriteLine($"GP better on {wins} of {problems.Length} ({seeds} seeds x {trials} trials)");
    }

    private static Problem Vector(string name, int dims, double low, double high, Func<IReadOnlyList<double>, double> f) =>
        new(name, Floats(Enumerable.Range(0, dims).Select(i => ($"x{i}", low, high)).ToArray()), Direction.Minimize,
            p => f(Enumerable.Range(0, dims).Select(i => p[$"x{i}"].AsFloat).ToArray()));

    private static double MedianBest(Problem problem, SamplerKind kind, int seeds, int trials)
    {
        var bests = new double[seeds];
        Parallel.For(0, seeds, seed =>
        {
            var study = new StudyDefinition("q", problem.Space, [problem.Direction], new SamplerSettings(kind, (ulong)seed), PrunerSettings.None, 0, Trial.EmptyAttrs);
            var sampler = SamplerFactory.Create(study).Free!;
            var history = new List<Trial>(trials);
            for (var i = 0; i < trials; i++)
            {
                var ps = sampler.Sample(history, Rng.For((ulong)seed, "quality", i));
                history.Add(new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = [problem.F(ps)] });
            }

            bests[seed] = problem.Direction == Direction.Minimize ? history.Min(t => t.Values[0]) : history.Max(t => t.Values[0]);
        });
        Array.Sort(bests);
        return seeds % 2 == 1 ? bests[seeds / 2] : (bests[(seeds / 2) - 1] + bests[seeds / 2]) / 2;
    }

    private static SearchSpace Floats(params (string Name, double Low, double High)[] ps) =>
        new(ps.Select(p => new ParamSpec(p.Name, new FloatDistribution(p.Low, p.High))).ToList());
}
