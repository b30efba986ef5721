using System.Text.RegularExpressions;
using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Tests;

/// <summary><c>grpctuner report</c> rendered by real headless Chromium: no console message, and every plot drawn with data.</summary>
[Collection("console")]
public sealed class ReportTests : IAsyncLifetime
{
    private ServerReplica _server = null!;

    public async Task InitializeAsync() => _server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheReportRendersEveryPlotWithDataAndNoConsoleMessages()
    {
        using var client = _server.Client(new TunerClientOptions { WorkerId = "reporter" });
        var study = await CreateAsync(client, "reported");
        await PlottedStudies.RunAsync(study, trials: 16, steps: 5);

        var page = await ReportAsync("reported");
        var plots = await RenderAsync(page);
        foreach (var (id, marks, ink) in plots)
        {
            Assert.True(marks > 0, $"{id}: no data marks drawn");
            Assert.True(ink >= 150, $"{id}: only {ink} coloured pixels in the screenshot");
        }
    }

    [Fact]
    public async Task APbtStudysReportDrawsItsLineage()
    {
        using var client = _server.Client(new TunerClientOptions { WorkerId = "reporter" });
        var study = await PlottedStudies.RunPbtAsync(client, "reported-pbt");
        Assert.Contains(await study.TrialsAsync(), t => t.Lineage.Count > 0);
        var plots = await RenderAsync(await ReportAsync("reported-pbt"), [.. StudyPlots, "lineage"]);
        var (_, marks, ink) = plots.Single(p => p.Id == "lineage");
        Assert.True(marks > 0, "lineage: no exploit drawn");
        Assert.True(ink >= 150, $"lineage: only {ink} coloured pixels");
    }

    [Fact]
    public async Task AStudyWithoutTrialsDrawsNoData()
    {
        using var client = _server.Client(new TunerClientOptions { WorkerId = "reporter" });
        await CreateAsync(client, "unreported");
        var plots = await RenderAsync(await ReportAsync("unreported"));
        // The same check as above finds nothing here, so it measures data, not the page's frame.
        Assert.All(plots, p => Assert.Equal(0, p.Marks));
        Assert.All(plots, p => Assert.True(p.Ink < 20, $"{p.Id}: {p.Ink} coloured pixels with no data"));
    }

    [Fact]
    public async Task TheComparisonDrawsALinePerStudyAgainstTheComputeTheWorkersReported()
    {
        using var client = _server.Client(new TunerClientOptions { WorkerId = "comparer" });
        string[] names = ["cmp-grid", "cmp-tpe", "cmp-pbt"];
        for (var s = 0; s < names.Length; s++)
        {
            var study = await CreateAsync(client, names[s]);
            for (var i = 0; i < 6; i++)
            {
                var trial = await study.AskAsync();
                // Each study spends its own CPU seconds per trial: 1, 2 and 3.
                trial.Compute = new Compute { CpuSeconds = s + 1, WallSeconds = s + 1, DeviceKind = "cpu", DeviceCount = 1 };
                await (i == 2 ? study.TellAsync(trial, TrialState.Pruned) : study.TellAsync(trial, 10.0 / (i + 1) / (s + 1)));
            }
        }

        var page = Path.Combine(Directory.CreateTempSubdirectory("compare-").FullName, "compare.html");
        var (code, _, error) = await CliRunner.RunAsync(["report", "--compare", .. names, "--out", page, "--server", _server.Address]);
        Assert.True(code == 0, error);
        var (dom, domConsole) = await HeadlessChromium.RunAsync(page, "--dump-dom");
        var screenshot = Path.ChangeExtension(page, ".png");
        var (_, shotConsole) = await HeadlessChromium.RunAsync(page, $"--screenshot={screenshot}");
        Assert.Empty(domConsole.Concat(shotConsole));
        Assert.Matches("<body[^>]*data-rendered=\"2\"", dom);
        var figure = Regex.Match(dom, "<figure id=\"compute\"[^>]*>").Value;
        Assert.Equal("3", Attribute(figure, "data-marks"));
        var rect = Attribute(figure, "data-rect").Split(',').Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var image = PngImage.Decode(await File.ReadAllBytesAsync(screenshot));
        // Each study's line in its own colour: the first three of the page's palette.
        (int R, int G, int B)[] colours = [(0x1f, 0x77, 0xb4), (0xd6, 0x27, 0x28), (0x2c, 0xa0, 0x2c)];
        foreach (var (study, colour) in names.Zip(colours))
        {
            Assert.Contains($"data-study=\"{study}\"", dom);
            Assert.True(Pixels(image, rect, colour) >= 100, $"{study}: only {Pixels(image, rect, colour)} pixels of its colour");
        }

        // The table: 6 trials run and 1 pruned per study, compute summed over all of them.
        var rows = Regex.Matches(dom, "<tr data-study=\"[^\"]+\"><td><span class=\"swatch\"[^>]*></span>([^<]+)</td>(.*?)</tr>");
        Assert.Equal(names, rows.Select(r => r.Groups[1].Value));
        Assert.Equal(["6 CPU-seconds", "12 CPU-seconds", "18 CPU-seconds"], rows.Select(r => Regex.Matches(r.Groups[2].Value, "<td>([^<]*)</td>")[3].Groups[1].Value));
        Assert.All(rows, r => Assert.EndsWith("<td>6</td><td>1</td>", r.Groups[2].Value));

        var refused = await CliRunner.RunAsync("report", "--compare", "cmp-grid", "--out", page, "--server", _server.Address);
        Assert.Equal(1, refused.Code);
        Assert.Contains("--compare: give two or more different studies", refused.Error);
    }

