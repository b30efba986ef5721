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

    /// <summary>Runs a command body; gRPC and spec errors become "error: ..." on stderr and exit code 1.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<TunerClient, Task> body)
    {
        try
        {
            using var client = new TunerClient(parse.GetValue(Server)!);
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
