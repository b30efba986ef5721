using System.Globalization;
using System.Text;
using GrpcTuner.V1;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Commands;

/// <summary>A study's trials as an aligned text table: number, state, value(s), epochs reported, params.</summary>
internal static class TrialTable
{
    public static string Render(Study study, IReadOnlyList<Trial> trials)
    {
        var names = StudyParams.Of(study, trials).Select(p => p.Name).ToList();
        var header = new List<string> { "#", "state" };
        header.AddRange(study.Directions.Select((_, i) => study.Directions.Count == 1 ? "value" : $"value{i}"));
        header.Add("reports");
        header.AddRange(names);
        var rows = trials.Select(t =>
        {
            var row = new List<string> { t.Number.ToString(CultureInfo.InvariantCulture), TrialFormat.State(t.State) };
            row.AddRange(study.Directions.Select((_, i) => i < t.Values.Count ? TrialFormat.Rounded(t.Values[i], 5) : "-"));
            row.Add(t.IntermediateValues.Count.ToString(CultureInfo.InvariantCulture));
            row.AddRange(names.Select(n => t.Params.TryGetValue(n, out var v) ? Short(TrialFormat.Value(v)) : "-"));
            return row;
        }).ToList();
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length))).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join("  ", header.Select((h, c) => h.PadRight(widths[c]))));
        foreach (var row in rows)
        {
            sb.AppendLine(string.Join("  ", row.Select((x, c) => x.PadRight(widths[c]))));
        }

        return sb.ToString();
    }

    private static string Short(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && value.Length > 8 ? TrialFormat.Rounded(d, 4) : value;
}