    private static int Pixels(PngImage image, int[] rect, (int R, int G, int B) colour)
    {
        var count = 0;
        for (var y = rect[1]; y < rect[1] + rect[3]; y++)
        {
            for (var x = rect[0]; x < rect[0] + rect[2]; x++)
            {
                var (r, g, b) = image[x, y];
                count += Math.Abs(r - colour.R) + Math.Abs(g - colour.G) + Math.Abs(b - colour.B) < 60 ? 1 : 0;
            }
        }

        return count;
    }

    private static Task<TunerStudy> CreateAsync(TunerClient client, string name) =>
        client.CreateStudyAsync(PlottedStudies.ThreeParams(name, new SamplerConfig { Seed = 5, Random = new RandomSamplerConfig() }));

    private async Task<string> ReportAsync(string study)
    {
        var page = Path.Combine(Directory.CreateTempSubdirectory("report-").FullName, "report.html");
        var (code, _, error) = await CliRunner.RunAsync("report", study, "--out", page, "--server", _server.Address);
        Assert.True(code == 0, error);
        return page;
    }

    /// <returns>Per plot: the data marks the page says it drew, and the saturated pixels inside the plot in a screenshot.</returns>
    private static Task<IReadOnlyList<(string Id, int Marks, int Ink)>> RenderAsync(string page) => RenderAsync(page, StudyPlots);

    /// <summary>The plots of every single-objective study; PBT adds its lineage, several objectives their Pareto front.</summary>
    private static readonly string[] StudyPlots = ["history", "parallel", "curves", "importance", "slices", "edf"];

    private static async Task<IReadOnlyList<(string Id, int Marks, int Ink)>> RenderAsync(string page, params string[] ids)
    {
        var (dom, domConsole) = await HeadlessChromium.RunAsync(page, "--dump-dom");
        var screenshot = Path.ChangeExtension(page, ".png");
        var (_, shotConsole) = await HeadlessChromium.RunAsync(page, $"--screenshot={screenshot}");
        Assert.Empty(domConsole.Concat(shotConsole));
        Assert.Matches($"<body[^>]*data-rendered=\"{ids.Length}\"", dom);

        var image = PngImage.Decode(await File.ReadAllBytesAsync(screenshot));
        Assert.Equal((HeadlessChromium.Width, HeadlessChromium.Height), (image.Width, image.Height));
        var plots = new List<(string, int, int)>();
        foreach (var id in ids)
        {
            var figure = Regex.Match(dom, $"<figure id=\"{id}\"[^>]*>");
            Assert.True(figure.Success, $"{id}: no figure");
            var marks = int.Parse(Attribute(figure.Value, "data-marks"), System.Globalization.CultureInfo.InvariantCulture);
            var rect = Attribute(figure.Value, "data-rect").Split(',').Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.True(rect[0] + rect[2] <= image.Width && rect[1] + rect[3] <= image.Height, $"{id}: {string.Join(",", rect)} is outside the screenshot");
            plots.Add((id, marks, image.Ink(rect[0], rect[1], rect[2], rect[3])));
        }

        return plots;
    }

    private static string Attribute(string tag, string name)
    {
        var m = Regex.Match(tag, $"{name}=\"([^\"]*)\"");
        Assert.True(m.Success, $"no {name} on {tag}");
        return m.Groups[1].Value;
    }
}
