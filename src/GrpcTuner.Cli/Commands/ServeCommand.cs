using System.CommandLine;
using GrpcTuner.Server;
using Microsoft.Extensions.Hosting;

namespace GrpcTuner.Cli.Commands;

/// <summary><c>grpctuner serve</c>: runs a server replica until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var redis = new Option<string?>("--redis") { Description = "Redis configuration, e.g. 127.0.0.1:6379; without it the embedded store is used" };
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on", DefaultValueFactory = _ => 50051 };
        var journal = new Option<string>("--journal") { Description = "Journal file of the embedded store", DefaultValueFactory = _ => "grpctuner.journal" };
        var memory = new Option<bool>("--memory") { Description = "Keep the embedded store in memory only (nothing survives a restart)" };
        var command = new Command("serve", "Run a server replica") { redis, host, port, journal, memory };
        command.SetAction(async (parse, ct) =>
        {
            var options = new ServerOptions
            {
                Redis = parse.GetValue(redis),
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                JournalPath = parse.GetValue(memory) ? null : parse.GetValue(journal),
            };
            var app = await TunerServer.BuildAsync(options);
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
