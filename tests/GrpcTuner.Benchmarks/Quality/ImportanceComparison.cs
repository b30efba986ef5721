using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GrpcTuner.Core.Analysis.Fanova;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Benchmarks.Quality;

/// <summary>
/// Our fANOVA importance beside Optuna 3.1's FanovaImportanceEvaluator (Debian's python3-optuna with
/// python3-sklearn) on the same trials: 200 TPE trials on each of three HPOBench tables. Optuna's is
/// the mean over its forest seeds 0 to 4, ours one forest of seed 0.
/// </summary>
internal static class ImportanceComparison
{
    public static void Run(string hpobenchDir, IReadOnlyList<string> tables, int trials)
    {
        Console.WriteLine($"| table | trials | ours (top 2 of 5) | Optuna 3.1 fANOVA, mean of 5 seeds (top 2) | top 2 match | our seconds |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var matches = 0;
        foreach (var table in tables)
        {
            var problem = QualityProblems.HpoBench(HpoBenchTable.Load(Path.Combine(hpobenchDir, table + ".csv.gz")));
            var run = PeerComparison.Ours(problem, seed => new SamplerSettings(SamplerKind.Tpe, seed), 1, trials)[0];
            var clock = Stopwatch.StartNew();
            var ours = FanovaImportance.Compute(problem.Space.Params, run);
            var seconds = clock.Elapsed.TotalSeconds;
            var theirs = Optuna(problem, run);
            var ourTop = Top2(ours);
            var theirTop = Top2(theirs);
            var match = ourTop.ToHashSet().SetEquals(theirTop);
            matches += match ? 1 : 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {table} | {trials} | {Describe(ours, ourTop)} | {Describe(theirs, theirTop)} | {(match ? "yes" : "no")} | {seconds:F1} |"));
        }

        Console.WriteLine($"top-2 parameters match on {matches} of {tables.Count} tables");
    }

    private static string[] Top2(IReadOnlyDictionary<string, double> importances) =>
        importances.OrderByDescending(kv => kv.Value).Take(2).Select(kv => kv.Key).ToArray();

    private static string Describe(IReadOnlyDictionary<string, double> importances, string[] top) =>
        string.Join(", ", top.Select(name => string.Create(CultureInfo.InvariantCulture, $"{name} {importances[name]:F3}")));

    private static Dictionary<string, double> Optuna(QualityProblem problem, List<(IReadOnlyDictionary<string, ParamValue> Params, double Value)> run)
    {
        var input = JsonSerializer.Serialize(new
        {
            direction = problem.Direction == Direction.Maximize ? "maximize" : "minimize",
            @params = problem.Space.Params.ToDictionary(p => p.Name, p => p.Distribution is IntDistribution i ? new[] { i.Low, i.High } : throw new InvalidOperationException("integer parameters only")),
            trials = run.Select(t => new { @params = t.Params.ToDictionary(kv => kv.Key, kv => kv.Value.AsInt), value = t.Value }),
        });
        var file = Path.GetTempFileName();
        File.WriteAllText(file, input);
        try
        {
            var line = PeerProcess.Run("/bin/sh", ["-c", $"/usr/bin/python3 {Path.Combine(AppContext.BaseDirectory, "Peers", "optuna_fanova.py")} < {file}"])
                ?? throw new InvalidOperationException("Optuna's fANOVA failed (needs python3-optuna and python3-sklearn)");
            return JsonSerializer.Deserialize<Dictionary<string, double>>(line)!;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
