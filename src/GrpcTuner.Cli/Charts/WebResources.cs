using System.Reflection;

namespace GrpcTuner.Cli.Charts;

/// <summary>The pages, scripts and stylesheets the build embeds (the report's, the dashboard's, the charts' and ECharts).</summary>
internal static class WebResources
{
    /// <param name="name">The logical name, as the project file gives it: GrpcTuner.Cli.Charts.charts.js.</param>
    public static Stream Open(string name) => Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"the web resource {name} is missing from the build");

    public static string Text(string name)
    {
        using var reader = new StreamReader(Open(name));
        return reader.ReadToEnd();
    }
}
