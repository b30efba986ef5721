using System.CommandLine;
using GrpcTuner.Agent.Commands;
using GrpcTuner.Cli.Dashboard;
using Microsoft.Extensions.Hosting;

namespace GrpcTuner.Cli.Commands;

/// <summary><c>grpctuner dashboard --server URL [--port 8080]</c>: the live web dashboard of a server, until stopped.</summary>
internal static class DashboardCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port of the dashboard (HTTP/1.1)", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "Address to listen on; 0.0.0.0 shows it to the network", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("dashboard", "Serve the live web dashboard of a server: studies, plots that follow every trial, trials, comparisons")
        {
            // No --api-key: each page enters its own key, and the dashboard lends none.
            ConnectionOptions.Server, ConnectionOptions.CaFile, port, host,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new DashboardOptions(parse.GetValue(ConnectionOptions.Server)!, parse.GetValue(host)!, parse.GetValue(port), ConnectionOptions.ClientOptions(parse) with { ApiKey = null });
            await using var app = DashboardHost.Build(options);
            await DashboardHost.StartAsync(app, options, "--port", ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
