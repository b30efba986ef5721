using System.CommandLine;
using Grpc.Core;
using GrpcTuner.Cli.Specs;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Commands;

/// <summary>Options shared by the client commands, and the one place that turns failures into one clear line and exit code 1.</summary>
internal static class CommonOptions
{
    public static Option<string> Server { get; } = new("--server")
    {
        Description = "Server address (default: $GRPCTUNER_SERVER or http://127.0.0.1:50051)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("GRPCTUNER_SERVER") ?? "http://127.0.0.1:50051",
    };

    // No defaults of their own: TunerClientOptions reads $GRPCTUNER_API_KEY and $GRPCTUNER_CA_FILE.
    public static Option<string?> ApiKey { get; } = new("--api-key") { Description = "API key (default: $GRPCTUNER_API_KEY)" };

    public static Option<string?> CaFile { get; } = new("--ca-file")
    {
        Description = "PEM file of the CA that signed the server's TLS certificate (default: $GRPCTUNER_CA_FILE, else the system's roots)",
    };

    /// <summary>Adds --server, --api-key and --ca-file: what every command that talks to a server needs.</summary>
    public static T WithConnection<T>(this T command)
        where T : Command
    {
        command.Options.Add(Server);
        command.Options.Add(ApiKey);
        command.Options.Add(CaFile);
        return command;
    }

    public static TunerClientOptions ClientOptions(ParseResult parse)
    {
        var defaults = new TunerClientOptions();
        return defaults with { ApiKey = parse.GetValue(ApiKey) ?? defaults.ApiKey, CaFile = parse.GetValue(CaFile) ?? defaults.CaFile };
    }

    /// <summary>Runs a command body; gRPC and spec errors become "error: ..." on stderr and exit code 1.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<TunerClient, Task> body)
    {
        try
        {
            using var client = new TunerClient(parse.GetValue(Server)!, ClientOptions(parse));
            await body(client);
            return 0;
        }
        catch (RpcException e)
        {
            var fields = e.FieldViolations();
            var detail = fields.Count > 0 ? string.Join("; ", fields.Select(f => $"{f.Field}: {f.Description}")) : e.Status.Detail;
            await Console.Error.WriteLineAsync($"error: {e.StatusCode}: {detail}");
            return 1;
        }
        catch (SpecException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }
}
