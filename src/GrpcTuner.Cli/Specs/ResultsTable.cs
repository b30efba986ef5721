using System.Globalization;
using System.IO.Compression;

namespace GrpcTuner.Cli.Specs;

/// <summary>
/// Results of the same configurations on several data sets, for Coverage-based Search: a folder
/// with one CSV (or CSV.gz) per data set; every column is a hyperparameter except the score,
/// which is a "score" column or the mean of "seed*" columns (HPOBench's tables). Larger is better.
/// </summary>
public sealed record ResultsTable(IReadOnlyList<string> Datasets, IReadOnlyList<string> Parameters, IReadOnlyList<double[]> Configurations, IReadOnlyList<double[]> Scores)
{
    public static ResultsTable LoadDirectory(string folder)
    {
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder).Where(f => f.EndsWith(".csv", StringComparison.Ordinal) || f.EndsWith(".csv.gz", StringComparison.Ordinal)).Order().ToList() : [];
        if (files.Count < 2)
        {
            throw new SpecException($"{folder}: needs at least two .csv or .csv.gz files, one per data set");
        }

        var byConfig = new Dictionary<string, (double[] Config, double[] Scores)>(StringComparer.Ordinal);
        string[]? parameters = null;
        for (var d = 0; d < files.Count; d++)
        {
            using var stream = File.OpenRead(files[d]);
            using var reader = new StreamReader(files[d].EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : stream);
            var header = reader.ReadLine()?.Split(',') ?? throw new SpecException($"{files[d]}: empty");
            var scoreColumns = header.Select((h, i) => (h, i)).Where(x => x.h == "score" || x.h.StartsWith("seed", StringComparison.Ordinal)).Select(x => x.i).ToArray();
            var configColumns = Enumerable.Range(0, header.Length).Except(scoreColumns).ToArray();
            var names = configColumns.Select(i => header[i]).ToArray();
            if (scoreColumns.Length == 0 || (parameters is not null && !parameters.SequenceEqual(names)))
            {
                throw new SpecException($"{files[d]}: needs the same hyperparameter columns as the other files and a 'score' or 'seed*' column");
            }

            parameters = names;
            while (reader.ReadLine() is { } line)
            {
                var f = line.Split(',');
                var config = configColumns.Select(i => double.Parse(f[i], CultureInfo.InvariantCulture)).ToArray();
                var key = string.Join(",", configColumns.Select(i => f[i]));
                if (!byConfig.TryGetValue(key, out var entry))
                {
                    entry = (config, Enumerable.Repeat(double.NaN, files.Count).ToArray());
                    byConfig[key] = entry;
                }

                entry.Scores[d] = scoreColumns.Average(i => double.Parse(f[i], CultureInfo.InvariantCulture));
            }
        }

        var rows = byConfig.Values.ToList();
        var datasets = files.Select(f => Path.GetFileName(f).Replace(".csv.gz", "", StringComparison.Ordinal).Replace(".csv", "", StringComparison.Ordinal)).ToList();
        return new ResultsTable(datasets, parameters!, rows.Select(r => r.Config).ToList(), rows.Select(r => r.Scores).ToList());
    }

    /// <summary>The configuration nearest to the given values (on a log scale where all values are positive).</summary>
    public int Nearest(IReadOnlyDictionary<string, double> values)
    {
        double Distance(double[] config) => Parameters.Select((p, i) =>
        {
            var target = values.TryGetValue(p, out var v) ? v : throw new SpecException($"--default: no value for '{p}'");
            return target > 0 && config[i] > 0 ? Math.Abs(Math.Log(config[i] / target)) : Math.Abs(config[i] - target);
        }).Sum();
        return Enumerable.Range(0, Configurations.Count).MinBy(c => Distance(Configurations[c]));
    }

    public string Describe(int c) => string.Join(" ", Parameters.Select((p, i) => $"{p}={Commands.TrialFormat.Rounded(Configurations[c][i], 4)}"));
}
