using System.Text.Json;
using System.Text.RegularExpressions;
using GrpcTuner.Cli.Charts;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Reports;

/// <summary>
/// A report as one self-contained HTML file: the page, its stylesheet, ECharts, the charts the
/// dashboard draws with, and the data are inlined, so it opens offline, from a CI artifact or an e-mail.
/// </summary>
internal static partial class ReportPage
{
    /// <summary>One study's report: the plots of the dashboard's study page.</summary>
    public static string Render(Study study, IReadOnlyList<Trial> trials) => Page("report", study.Name, "study report", ReportData.Build(study, trials));

    /// <summary>Several studies side by side: best so far against trials and against compute, and a table.</summary>
    public static string RenderComparison(IReadOnlyList<(Study Study, IReadOnlyList<Trial> Trials)> studies) =>
        Page("compare", string.Join(" vs ", studies.Select(s => s.Study.Name)), "study comparison", CompareData.Build(studies));

    /// <summary>The frame every page shares (page.html) around the page's own main element ({name}.html) and script ({name}.js).</summary>
    private static string Page(string name, string title, string kind, object data)
    {
        // One pass over the frame: what goes in (ECharts, what users wrote) is never searched for
        // placeholders again; the default encoder escapes '<', so no value can close the script element early.
        var parts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["<!--MAIN-->"] = Resource($"Reports.{name}.html"),
            ["KIND"] = kind,
            ["/*STYLE*/"] = Resource("Reports.report.css"),
            ["/*ECHARTS*/"] = Resource("Charts.echarts.min.js"),
            ["/*CHARTS*/"] = Resource("Charts.charts.js") + Resource("Charts.compare-table.js"),
            ["/*SCRIPT*/"] = Resource($"Reports.{name}.js"),
            ["TITLE"] = System.Net.WebUtility.HtmlEncode(title),
            ["\"DATA\""] = JsonSerializer.Serialize(data),
        };
        return Placeholder().Replace(Resource("Reports.page.html"), m => parts[m.Value]);
    }

    private static string Resource(string name) => WebResources.Text($"GrpcTuner.Cli.{name}");

    [GeneratedRegex("<!--MAIN-->|KIND|/\\*(STYLE|ECHARTS|CHARTS|SCRIPT)\\*/|TITLE|\"DATA\"")]
    private static partial Regex Placeholder();
}
