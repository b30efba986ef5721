using System.Reflection;
using System.Text.Json;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Reports;

/// <summary>
/// A study report as one self-contained HTML file: the page, its stylesheet, its script and the
/// data are inlined, so it opens offline, from a CI artifact or an e-mail.
/// </summary>
internal static class ReportPage
{
    public static string Render(Study study, IReadOnlyList<Trial> trials)
    {
        // The default encoder escapes '<', so no value can close the script element early.
        var data = JsonSerializer.Serialize(ReportData.Build(study, trials));
        return Resource("report.html")
            .Replace("/*STYLE*/", Resource("report.css"), StringComparison.Ordinal)
            .Replace("/*SCRIPT*/", Resource("report.js"), StringComparison.Ordinal)
            .Replace("\"DATA\"", data, StringComparison.Ordinal)
            .Replace("TITLE", System.Net.WebUtility.HtmlEncode(study.Name), StringComparison.Ordinal);
    }

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"GrpcTuner.Cli.Reports.{name}")
            ?? throw new InvalidOperationException($"the report resource {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
