using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using GrpcTuner.Cli.Dashboard;
using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Benchmarks.Dashboard;

/// <summary>
/// The dashboard's study page on a large study on Redis (6 parameters, 10 reports per trial), in
/// Debian's chromium: time from navigation until the plots in the window are drawn and the page
/// answers a script (interactive), until every plot is drawn as the page is scrolled through, and until the fANOVA importances are drawn, with the study's view in the dashboard
/// still loaded (warm) and not (cold); the time from a Tell to the history plot
/// showing it; and what following the study costs the server, counted by its own metrics: the RPCs
/// of each method that it answered while one page stayed open and trials were told.
/// </summary>
internal static partial class DashboardSpeed
{
    public static async Task RunAsync(RedisServer redis, int trials, int runs, int tells)
    {
        var metricsPort = RedisServer.FreePort();
        await using var server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, Redis = redis.Configuration, RedisKeyPrefix = $"dash-{Guid.NewGuid():N}:", MetricsPort = metricsPort });
        using var client = server.Client(new TunerClientOptions { WorkerId = "dashboard-bench" });
        var study = await FillAsync(client, trials);

        // A view closes 5 s after its last page leaves: a page opened again within that finds the
        // study loaded (warm); one opened later loads it from the server again (cold).
        var options = new DashboardOptions(server.Address, "127.0.0.1", 0, new TunerClientOptions { ApiKey = null, WorkerId = "dashboard" }) { ViewIdle = TimeSpan.FromSeconds(5) };
        await using var dashboard = DashboardHost.Build(options);
        await DashboardHost.StartAsync(dashboard, options, "--port", CancellationToken.None);
        await using var browser = await BrowserDriver.StartAsync();
        var url = $"{dashboard.Urls.First()}/#/study/{Uri.EscapeDataString(study.Name)}";

        await browser.SendAsync(new { op = "open", url = "about:blank" });
        await LoadAsync(browser, url, TimeSpan.FromSeconds(1));
        var warm = new List<Load>();
        var cold = new List<Load>();
        for (var run = 0; run < runs; run++)
        {
            warm.Add(await LoadAsync(browser, url, TimeSpan.FromSeconds(1)));
        }

        for (var run = 0; run < runs; run++)
        {
            cold.Add(await LoadAsync(browser, url, options.ViewIdle + TimeSpan.FromSeconds(3)));
        }

        // Live: one page open on the study; its trials told one at a time.
        await browser.SendAsync(new { op = "wait", until = "document.body.dataset.live === 'open'" });
        var before = await RequestsAsync(metricsPort);
        var shown = new List<double>();
        var complete = trials;
        for (var i = 0; i < tells; i++)
        {
            var trial = await study.AskAsync();
            await study.TellAsync(trial, 0.5);
            complete++;
            var clock = Stopwatch.StartNew();
            await browser.SendAsync(new { op = "wait", until = $"Number(document.getElementById('history').dataset.marks) === {complete}", timeout = 30000 });
            shown.Add(clock.Elapsed.TotalMilliseconds);
        }

        // Closing the page leaves the study's view idle: it closes its watch, which the server then counts as answered.
        await browser.SendAsync(new { op = "open", url = "about:blank" });
        await Task.Delay(options.ViewIdle + TimeSpan.FromSeconds(3));
        var after = await RequestsAsync(metricsPort);
        var problems = await browser.ProblemsAsync();

        Console.WriteLine($"dashboard study page, {trials:N0} trials (6 parameters, 10 reports each), Redis, {runs} loads each way after one warm-up, in a tab of a running chromium");
        Console.WriteLine("| measure | median | min | max |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (name, loads) in new[] { ("warm: the study open in another page, or within 5 s", warm), ("cold: the dashboard loads the study from the server", cold) })
        {
            Row($"{name}: navigation to the plots in the window drawn and the page answering (interactive)", loads.Select(l => l.Stages[5]).ToList());
            Row($"{name}: navigation to every plot and the trials table drawn (the page scrolled through as soon as it answers)", loads.Select(l => l.Stages[6]).ToList());
            Row($"{name}: navigation to fANOVA importances drawn", loads.Select(l => l.Importances).ToList());
        }

        Row($"Tell answered to the history plot showing it ({tells} Tells, one page open)", shown);
        Console.WriteLine();
        Console.WriteLine("where the time to interactive goes (median ms from the page's navigation start):");
        Console.WriteLine("| load | scripts run (DOMContentLoaded) | study data requested | data answered | data parsed | plots in the window laid out | page answers | every plot drawn |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (name, loads) in new[] { ("warm", warm), ("cold", cold) })
        {
            Console.WriteLine($"| {name} | " + string.Join(" | ", Enumerable.Range(0, 7).Select(i => loads.Select(l => l.Stages[i]).Order().ElementAt(loads.Count / 2).ToString("F0", CultureInfo.InvariantCulture))) + " |");
        }

        Console.WriteLine($"layout of each plot on the last load, ms: {cold[^1].Layout}");
        Console.WriteLine();
        Console.WriteLine($"RPCs the server answered while the page followed the study and {tells} trials were told, by method:");
        foreach (var (method, count) in after.Select(kv => (kv.Key, kv.Value - before.GetValueOrDefault(kv.Key))).Where(m => m.Item2 > 0).OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {method}: {count}");
        }

        Console.WriteLine(problems.Count == 0 ? "no console error or failed request" : $"problems: {string.Join("; ", problems)}");
    }

    private sealed record Load(double[] Stages, double Importances, string? Layout);

    /// <summary>Opens the study page in the tab after <paramref name="pause"/> on a blank page (the last page's teardown is not timed).</summary>
    private static async Task<Load> LoadAsync(BrowserDriver browser, string url, TimeSpan pause)
    {
        await browser.SendAsync(new { op = "goto", url = "about:blank" });
        await Task.Delay(pause);
        await browser.SendAsync(new { op = "goto", url, until = "document.body.dataset.firstScreen" });
        var answered = (await browser.EvalAsync("performance.now()"))!.GetValue<double>();
        // The page draws a plot once it comes near the window: scrolled through, figure by figure, then to the table at its end.
        await browser.SendAsync(new { op = "figures" });
        await browser.EvalAsync("window.scrollTo(0, document.documentElement.scrollHeight); 0");
        await browser.SendAsync(new { op = "wait", until = "document.body.dataset.rendered" });
        var stages = (await browser.EvalAsync(Stages))!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        stages = [.. stages[..5], answered, stages[5]];
        // Back at the top, where the importances plot is in the window.
        await browser.EvalAsync("window.scrollTo(0, 0); 0");
        await browser.SendAsync(new { op = "wait", until = "document.body.dataset.importances === 'drawn'", timeout = 60000 });
        var importances = (await browser.EvalAsync("performance.now()"))!.GetValue<double>();
        var layout = (await browser.EvalAsync("performance.getEntriesByType('measure').filter((m) => m.name.startsWith('plot:')).map((m) => `${m.name.slice(5)} ${Math.round(m.duration)}`).join(', ')"))?.ToString();
        return new Load(stages, importances, layout);
    }

    /// <summary>The page's own timings, read once every plot is drawn; the time it first answered a script goes in before the last.</summary>
    private const string Stages = """
        (() => {
          const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
          const data = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/study?"));
          return [performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd, data.startTime, data.responseEnd, at("study:data"), at("study:first-screen"), at("study:plots")];
        })()
        """;

    private static void Row(string name, List<double> ms)
    {
        var sorted = ms.Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {sorted[sorted.Count / 2]:F0} ms | {sorted[0]:F0} ms | {sorted[^1]:F0} ms |"));
    }

    private static async Task<TunerStudy> FillAsync(TunerClient client, int trials)
    {
        var study = await client.CreateStudyAsync(new CreateStudyRequest
        {
            Name = "large",
            Directions = { Direction.Minimize },
            SearchSpace = new SearchSpace
            {
                Params =
                {
                    new ParamSpec { Name = "learning_rate", Float = new FloatDistribution { Low = 1e-5, High = 1e-1, Log = true } },
                    new ParamSpec { Name = "weight_decay", Float = new FloatDistribution { Low = 0, High = 0.3 } },
                    new ParamSpec { Name = "dropout", Float = new FloatDistribution { Low = 0, High = 0.5 } },
                    new ParamSpec { Name = "warmup_ratio", Float = new FloatDistribution { Low = 0, High = 0.2 } },
                    new ParamSpec { Name = "layers", Int = new IntDistribution { Low = 1, High = 12, Step = 1 } },
                    new ParamSpec { Name = "optimizer", Categorical = new CategoricalDistribution { Choices = { new ParamValue { StringValue = "adamw" }, new ParamValue { StringValue = "sgd" }, new ParamValue { StringValue = "lion" } } } },
                },
            },
            Sampler = new SamplerConfig { Seed = 1, Random = new RandomSamplerConfig() },
        });
        var random = new Random(7);
        for (var added = 0; added < trials; added += 1000)
        {
            var request = new AddTrialsRequest { Study = study.Name };
            for (var i = 0; i < Math.Min(1000, trials - added); i++)
            {
                var (lr, wd, layers) = (Math.Pow(10, -5 + (4 * random.NextDouble())), 0.3 * random.NextDouble(), random.Next(1, 13));
                var value = Math.Pow(Math.Log10(lr) + 3, 2) + wd + (0.05 * layers) + (0.1 * random.NextDouble());
                var trial = new FrozenTrial
                {
                    State = TrialState.Complete,
                    Values = { value },
                    Params =
                    {
                        ["learning_rate"] = new ParamValue { FloatValue = lr },
                        ["weight_decay"] = new ParamValue { FloatValue = wd },
                        ["dropout"] = new ParamValue { FloatValue = 0.5 * random.NextDouble() },
                        ["warmup_ratio"] = new ParamValue { FloatValue = 0.2 * random.NextDouble() },
                        ["layers"] = new ParamValue { IntValue = layers },
                        ["optimizer"] = new ParamValue { StringValue = new[] { "adamw", "sgd", "lion" }[random.Next(3)] },
                    },
                };
                trial.IntermediateValues.AddRange(Enumerable.Range(0, 10).Select(s => new IntermediateValue { Step = s, Value = value + (1.0 / (s + 1)) }));
                request.Trials.Add(trial);
            }

            await client.Raw.AddTrialsAsync(request);
        }

        return study;
    }

    /// <summary>grpctuner_requests_total from the server's Prometheus endpoint, summed by method.</summary>
    private static async Task<Dictionary<string, double>> RequestsAsync(int port)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        return RequestLine().Matches(text).GroupBy(m => m.Groups["rpc"].Value)
            .ToDictionary(g => g.Key, g => g.Sum(m => double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture)), StringComparer.Ordinal);
    }

    [GeneratedRegex("^grpctuner_requests_total\\{[^}]*rpc=\"(?<rpc>[^\"]+)\"[^}]*\\} (?<n>[0-9.e+]+)", RegexOptions.Multiline)]
    private static partial Regex RequestLine();
}
