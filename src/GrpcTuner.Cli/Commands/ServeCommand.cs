using System.CommandLine;
using GrpcTuner.Cli.Dashboard;
using GrpcTuner.Client;
using GrpcTuner.Server;

namespace GrpcTuner.Cli.Commands;

/// <summary><c>grpctuner serve</c>: runs a server replica until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        // Defaults from the same GRPCTUNER_ variables grpctuner-server reads.
        var env = new Lazy<ServerOptions>(ServerOptions.FromEnvironment);
        var redis = new Option<string?>("--redis") { Description = "Redis configuration, e.g. 127.0.0.1:6379; without it the embedded store is used (default: $GRPCTUNER_REDIS)", DefaultValueFactory = _ => env.Value.Redis };
        var host = new Option<string>("--host") { Description = "Address to listen on (default: $GRPCTUNER_HOST or 127.0.0.1)", DefaultValueFactory = _ => env.Value.Host };
        var port = new Option<int>("--port") { Description = "Port to listen on (default: $GRPCTUNER_PORT or 50051)", DefaultValueFactory = _ => env.Value.Port };
        var journal = new Option<string>("--journal") { Description = "Journal file of the embedded store (default: $GRPCTUNER_JOURNALPATH or grpctuner.journal)", DefaultValueFactory = _ => env.Value.JournalPath ?? "grpctuner.journal" };
        var fsync = new Option<bool>("--journal-fsync") { Description = "fsync the journal at every commit: a power loss loses nothing acknowledged (default: $GRPCTUNER_JOURNALFSYNC, else off)", DefaultValueFactory = _ => env.Value.JournalFsync };
        var memory = new Option<bool>("--memory") { Description = "Keep the embedded store in memory only (nothing survives a restart)" };
        var noAuth = new Option<bool>("--no-auth") { Description = "Accept calls without an API key (a laptop, never a shared cluster; default: $GRPCTUNER_NOAUTH)", DefaultValueFactory = _ => env.Value.NoAuth };
        var adminKey = new Option<string?>("--admin-key") { Description = "Admin bearer token, to create the first keys (default: $GRPCTUNER_ADMINKEY)", DefaultValueFactory = _ => env.Value.AdminKey };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate chain: serve HTTPS only (default: $GRPCTUNER_TLSCERTIFICATE)", DefaultValueFactory = _ => env.Value.TlsCertificate };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert (default: $GRPCTUNER_TLSKEY)", DefaultValueFactory = _ => env.Value.TlsKey };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics (HTTP/1.1, GET /metrics) on this port (default: $GRPCTUNER_METRICSPORT)", DefaultValueFactory = _ => env.Value.MetricsPort };
        var dashboardPort = new Option<int?>("--dashboard-port") { Description = "Also serve the web dashboard of this replica (HTTP/1.1) on this port, on the same address" };
        var command = new Command("serve", "Run a server replica") { redis, host, port, journal, fsync, memory, noAuth, adminKey, tlsCert, tlsKey, metricsPort, dashboardPort };
        command.SetAction(async (parse, ct) =>
        {
            var options = new ServerOptions
            {
                Redis = parse.GetValue(redis),
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                JournalPath = parse.GetValue(memory) ? null : parse.GetValue(journal),
                JournalFsync = parse.GetValue(fsync),
                NoAuth = parse.GetValue(noAuth),
                AdminKey = parse.GetValue(adminKey),
                TlsCertificate = parse.GetValue(tlsCert),
                TlsKey = parse.GetValue(tlsKey),
                MetricsPort = parse.GetValue(metricsPort),
            };
            await using var app = await TunerServer.BuildAsync(options);
            if (parse.GetValue(dashboardPort) is not { } dashboard)
            {
                await TunerServer.RunAsync(app, ct);
                return 0;
            }

            TunerServer.EnsureFree(options.Host, dashboard, "--dashboard-port");
            var started = new TaskCompletionSource();
            using var once = app.Lifetime.ApplicationStarted.Register(() => started.TrySetResult());
            var serving = TunerServer.RunAsync(app, ct);
            if (await Task.WhenAny(started.Task, serving) == serving)
            {
                await serving;
                return 0;
            }

            // The dashboard is one more client of this replica, through its public API like any other.
            var view = new DashboardOptions(TunerServer.Addresses(app)[0], options.Host, dashboard, new TunerClientOptions { ApiKey = null, WorkerId = "dashboard" });
            await using var page = DashboardHost.Build(view);
            await DashboardHost.StartAsync(page, view, "--dashboard-port", ct);
            await serving;
            return 0;
        });
        return command;
    }
}
