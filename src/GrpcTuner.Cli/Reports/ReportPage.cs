using System.Reflection;
using System.Text.Json;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Reports;

/// <summary>
/// A report as one self-contained HTML file: the page, its stylesheet, its scripts and the data are
/// inlined, so it opens offline, from a CI artifact or an e-mail.
/// </summary>
internal static class ReportPage
{
    /// <summary>One study's report: history, parallel coordinates, learning curves, importances.</summary>
    public static string Render(Study study, IReadOnlyList<Trial> trials) => Page("report", study.Name, "study report", ReportData.Build(study, trials));

    /// <summary>Several studies side by side: best so far against compute, and a table.</summary>
    public static string RenderComparison(IReadOnlyList<(Study Study, IReadOnlyList<Trial> Trials)> studies) =>
        Page("compare", string.Join(" vs ", studies.Select(s => s.Study.Name)), "study comparison", CompareData.Build(studies));

    /// <summary>The frame every page shares (page.html) around the page's own main element ({name}.html) and script ({name}.js).</summary>
    private static string Page(string name, string title, string kind, object data) =>
        // What users wrote (the title, the data) goes in last, so no later replacement can touch it;
        // the default encoder escapes '<', so no value can close the script element early.
        Resource("page.html")
            .Replace("<!--MAIN-->", Resource($"{name}.html"), StringComparison.Ordinal)
            .Replace("KIND", kind, StringComparison.Ordinal)
            .Replace("/*STYLE*/", Resource("report.css"), StringComparison.Ordinal)
            .Replace("/*CHART*/", Resource("chart.js"), StringComparison.Ordinal)
            .Replace("/*SCRIPT*/", Resource($"{name}.js"), StringComparison.Ordinal)
            .Replace("TITLE", System.Net.WebUtility.HtmlEncode(title), StringComparison.Ordinal)
            .Replace("\"DATA\"", JsonSerializer.Serialize(data), StringComparison.Ordinal);

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"GrpcTuner.Cli.Reports.{name}")
            ?? throw new InvalidOperationException($"the report resource {name} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
