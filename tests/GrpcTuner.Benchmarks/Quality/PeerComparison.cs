using System.Globalization;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;

namespace GrpcTuner.Benchmarks.Quality;

/// <summary>
/// Our samplers beside Debian's Optuna 3.1 on the same problems, budgets and seeds, in one run:
/// per problem the median and interquartile range of the best value found, a Mann-Whitney
/// p-value, and the verdict (better, equal or worse by median); then the counts, and the share of
/// suggestions that repeat an earlier trial on a finite space.
/// </summary>
internal static class PeerComparison
{
    /// <summary>One comparison; <c>DefineByRun</c> runs ours through the server's define-by-run path, on the conditional problems.</summary>
    private sealed record Pairing(string Title, Func<ulong, SamplerSettings> Ours, string Peer, int Trials, bool DefineByRun = false);

    /// <summary>Where Optuna's runs are kept between runs while our side is being worked on (--peer-cache); null runs Optuna every time, as a reported run does.</summary>
    private static string? _cache;

    public static void Run(string hpobenchDir, int seeds, int trials, string? only, string? cache, string? problemFilter)
    {
        _cache = cache;
        var problems = QualityProblems.All(hpobenchDir).Where(p => problemFilter is null || p.Name.Contains(problemFilter, StringComparison.OrdinalIgnoreCase)).ToList();
        var pairings = new List<Pairing>
        {
            new("TPE (defaults) vs Optuna 3.1 TPESampler (defaults)", s => new SamplerSettings(SamplerKind.Tpe, s), "tpe", trials),
            new("multivariate TPE vs Optuna 3.1 TPESampler(multivariate=True)", s => new SamplerSettings(SamplerKind.Tpe, s, Tpe: TpeOptions.Default with { Multivariate = true }), "tpe-multivariate", trials),
            new("GP-BO vs Optuna 3.1 TPESampler (defaults), 50 trials", s => new SamplerSettings(SamplerKind.Gp, s), "tpe", 50),
            new("define-by-run: TPE (defaults) over gRPC, suggesting as the objective runs, vs Optuna 3.1 TPESampler (defaults), conditional problems",
                s => new SamplerSettings(SamplerKind.Tpe, s), "tpe", trials, DefineByRun: true),
        };
        foreach (var pairing in pairings.Where(p => only is null || p.Peer == only || p.Title.StartsWith(only, StringComparison.OrdinalIgnoreCase)))
        {
            Compare(pairing, problems, seeds);
        }

        RepeatRates(QualityProblems.Categorical6x5, seeds, trials);
    }

    private static void Compare(Pairing pairing, List<QualityProblem> problems, int seeds)
    {
        Console.WriteLine($"\n{pairing.Title}: {seeds} seeds x {pairing.Trials} trials, median best [interquartile range]");
        Console.WriteLine("| problem | ours | Optuna | p (Mann-Whitney) | ours is |");
        Console.WriteLine("|---|---|---|---|---|");
        var (better, equal, worse, significantlyWorse, significantlyBetter) = (0, 0, 0, 0, 0);
        foreach (var problem in pairing.DefineByRun ? QualityProblems.Conditional : problems)
        {
            var runs = pairing.DefineByRun ? DefineByRunRuns.Run(problem, pairing.Ours, seeds, pairing.Trials) : Ours(problem, pairing.Ours, seeds, pairing.Trials);
            var ours = runs.Select(h => Best(problem, h)).ToList();
            var theirs = Peer(problem, pairing.Peer, seeds, pairing.Trials).Select(h => Best(problem, h)).ToList();
            var (m1, m2) = (Median(ours), Median(theirs));
            var p = MannWhitney.PValue(ours, theirs);
            var verdict = Math.Abs(m1 - m2) <= 1e-12 * Math.Max(1, Math.Abs(m2)) ? "equal" : problem.Better(m1, m2) ? "better" : "worse";
            (better, equal, worse) = verdict switch { "better" => (better + 1, equal, worse), "equal" => (better, equal + 1, worse), _ => (better, equal, worse + 1) };
            var significant = p < 0.05;
            significantlyBetter += significant && verdict == "better" ? 1 : 0;
            significantlyWorse += significant && verdict == "worse" ? 1 : 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {problem.Name} | {m1:G5} [{Quantile(ours, 0.25):G4}, {Quantile(ours, 0.75):G4}] | {m2:G5} [{Quantile(theirs, 0.25):G4}, {Quantile(theirs, 0.75):G4}] | {p:F3} | {verdict}{(significant ? " (p < 0.05)" : "")} |"));
        }

        var count = better + equal + worse;
        Console.WriteLine($"ours better on {better}, equal on {equal}, worse on {worse} of {count} (better or equal: {100.0 * (better + equal) / count:F0}%); significantly better on {significantlyBetter}, significantly worse on {significantlyWorse}");
    }

