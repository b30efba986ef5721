using System.Net;
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

namespace GrpcTuner.Cli.Dashboard;

/// <summary>Where the dashboard listens and which server it shows.</summary>
internal sealed record DashboardOptions(string Server, string Host, int Port, TunerClientOptions Client);

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
        ["/charts.js"] = ("GrpcTuner.Cli.Charts.charts.js", "text/javascript; charset=utf-8"),
        ["/compare-table.js"] = ("GrpcTuner.Cli.Charts.compare-table.js", "text/javascript; charset=utf-8"),
        ["/echarts.min.js"] = ("GrpcTuner.Cli.Charts.echarts.min.js", "text/javascript; charset=utf-8"),
    };

    private const int MaxPage = 10_000;

    public static WebApplication Build(DashboardOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(options.Host), options.Port, l => l.Protocols = HttpProtocols.Http1));
        builder.Services.AddSingleton(new DashboardClients(options.Server, options.Client));
        var app = builder.Build();

        foreach (var (path, (resource, type)) in Assets)
        {
            var body = ReadAll(resource);
            app.MapGet(path, () => Results.Bytes(body, type));
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
                    var (_, trials, _) = await LoadAsync(client, study.Name, h.RequestAborted);
                    rows.Add(StudySummary.Of(study, trials));
                }

                token = page.NextPageToken;
            }
            while (token.Length > 0);
            return Results.Json(rows);
        }));
        api.MapGet("/study", ([FromQuery(Name = "study")] string name, HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var (study, trials, cursor) = await LoadAsync(client, name, h.RequestAborted);
            return Results.Json(ReportData.Build(study.Info, trials, importances: false, cursor));
        }));
        api.MapGet("/study/importances", ([FromQuery(Name = "study")] string name, HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var (study, trials, _) = await LoadAsync(client, name, h.RequestAborted);
            return Results.Json(ReportData.Importances(study.Info, trials));
        }));
        api.MapGet("/study/trial", ([FromQuery(Name = "study")] string name, long number, HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var trial = await client.Raw.GetTrialAsync(new V1.GetTrialRequest { Study = name, TrialNumber = number }, cancellationToken: h.RequestAborted);
            // The trial as the API has it, and as the plots draw it.
            return Results.Text($"{{\"detail\":{Google.Protobuf.JsonFormatter.Default.Format(trial)},\"drawn\":{JsonSerializer.Serialize(ReportData.Of(trial))}}}", "application/json");
        }));
        api.MapGet("/study/trials.csv", ([FromQuery(Name = "study")] string name, HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var (study, trials, _) = await LoadAsync(client, name, h.RequestAborted);
            return Results.Text(CsvExport.Write(TrialColumns.Of(study.Info, trials)), "text/csv; charset=utf-8");
        }));
        api.MapGet("/study/trials.json", ([FromQuery(Name = "study")] string name, HttpContext h, DashboardClients c) => CallAsync(h, c, async client =>
        {
            var (_, trials, _) = await LoadAsync(client, name, h.RequestAborted);
            return Results.Text(JsonExport.Write(trials), "application/json");
        }));
        api.MapGet("/study/events", async ([FromQuery(Name = "study")] string name, HttpContext h, DashboardClients c) =>
            await LiveEvents.StreamAsync(h, c.For(h.Request.Headers.Authorization), name));
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
                var (study, trials, _) = await LoadAsync(client, n, h.RequestAborted);
                studies.Add((study.Info, trials));
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

    /// <summary>A study, its trials in pages of the most the server gives, and the cursor to follow it from after them.</summary>
    private static async Task<(TunerStudy Study, IReadOnlyList<V1.Trial> Trials, string Cursor)> LoadAsync(TunerClient client, string name, CancellationToken ct)
    {
        var study = await client.LoadStudyAsync(name, ct);
        var trials = new List<V1.Trial>();
        string? cursor = null;
        var token = "";
        do
        {
            var page = await client.Raw.ListTrialsAsync(new V1.ListTrialsRequest { Study = name, PageSize = MaxPage, PageToken = token }, cancellationToken: ct);
            trials.AddRange(page.Trials);
            // The first page's cursor is the oldest: a watch from it misses nothing a later page holds.
            cursor ??= page.WatchCursor;
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return (study, trials, cursor);
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
