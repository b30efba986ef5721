using System.CommandLine;
using GrpcTuner.Agent.Commands;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Commands;

/// <summary>Runs the body of a command that talks to a server; failures become one line in <see cref="CommandLine"/>.</summary>
internal static class CommonOptions
{
    public static async Task<int> RunAsync(ParseResult parse, Func<TunerClient, Task> body)
    {
        using var client = new TunerClient(parse.GetValue(ConnectionOptions.Server)!, ConnectionOptions.ClientOptions(parse));
        await body(client);
        return 0;
    }
}