    /// <summary>How many suggestions repeat an earlier trial's configuration, on a space of 15,625.</summary>
    private static void RepeatRates(QualityProblem problem, int seeds, int trials)
    {
        static double Rate(List<List<(IReadOnlyDictionary<string, ParamValue> Params, double Value)>> runs) =>
            runs.Average(h => h.Select((t, i) => h.Take(i).Any(e => e.Params.Count == t.Params.Count && e.Params.All(kv => t.Params[kv.Key] == kv.Value))).Count(x => x) / (double)h.Count);
        Console.WriteLine($"\nRepeated suggestions on {problem.Name}, {seeds} seeds x {trials} trials (share of trials whose configuration an earlier trial already had):");
        Console.WriteLine("| sampler | ours | Optuna 3.1 |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| TPE | {Rate(Ours(problem, s => new SamplerSettings(SamplerKind.Tpe, s), seeds, trials)):P1} | {Rate(Peer(problem, "tpe", seeds, trials)):P1} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| multivariate TPE | {Rate(Ours(problem, s => new SamplerSettings(SamplerKind.Tpe, s, Tpe: TpeOptions.Default with { Multivariate = true }), seeds, trials)):P1} | {Rate(Peer(problem, "tpe-multivariate", seeds, trials)):P1} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| GP-BO | {Rate(Ours(problem, s => new SamplerSettings(SamplerKind.Gp, s), seeds, trials)):P1} | |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| random | {Rate(Ours(problem, s => new SamplerSettings(SamplerKind.Random, s), seeds, trials)):P1} | {Rate(Peer(problem, "random", seeds, trials)):P1} |"));
    }

    /// <summary>Our sampler, called as the server calls it, one history per seed.</summary>
    public static List<List<(IReadOnlyDictionary<string, ParamValue> Params, double Value)>> Ours(QualityProblem problem, Func<ulong, SamplerSettings> settings, int seeds, int trials)
    {
        var runs = new List<(IReadOnlyDictionary<string, ParamValue>, double)>[seeds];
        Parallel.For(0, seeds, seed =>
        {
            var study = new StudyDefinition("q", problem.Space, [problem.Direction], settings((ulong)seed), PrunerSettings.None, 0, Trial.EmptyAttrs);
            var sampler = SamplerFactory.Create(study).Free!;
            var history = new List<Trial>(trials);
            var run = new List<(IReadOnlyDictionary<string, ParamValue>, double)>(trials);
            for (var i = 0; i < trials; i++)
            {
                var ps = sampler.Sample(history, Rng.For((ulong)seed, "quality", i));
                var value = problem.F(ps);
                history.Add(new Trial { Number = i, Params = ps, State = TrialState.Complete, Values = [value] });
                run.Add((ps, value));
            }

            runs[seed] = run;
        });
        return [.. runs];
    }

    /// <summary>Optuna's runs of the same seeds, two driver processes sharing them.</summary>
    private static List<List<(IReadOnlyDictionary<string, ParamValue> Params, double Value)>> Peer(QualityProblem problem, string sampler, int seeds, int trials)
    {
        var file = _cache is null ? null : Path.Combine(_cache, $"{string.Concat(problem.Name.Where(char.IsLetterOrDigit))}-{sampler}-{seeds}x{trials}.json");
        if (file is not null && File.Exists(file))
        {
            return System.Text.Json.JsonSerializer.Deserialize<List<List<Dictionary<string, string>>>>(File.ReadAllText(file))!
                .Select(run => run.Select(t => ((IReadOnlyDictionary<string, ParamValue>)t.Where(kv => kv.Key != "=").ToDictionary(kv => kv.Key, kv => Parse(problem.Space.Find(kv.Key)!.Distribution, kv.Value)),
                    double.Parse(t["="], CultureInfo.InvariantCulture))).ToList()).ToList();
        }

        var runs = new List<(IReadOnlyDictionary<string, ParamValue>, double)>[seeds];
        Parallel.For(0, Math.Min(2, seeds), worker =>
        {
            using var driver = new OptunaDriver();
            for (var seed = worker; seed < seeds; seed += 2)
            {
                runs[seed] = driver.Run(problem, sampler, seed, trials);
            }
        });
        if (file is not null)
        {
            Directory.CreateDirectory(_cache!);
            File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(runs.Select(run => run.Select(t =>
                t.Item1.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()).Append(KeyValuePair.Create("=", t.Item2.ToString("R", CultureInfo.InvariantCulture))).ToDictionary()))));
        }

        return [.. runs];
    }

    private static ParamValue Parse(Distribution d, string text) => d switch
    {
        FloatDistribution => ParamValue.Of(double.Parse(text, CultureInfo.InvariantCulture)),
        IntDistribution => ParamValue.Of(long.Parse(text, CultureInfo.InvariantCulture)),
        CategoricalDistribution c => c.Choices.First(choice => choice.ToString() == text),
        _ => throw new ArgumentException($"distribution {d}"),
    };

    private static double Best(QualityProblem problem, List<(IReadOnlyDictionary<string, ParamValue> Params, double Value)> run) =>
        problem.Direction == Direction.Minimize ? run.Min(t => t.Value) : run.Max(t => t.Value);

    private static double Median(IReadOnlyList<double> xs) => Quantile(xs, 0.5);

    private static double Quantile(IReadOnlyList<double> xs, double q)
    {
        var sorted = xs.Order().ToArray();
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((pos - lo) * (sorted[hi] - sorted[lo]));
    }
}
