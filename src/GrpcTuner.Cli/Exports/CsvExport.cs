using System.Globalization;
using System.Text;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Exports;

/// <summary>Columns as RFC 4180 CSV, numbers as TrialFormat writes them and times in ISO 8601.</summary>
internal static class CsvExport
{
    public static string Write(IReadOnlyList<TrialColumn> columns)
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", columns.Select(c => Quote(c.Name))));
        var rows = columns.Count == 0 ? 0 : columns[0].Cells.Count;
        for (var r = 0; r < rows; r++)
        {
            sb.AppendLine(string.Join(",", columns.Select(c => Quote(Text(c.Cells[r])))));
        }

        return sb.ToString();
    }

    private static string Text(object? cell) => cell switch
    {
        null => "",
        double d => TrialFormat.Number(d),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
}
