using System.Text.Json.Nodes;
using GrpcTuner.Cli.Dashboard;
using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.V1;
using Microsoft.AspNetCore.Builder;

namespace GrpcTuner.Cli.Tests;

/// <summary>
/// The dashboard in Debian's chromium (playwright-core), over a real replica on a real redis-server,
/// with API keys: studies made through the API, every plot drawn with data, a Tell on the page
/// within a second, no console error or failed request, namespaces kept apart, readable labels.
/// </summary>
[Collection("console")]
public sealed class DashboardTests : IAsyncLifetime
{
    private const string AdminKey = "dashboard-admin-key";
    private RedisServer _redis = null!;
    private ServerReplica _server = null!;
    private WebApplication _dashboard = null!;
    private BrowserDriver _browser = null!;
    private TunerClient _admin = null!;
    private string _url = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _server = await ServerReplica.StartAsync(new ServerOptions { Redis = _redis.Configuration, AdminKey = AdminKey });
        _admin = _server.Client(new TunerClientOptions { ApiKey = AdminKey, WorkerId = "dashboard-test" });
        var options = new DashboardOptions(_server.Address, "127.0.0.1", 0, new TunerClientOptions { ApiKey = null, WorkerId = "dashboard" });
        _dashboard = DashboardHost.Build(options);
        await DashboardHost.StartAsync(_dashboard, options, "--port", CancellationToken.None);
        _url = _dashboard.Urls.First();
        _browser = await BrowserDriver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _dashboard.DisposeAsync();
        _admin.Dispose();
        await _server.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task TheStudiesPageListsStudiesCreatedThroughTheApiAndAnotherNamespacesKeySeesNoneOfThem()
    {
        await RunStudyAsync("team-a/alpha", 6);
        await RunStudyAsync("team-a/beta", 4);
        await RunStudyAsync("team-b/gamma", 3);

        await OpenAsync("#/", AdminKey);
        var listed = await ListedStudiesAsync();
        Assert.Equal(["team-a/alpha", "team-a/beta", "team-b/gamma"], listed.Order(StringComparer.Ordinal));
        var alpha = await _browser.EvalAsync("[...document.querySelectorAll('#study-list tbody tr')].find(r => r.textContent.includes('team-a/alpha')).textContent");
        Assert.Contains("Tpe", alpha!.GetValue<string>());
        Assert.Empty(await _browser.ProblemsAsync());

        var teamB = await _admin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Namespaces = { "team-b" }, Role = Role.Read, Description = "dashboard test" });
        await OpenAsync("#/", teamB.Secret);
        Assert.Equal(["team-b/gamma"], await ListedStudiesAsync());
        Assert.Empty(await _browser.ProblemsAsync());

        // Its study page of another namespace's study says it is not there, as the API does.
        await _browser.SendAsync(new { op = "navigate", hash = "#/study/team-a%2Falpha", until = "document.body.dataset.ready === 'error'" });
        var error = (await _browser.EvalAsync("document.getElementById('error').textContent"))!.GetValue<string>();
        Assert.Contains("study 'team-a/alpha' does not exist", error, StringComparison.Ordinal);
        Assert.Equal(0, (await _browser.EvalAsync("document.querySelectorAll('figure').length"))!.GetValue<int>());
        Assert.All(await _browser.ProblemsAsync(), p => Assert.Contains("404", p));
    }

    [Fact]
    public async Task TheStudyPageDrawsEveryPlotWithDataMarks()
    {
        await RunStudyAsync("team-a/plots", 14);
        await RunParetoStudyAsync("team-a/pareto");
        await PlottedStudies.RunPbtAsync(_admin, "team-a/pbt");
        var expected = new Dictionary<string, string[]>
        {
            ["team-a/plots"] = ["history", "parallel", "curves", "importance", "slices", "edf"],
            ["team-a/pareto"] = ["history", "parallel", "curves", "importance", "slices", "edf", "pareto"],
            ["team-a/pbt"] = ["history", "parallel", "curves", "importance", "slices", "edf", "lineage"],
        };
        foreach (var (study, plots) in expected)
        {
            await OpenAsync($"#/study/{Uri.EscapeDataString(study)}", AdminKey);
            var figures = (await _browser.SendAsync(new { op = "figures" }))["value"]!.AsArray();
            Assert.Equal(plots.Order(StringComparer.Ordinal), figures.Select(f => f!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
            var image = await ScreenshotAsync($"{study.Replace('/', '_')}.png");
            foreach (var f in figures)
            {
                var id = f!["id"]!.GetValue<string>();
                Assert.True(f["marks"]!.GetValue<int>() > 0, $"{study} {id}: no data marks drawn");
                var r = f["rect"]!;
                var ink = image.Ink((int)r["x"]!.GetValue<double>(), (int)r["y"]!.GetValue<double>(), (int)r["width"]!.GetValue<double>(), (int)r["height"]!.GetValue<double>());
                Assert.True(ink >= 150, $"{study} {id}: only {ink} coloured pixels in the screenshot");
            }

            // The method is named on the importance plot.
            Assert.Contains("fANOVA", (await _browser.EvalAsync("document.getElementById('importance').textContent"))!.GetValue<string>());
            Assert.Empty(await _browser.ProblemsAsync());
        }
    }

    [Fact]
    public async Task ATellAppearsInTheHistoryPlotWithinOneSecondWithoutAReload()
    {
        var study = await RunStudyAsync("team-a/live", 5);
        await OpenAsync("#/study/team-a%2Flive", AdminKey);
        await _browser.SendAsync(new { op = "wait", until = "document.body.dataset.live === 'open'" });
        var before = await MarksAsync("history");
        Assert.Equal(4, before);
        await _browser.EvalAsync("window.__loaded = true; 0");

        var trial = await study.AskAsync();
        // The Ask's running trial is shown first, so that the second below times the Tell alone.
        await _browser.SendAsync(new { op = "wait", until = "document.getElementById('summary').textContent.includes('1 running')" });
        await study.TellAsync(trial, 0.5);
        // Within a second of the Tell's answer, or this wait fails.
        var waited = await _browser.SendAsync(new { op = "wait", until = "Number(document.getElementById('history').dataset.marks) === 5", timeout = 1000 });
        Assert.True(waited["ms"]!.GetValue<double>() < 1000);
        // Without a reload: the page that was loaded is the page that shows it.
        Assert.True((await _browser.EvalAsync("window.__loaded"))!.GetValue<bool>(), "the page was loaded again");
        Assert.Empty(await _browser.ProblemsAsync());
    }

    [Fact]
    public async Task APlotBelowTheWindowIsDrawnWhenScrolledToWithTheChangesItMissed()
    {
        var study = await RunStudyAsync("team-a/below", 5);
        await OpenAsync("#/study/team-a%2Fbelow", AdminKey);
        await _browser.SendAsync(new { op = "wait", until = "document.body.dataset.live === 'open'" });
        const string slicesMarks = "document.getElementById('slices').dataset.marks ?? 'undrawn'";
        Assert.Equal("undrawn", (await _browser.EvalAsync(slicesMarks))!.GetValue<string>());

        // A Tell while the slices are out of sight: the history shows it, the slices stay undrawn.
        var trial = await study.AskAsync();
        await study.TellAsync(trial, 0.5);
        await _browser.SendAsync(new { op = "wait", until = "Number(document.getElementById('history').dataset.marks) === 5" });
        Assert.Equal("undrawn", (await _browser.EvalAsync(slicesMarks))!.GetValue<string>());

        // Scrolled to, they are drawn with every complete trial, the told one included: 5 trials x 3 parameters.
        await _browser.EvalAsync("document.getElementById('slices').scrollIntoView(); 0");
        await _browser.SendAsync(new { op = "wait", until = "document.getElementById('slices').dataset.marks !== undefined" });
        Assert.Equal(15, await MarksAsync("slices"));
        Assert.Empty(await _browser.ProblemsAsync());
    }

    [Fact]
    public async Task ThePageFollowsTheStudyAcrossAReplicaRestartFromItsCursor()
    {
        var study = await RunStudyAsync("team-a/restart", 3);
        await OpenAsync("#/study/team-a%2Frestart", AdminKey);
        await _browser.SendAsync(new { op = "wait", until = "document.body.dataset.live === 'open'" });
        await _browser.EvalAsync("window.__loaded = true; 0");

        await _server.RestartAsync();
        var trial = await study.AskAsync();
        await study.TellAsync(trial, 0.25);
        await _browser.SendAsync(new { op = "wait", until = "Number(document.getElementById('history').dataset.marks) === 4", timeout = 15000 });
        Assert.True((await _browser.EvalAsync("window.__loaded"))!.GetValue<bool>(), "the page was loaded again");
        // The dashboard's watch resumed; the page's own stream stayed open.
        Assert.Equal("open", (await _browser.EvalAsync("document.body.dataset.live"))!.GetValue<string>());
        Assert.Empty(await _browser.ProblemsAsync());
    }

    [Fact]
    public async Task TheTrialAndComparePagesRenderWithoutProblems()
    {
        await RunStudyAsync("team-a/one", 5);
        await RunStudyAsync("team-a/two", 5);
        await OpenAsync("#/study/team-a%2Fone/trial/1", AdminKey);
        var fields = (await _browser.EvalAsync("document.querySelector('dl.fields').textContent"))!.GetValue<string>();
        Assert.Contains("dashboard-test", fields);
        Assert.Equal(1, await MarksAsync("curves"));
        Assert.Empty(await _browser.ProblemsAsync());

        await OpenAsync("#/compare/team-a%2Fone,team-a%2Ftwo", AdminKey);
        Assert.Equal(2, await MarksAsync("trials"));
        Assert.Equal(2, await MarksAsync("compute"));
        Assert.Equal(2, (await _browser.EvalAsync("document.querySelectorAll('#studies tbody tr').length"))!.GetValue<int>());
        Assert.Empty(await _browser.ProblemsAsync());
    }

    [Fact]
    public async Task TwelveParametersInParallelCoordinatesNeverOverlapTheirLabels()
    {
        string[] names =
        [
            "learning_rate", "per_device_train_batch_size", "weight_decay", "warmup_ratio", "lora_rank", "lora_alpha",
            "attention_dropout", "max_seq_length", "gradient_accumulation_steps", "adam_beta1", "adam_beta2", "label_smoothing_factor",
        ];
        var study = await _admin.CreateStudyAsync(new CreateStudyRequest
        {
            Name = "team-a/wide",
            Directions = { Direction.Maximize },
            SearchSpace = new SearchSpace { Params = { names.Select((n, i) => new ParamSpec { Name = n, Float = new FloatDistribution { Low = 1e-5 * (i + 1), High = 0.5 * (i + 1), Log = i % 2 == 0 } }) } },
            Sampler = new SamplerConfig { Seed = 3, Random = new RandomSamplerConfig() },
        });
        for (var i = 0; i < 30; i++)
        {
            var trial = await study.AskAsync();
            for (var step = 0; step < 4; step++)
            {
                await trial.ReportAsync(step, (0.5 * step) + trial.Params["weight_decay"].FloatValue);
            }

            await study.TellAsync(trial, trial.Params["learning_rate"].FloatValue + trial.Params["weight_decay"].FloatValue);
        }

        await OpenAsync("#/study/team-a%2Fwide", AdminKey);
        var texts = (await _browser.SendAsync(new { op = "texts", figure = "parallel" }))["value"]!.AsArray()
            .Select(t => (Text: t!["text"]!.GetValue<string>(), Box: Box(t["box"]!))).ToList();
        Assert.True(texts.Count >= 13 * 2, $"only {texts.Count} labels in the parallel coordinates");
        for (var a = 0; a < texts.Count; a++)
        {
            for (var b = a + 1; b < texts.Count; b++)
            {
                Assert.False(Overlap(texts[a].Box, texts[b].Box), $"'{texts[a].Text}' overlaps '{texts[b].Text}'");
            }
        }

        // The page the README shows.
        var screenshot = await ScreenshotAsync("study-page.png");
        Assert.True(screenshot.Ink(0, 0, screenshot.Width, screenshot.Height) > 10_000);
        // GRPCTUNER_README_SCREENSHOT=docs/dashboard-study.png makes the one README.md shows: the window, as a user sees it first.
        if (Environment.GetEnvironmentVariable("GRPCTUNER_README_SCREENSHOT") is { Length: > 0 } readme)
        {
            await _browser.SendAsync(new { op = "screenshot", path = Path.GetFullPath(readme), fullPage = false });
        }

        Assert.Empty(await _browser.ProblemsAsync());
    }

    private static (double X, double Y, double W, double H) Box(JsonNode box) =>
        (box["x"]!.GetValue<double>(), box["y"]!.GetValue<double>(), box["width"]!.GetValue<double>(), box["height"]!.GetValue<double>());

    private static bool Overlap((double X, double Y, double W, double H) a, (double X, double Y, double W, double H) b) =>
        a.X < b.X + b.W - 0.5 && b.X < a.X + a.W - 0.5 && a.Y < b.Y + b.H - 0.5 && b.Y < a.Y + a.H - 0.5;

    private async Task OpenAsync(string fragment, string key) =>
        await _browser.SendAsync(new { op = "open", url = $"{_url}/{fragment}", key, until = "document.body.dataset.ready === 'true'" });

    private async Task<string[]> ListedStudiesAsync() =>
        (await _browser.EvalAsync("[...document.querySelectorAll('#study-list tbody tr td:nth-child(2)')].map(td => td.textContent)"))!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    private async Task<int> MarksAsync(string figure) =>
        int.Parse((await _browser.EvalAsync($"document.getElementById('{figure}').dataset.marks"))!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<PngImage> ScreenshotAsync(string name)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("dashboard-").FullName, name);
        await _browser.SendAsync(new { op = "screenshot", path });
        return PngImage.Decode(await File.ReadAllBytesAsync(path));
    }

    /// <summary>A TPE study with learning curves and compute; every fifth trial pruned.</summary>
    private async Task<TunerStudy> RunStudyAsync(string name, int trials)
    {
        var study = await _admin.CreateStudyAsync(PlottedStudies.ThreeParams(name, new SamplerConfig { Seed = 5, Tpe = new TpeSamplerConfig() }));
        await PlottedStudies.RunAsync(study, trials, steps: 4, new Compute { CpuSeconds = 2, WallSeconds = 1, DeviceKind = "cpu", DeviceCount = 1 });
        return study;
    }

    private async Task RunParetoStudyAsync(string name)
    {
        var study = await _admin.CreateStudyAsync(new CreateStudyRequest
        {
            Name = name,
            Directions = { Direction.Minimize, Direction.Minimize },
            SearchSpace = new SearchSpace { Params = { new ParamSpec { Name = "x", Float = new FloatDistribution { Low = 0, High = 1 } }, new ParamSpec { Name = "y", Float = new FloatDistribution { Low = 0, High = 1 } } } },
            Sampler = new SamplerConfig { Seed = 2, Nsga2 = new Nsga2SamplerConfig() },
        });
        for (var i = 0; i < 16; i++)
        {
            var trial = await study.AskAsync();
            var (x, y) = (trial.Params["x"].FloatValue, trial.Params["y"].FloatValue);
            await trial.ReportAsync(0, x);
            await study.TellAsync(trial, x, (1 - Math.Sqrt(x)) + y);
        }
    }
}
