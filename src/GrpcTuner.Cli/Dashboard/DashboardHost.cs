using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Grpc.Core;
using GrpcTuner.Cli.Charts;
using GrpcTuner.Cli.Exports;
using GrpcTuner.Cli.Reports;
using GrpcTuner.Client;
using GrpcTuner.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace GrpcTuner.Cli.Dashboard;

/// <summary>Where the dashboard listens and which server it shows.</summary>
internal sealed record DashboardOptions(string Server, string Host, int Port, TunerClientOptions Client)
{
    /// <summary>How long the view of a study no page follows is kept (with its watch) for the next page.</summary>
    public TimeSpan ViewIdle { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// The dashboard: a page and its scripts served from this binary (ECharts included), and a small
/// JSON API that it calls, which takes a study's name as a query parameter (a namespaced name holds
/// a '/'). The API is a client of the server's public gRPC API and nothing else; each
/// call carries the API key the page sent, so a key sees what it may see there and no more.
/// </summary>
internal static class DashboardHost
{
    private static readonly Dictionary<string, (string Resource, string Type)> Assets = new(StringComparer.Ordinal)
    {
        ["/"] = ("GrpcTuner.Cli.Dashboard.index.html", "text/html; charset=utf-8"),
        ["/app.js"] = ("GrpcTuner.Cli.Dashboard.app.js", "text/javascript; charset=utf-8"),
        ["/dashboard.css"] = ("GrpcTuner.Cli.Dashboard.dashboard.css", "text/css; charset=utf-8"),
        ["/painter.js"] = ("GrpcTuner.Cli.Dashboard.painter.js", "text/javascript; charset=utf-8"),
        ["/charts.js"] = ("GrpcTuner.Cli.Charts.charts.js", "text/javascript; charset=utf-8"),
        ["/compare-table.js"] = ("GrpcTuner.Cli.Charts.compare-table.js", "text/javascript; charset=utf-8"),
        ["/echarts.min.js"] = ("GrpcTuner.Cli.Charts.echarts.min.js", "text/javascript; charset=utf-8"),
    };

    public static WebApplication Build(DashboardOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(options.Host), options.Port, l => l.Protocols = HttpProtocols.Http1));
        builder.Services.AddSingleton(new DashboardClients(options.Server, options.Client));
        builder.Services.AddSingleton(new StudyViews(options.ViewIdle));
        var app = builder.Build();
        var views = app.Services.GetRequiredService<StudyViews>();
        app.Lifetime.ApplicationStarted.Register(() => _ = SweepAsync(views, app.Lifetime.ApplicationStopping));
        app.Lifetime.ApplicationStopping.Register(() => views.DisposeAsync().AsTask().GetAwaiter().GetResult());

        // On loopback, only pages addressed to loopback: a site whose name an attacker points at
        // 127.0.0.1 (DNS rebinding) would otherwise read a dashboard of a server without keys.
        if (IPAddress.IsLoopback(IPAddress.Parse(options.Host)))
        {
            app.Use(async (h, next) =>
            {
                if (h.Request.Host.Host is "localhost" || (IPAddress.TryParse(h.Request.Host.Host, out var ip) && IPAddress.IsLoopback(ip)))
                {
                    await next(h);
                    return;
                }

                h.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                await h.Response.WriteAsync($"this dashboard serves {options.Host} only; to show it on the network, start it with --host 0.0.0.0", h.RequestAborted);
            });
        }

        foreach (var (path, (resource, type)) in Assets)
        {
            // Revalidated on every load and answered 304 while unchanged, so the browser keeps its compiled ECharts.
            var body = ReadAll(resource);
            var tag = new EntityTagHeaderValue($"\"{Convert.ToHexString(SHA256.HashData(body))[..16]}\"");
            app.MapGet(path, (HttpContext h) =>
            {
                h.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(body, type, entityTag: tag);
            });
        }

        var api = app.MapGroup("/api");
        api.MapGet("/studies", (HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var rows = new List<object>();
            var token = "";
            do
            {
                var page = await client.Raw.ListStudiesAsync(new V1.ListStudiesRequest { PageToken = token }, cancellationToken: h.RequestAborted);
                foreach (var study in page.Studies)
                {
                    var loaded = await client.LoadStudyAsync(study.Name, h.RequestAborted);
                    rows.Add(StudySummary.Of(study, await loaded.TrialsAsync(h.RequestAborted)));
                }

                token = page.NextPageToken;
            }
            while (token.Length > 0);
            return Results.Json(rows);
        }));
        api.MapGet("/study", ([FromQuery(Name = "study")] string name, HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var view = await views.GetAsync(client, name, h.RequestAborted);
            return Results.Bytes(view.Json("page", (study, trials, cursor) => ReportData.Build(study, trials, importances: false, cursor)), "application/json");
        }));
        api.MapGet("/study/importances", ([FromQuery(Name = "study")] string name, HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var view = await views.GetAsync(client, name, h.RequestAborted);
            return Results.Bytes(view.Json("importances", (study, trials, _) => ReportData.Importances(study, trials)), "application/json");
        }));
        api.MapGet("/study/trial", ([FromQuery(Name = "study")] string name, long number, HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var trial = await client.Raw.GetTrialAsync(new V1.GetTrialRequest { Study = name, TrialNumber = number }, cancellationToken: h.RequestAborted);
            // The trial as the API has it, and as the plots draw it.
            return Results.Text($"{{\"detail\":{Google.Protobuf.JsonFormatter.Default.Format(trial)},\"drawn\":{JsonSerializer.Serialize(ReportData.Of(trial))}}}", "application/json");
        }));
        api.MapGet("/study/trials.csv", ([FromQuery(Name = "study")] string name, HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var view = await views.GetAsync(client, name, h.RequestAborted);
            return Results.Text(CsvExport.Write(TrialColumns.Of(view.Info, view.Snapshot().Trials)), "text/csv; charset=utf-8");
        }));
        api.MapGet("/study/trials.json", ([FromQuery(Name = "study")] string name, HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var view = await views.GetAsync(client, name, h.RequestAborted);
            return Results.Text(JsonExport.Write(view.Snapshot().Trials), "application/json");
        }));
        api.MapGet("/study/events", ([FromQuery(Name = "study")] string name, HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            await LiveEvents.StreamAsync(h, await views.GetAsync(client, name, h.RequestAborted));
            return Results.Empty;
        }));
        api.MapGet("/compare", (HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var names = h.Request.Query["study"].Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).ToList();
            if (names.Count < 2 || names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            {
                return Results.Json(new { code = "InvalidArgument", error = $"study: give two or more different studies, got {names.Count}" }, statusCode: 400);
            }

            var studies = new List<(V1.Study, IReadOnlyList<V1.Trial>)>();
            foreach (var n in names)
            {
                var study = await client.LoadStudyAsync(n, h.RequestAborted);
                studies.Add((study.Info, await study.TrialsAsync(h.RequestAborted)));
            }

            return Results.Json(CompareData.Build(studies));
        }));
        return app;
    }

    /// <summary>Starts serving; a taken port is one line that names <paramref name="portOption"/>.</summary>
    public static async Task StartAsync(WebApplication app, DashboardOptions options, string portOption, CancellationToken ct)
    {
        TunerServer.EnsureFree(options.Host, options.Port, portOption);
        await app.StartAsync(ct);
        Console.WriteLine($"dashboard of {options.Server} at {app.Urls.First()}/");
    }

    /// <summary>Closes idle study views now and then, so that their watches end without waiting for the next request.</summary>
    private static async Task SweepAsync(StudyViews views, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(views.Idle / 2);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                await views.SweepAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // The dashboard stops; its views are closed with it.
        }
    }

    /// <summary>Runs a call with the page's key; a refusal of the server is the page's error, with its status and detail.</summary>
    private static async Task<IResult> CallAsync(HttpContext http, DashboardClients clients, Func<TunerClient, Task<IResult>> call)
    {
        try
        {
            return await call(clients.For(http.Request.Headers.Authorization));
        }
        catch (RpcException e)
        {
            var status = e.StatusCode switch
            {
                StatusCode.Unauthenticated => 401,
                StatusCode.PermissionDenied => 403,
                StatusCode.NotFound => 404,
                StatusCode.InvalidArgument or StatusCode.FailedPrecondition => 400,
                StatusCode.Unavailable or StatusCode.DeadlineExceeded => 503,
                _ => 502,
            };
            return Results.Json(new { code = e.StatusCode.ToString(), error = e.Status.Detail }, statusCode: status);
        }
    }

    private static byte[] ReadAll(string resource)
    {
        using var stream = WebResources.Open(resource);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
