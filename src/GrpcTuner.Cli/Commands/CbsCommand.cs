using System.CommandLine;
using System.Globalization;
using GrpcTuner.Cli.Specs;
using GrpcTuner.Core.Coverage;

namespace GrpcTuner.Cli.Commands;

/// <summary>
/// <c>grpctuner cbs</c>: Coverage-based Search over a results table. <c>recommend</c> lists the top
/// configurations; <c>loo</c> evaluates them leave-one-data-set-out beside a default configuration
/// and the per-data-set best (the upper bound).
/// </summary>
internal static class CbsCommand
{
    // scikit-learn's MLPClassifier defaults (alpha 1e-4, batch 200, one layer of 100, lr 1e-3), snapped to the table's grid.
    private const string SklearnDefault = "alpha=1e-4,batch_size=200,depth=1,learning_rate_init=1e-3,width=100";

    public static Command Create()
    {
        var tables = new Option<string>("--tables") { Description = "Folder with one results CSV (or .csv.gz) per data set", Required = true };
        var k = new Option<int>("--k") { Description = "Configurations to recommend", DefaultValueFactory = _ => 4 };
        var tolerance = new Option<double>("--tolerance") { Description = "Coverage tolerance on the normalized scale", DefaultValueFactory = _ => CoverageSearch.DefaultTolerance };
        var direction = new Option<string?>("--direction") { Description = "maximize (accuracy) or minimize (a loss, an error); default: the 'direction:' line of manifest.yaml in the tables folder, else maximize" };
        direction.AcceptOnlyFromAmong("maximize", "minimize");
        var scale = new Option<string>("--scale") { Description = "fraction-of-best (the paper's: score over the data set's best) or min-max", DefaultValueFactory = _ => "fraction-of-best" };
        scale.AcceptOnlyFromAmong("fraction-of-best", "min-max");
        var fallback = new Option<string>("--default") { Description = "The default configuration, name=value pairs", DefaultValueFactory = _ => SklearnDefault };

        CoverageOptions Options(ParseResult parse) => parse.GetValue(k) < 1 ? throw new SpecException($"--k: must be at least 1, got {parse.GetValue(k)}")
            : parse.GetValue(tolerance) is < 0 or >= 1 ? throw new SpecException($"--tolerance: must be in [0, 1), got {parse.GetValue(tolerance)}")
            : new((parse.GetValue(direction) ?? ManifestDirection(parse.GetValue(tables)!)) == "minimize", parse.GetValue(scale) == "min-max" ? CoverageScale.MinMax : CoverageScale.FractionOfBest, parse.GetValue(tolerance));

        var recommend = new Command("recommend", "Recommend k configurations that cover the data sets") { tables, k, tolerance, direction, scale };
        recommend.SetAction(parse => Run(() =>
        {
            var table = ResultsTable.LoadDirectory(parse.GetValue(tables)!);
            var order = CoverageSearch.Recommend(table.Scores, parse.GetValue(k), Options(parse), Names(table));
            for (var i = 0; i < order.Count; i++)
            {
                Console.WriteLine($"CBS_{i + 1}: {table.Describe(order[i])}");
            }
        }));

        var loo = new Command("loo", "Leave-one-data-set-out evaluation: CBS_1..CBS_k beside the default and the upper bound") { tables, k, tolerance, direction, scale, fallback };
        loo.SetAction(parse => Run(() =>
        {
            var table = ResultsTable.LoadDirectory(parse.GetValue(tables)!);
            var defaults = parse.GetValue(fallback)!.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : throw new SpecException($"--default: '{p[0]}' is not name=value"));
            var fallbackIndex = table.Nearest(defaults);
            var maxK = parse.GetValue(k);
            var result = LeaveOneOut.Evaluate(table.Scores, maxK, fallbackIndex, Options(parse), Names(table));
            Console.WriteLine($"default configuration: {table.Describe(fallbackIndex)}");
            Console.WriteLine($"| held-out data set | {string.Join(" | ", Enumerable.Range(1, maxK).Select(i => $"CBS_{i}"))} | default | upper bound |");
            Console.WriteLine($"|---|{string.Concat(Enumerable.Repeat("---|", maxK + 2))}");
            for (var d = 0; d < table.Datasets.Count; d++)
            {
                Console.WriteLine($"| {table.Datasets[d]} | {string.Join(" | ", result.PerDataset[d].Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))} | 1.0000 |");
            }

            Console.WriteLine($"| mean (min-max) | {string.Join(" | ", result.CbsAtK.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))} | {result.Default:F4} | {result.UpperBound:F4} |");
            Console.WriteLine($"| mean (fraction of best score) | {string.Join(" | ", result.CbsFractionAtK.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)))} | {result.DefaultFraction:F4} | 1.0000 |");
        }));

        var cbs = new Command("cbs", "Coverage-based Search: configurations that work across data sets");
        cbs.Subcommands.Add(recommend);
        cbs.Subcommands.Add(loo);
        cbs.Subcommands.Add(CbsGridCommand.Create());
        return cbs;
    }

    /// <summary>The 'direction:' line of a manifest.yaml beside the tables, so that a folder says once which way its metric goes.</summary>
    private static string ManifestDirection(string folder)
    {
        var manifest = Path.Combine(folder, "manifest.yaml");
        if (!File.Exists(manifest))
        {
            return "maximize";
        }

        var lines = File.ReadAllLines(manifest);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Split('#')[0].Split(':', 2) is [var key, var value] && key.Trim() == "direction")
            {
                return value.Trim() is "maximize" or "minimize" ? value.Trim() : throw new SpecException($"{manifest}:{i + 1}: direction '{value.Trim()}' is not maximize or minimize");
            }
        }

        return "maximize";
    }

    private static string[] Names(ResultsTable table) => Enumerable.Range(0, table.Configurations.Count).Select(table.Describe).ToArray();

    private static int Run(Action body)
    {
        body();
        return 0;
    }
}
