using System.CommandLine;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Commands;

/// <summary><c>grpctuner trials export</c>: every trial as CSV (one column per parameter and objective) or JSON.</summary>
internal static class TrialsCommands
{
    public static Command Create()
    {
        var name = new Argument<string>("study") { Description = "Study name" };
        var format = new Option<string>("--format") { Description = "csv or json", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json");
        var output = new Option<string?>("--output", "-o") { Description = "File to write; standard output when left out" };
        var export = new Command("export", "Export a study's trials") { name, format, output, CommonOptions.Server };
        export.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var study = await client.LoadStudyAsync(parse.GetValue(name)!, ct);
            var trials = await study.TrialsAsync(ct);
            var text = parse.GetValue(format) == "json" ? Json(trials) : Csv(study.Info, trials);
            if (parse.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, text, ct);
            }
            else
            {
                Console.Write(text);
            }
        }));
        var trialsCommand = new Command("trials", "Work with a study's trials");
        trialsCommand.Subcommands.Add(export);
        return trialsCommand;
    }

    public static string Csv(Study study, IReadOnlyList<Trial> trials)
    {
        var names = study.SearchSpace.Params.Select(p => p.Name).ToList();
        var sb = new StringBuilder();
        var header = new List<string> { "number", "state" };
        header.AddRange(study.Directions.Select((_, i) => $"value_{i}"));
        header.AddRange(names.Select(n => $"param_{n}"));
        header.AddRange(["worker_id", "retried_from", "reason", "start_time", "complete_time"]);
        sb.AppendLine(string.Join(",", header.Select(Quote)));
        foreach (var t in trials)
        {
            var row = new List<string> { t.Number.ToString(CultureInfo.InvariantCulture), t.State.ToString() };
            row.AddRange(study.Directions.Select((_, i) => i < t.Values.Count ? t.Values[i].ToString("R", CultureInfo.InvariantCulture) : ""));
            row.AddRange(names.Select(n => t.Params.TryGetValue(n, out var v) ? TrialFormat.Value(v) : ""));
            row.Add(t.WorkerId);
            row.Add(t.HasRetriedFrom ? t.RetriedFrom.ToString(CultureInfo.InvariantCulture) : "");
            row.Add(t.Reason);
            row.Add(t.StartTime?.ToDateTimeOffset().ToString("O", CultureInfo.InvariantCulture) ?? "");
            row.Add(t.CompleteTime?.ToDateTimeOffset().ToString("O", CultureInfo.InvariantCulture) ?? "");
            sb.AppendLine(string.Join(",", row.Select(Quote)));
        }

        return sb.ToString();
    }

    public static string Json(IReadOnlyList<Trial> trials) =>
        "[" + string.Join(",\n", trials.Select(t => JsonFormatter.Default.Format(t))) + "]\n";

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
}
