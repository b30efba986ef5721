using System.Globalization;
using System.IO.Compression;
using GrpcTuner.Client;
using Microsoft.VisualBasic.FileIO;

namespace GrpcTuner.Cli.Specs;

/// <summary>
/// Results of the same configurations on several data sets, for Coverage-based Search: a folder
/// with one CSV (or CSV.gz) per data set; every column is a hyperparameter except the score,
/// which is a "score" column or the mean of the "seed*" cells a row has (HPOBench's tables).
/// Option values are kept as written, text or numbers. Anything else is a <see cref="SpecException"/>
/// naming the file, the line and the column.
/// </summary>
public sealed record ResultsTable(IReadOnlyList<string> Datasets, IReadOnlyList<string> Parameters, IReadOnlyList<string[]> Configurations, IReadOnlyList<double[]> Scores)
{
    public static ResultsTable LoadDirectory(string folder)
    {
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder).Where(f => f.EndsWith(".csv", StringComparison.Ordinal) || f.EndsWith(".csv.gz", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList() : [];
        if (files.Count < 2)
        {
            throw new SpecException($"{folder}: needs at least two .csv or .csv.gz files, one per data set");
        }

        var byConfig = new Dictionary<string, (string[] Config, double[] Scores)>(StringComparer.Ordinal);
        string[]? parameters = null;
        for (var d = 0; d < files.Count; d++)
        {
            using var stream = File.OpenRead(files[d]);
            using var reader = new StreamReader(files[d].EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : stream);
            // RFC 4180: a value with a comma or a quote comes quoted, as pandas and spreadsheets write it.
            using var parser = new TextFieldParser(reader) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
            parser.SetDelimiters(",");
            var header = Fields(parser, files[d]) ?? throw new SpecException($"{files[d]}: empty; the first line names the columns");
            var scoreColumns = header.Select((h, i) => (h, i)).Where(x => x.h == "score" || x.h.StartsWith("seed", StringComparison.Ordinal)).Select(x => x.i).ToArray();
            var configColumns = Enumerable.Range(0, header.Length).Except(scoreColumns).ToArray();
            var names = configColumns.Select(i => header[i]).ToArray();
            if (scoreColumns.Length == 0 || (parameters is not null && !parameters.SequenceEqual(names)))
            {
                throw new SpecException($"{files[d]}:1: needs the same hyperparameter columns as the other files and a 'score' or 'seed*' column");
            }

            parameters = names;
            var rows = 0;
            while (!parser.EndOfData)
            {
                var at = $"{files[d]}:{parser.LineNumber}";
                if (Fields(parser, files[d]) is not { } f)
                {
                    break;
                }

                if (f.Length > header.Length || configColumns.Any(i => i >= f.Length || f[i].Length == 0))
                {
                    throw new SpecException($"{at}: has {f.Length} fields where the header names {header.Length}, or an empty hyperparameter");
                }

                var present = scoreColumns.Where(i => i < f.Length && f[i].Length > 0).ToList();
                if (present.Count == 0)
                {
                    throw new SpecException($"{at}: has no score ({string.Join(", ", scoreColumns.Select(i => header[i]))} all empty)");
                }

                var score = present.Average(i => double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                    ? v
                    : throw new SpecException($"{at}: column '{header[i]}' (column {i + 1}) is '{f[i]}', not a finite number"));
                var config = configColumns.Select(i => f[i]).ToArray();
                var key = string.Join(",", config);
                if (!byConfig.TryGetValue(key, out var entry))
                {
                    entry = (config, Enumerable.Repeat(double.NaN, files.Count).ToArray());
                    byConfig[key] = entry;
                }

                entry.Scores[d] = score;
                rows++;
            }

            if (rows == 0)
            {
                throw new SpecException($"{files[d]}: has a header and no rows");
            }
        }

        var all = byConfig.Values.ToList();
        var datasets = files.Select(f => Path.GetFileName(f).Replace(".csv.gz", "", StringComparison.Ordinal).Replace(".csv", "", StringComparison.Ordinal)).ToList();
        return new ResultsTable(datasets, parameters!, all.Select(r => r.Config).ToList(), all.Select(r => r.Scores).ToList());
    }

    private static string[]? Fields(TextFieldParser parser, string file)
    {
        try
        {
            return parser.ReadFields();
        }
        catch (MalformedLineException e)
        {
            throw new SpecException($"{file}:{e.LineNumber}: a quoted field is not closed: {parser.ErrorLine.Trim()}");
        }
    }

    /// <summary>The configuration nearest to the given values: log distance where both are positive numbers, else 0 for the same text and 1 for another.</summary>
    public int Nearest(IReadOnlyDictionary<string, string> values)
    {
        double Distance(string[] config) => Parameters.Select((p, i) =>
        {
            var target = values.TryGetValue(p, out var v) ? v : throw new SpecException($"--default: no value for '{p}'");
            return Number(target) is { } t && Number(config[i]) is { } c
                ? t > 0 && c > 0 ? Math.Abs(Math.Log(c / t)) : Math.Abs(c - t)
                : target == config[i] ? 0 : 1;
        }).Sum();
        return Enumerable.Range(0, Configurations.Count).MinBy(c => Distance(Configurations[c]));
    }

    public string Describe(int c) => string.Join(" ", Parameters.Select((p, i) =>
        $"{p}={(Number(Configurations[c][i]) is { } n ? TrialFormat.Rounded(n, 4) : Configurations[c][i])}"));

    private static double? Number(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
}
