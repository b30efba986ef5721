using System.CommandLine;
using GrpcTuner.Client;

namespace GrpcTuner.Agent.Commands;

/// <summary>--server, --api-key and --ca-file, the same options with the same variables for the agent and every CLI command that talks to a server.</summary>
public static class ConnectionOptions
{
    public const string DefaultServer = "127.0.0.1:50051";

    public static Option<string> Server { get; } = new("--server")
    {
        Description = $"Server address: {ServerAddress.Forms}, or a comma-separated list of replicas (default: $GRPCTUNER_SERVER or {DefaultServer})",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("GRPCTUNER_SERVER") ?? DefaultServer,
    };

    // No defaults of their own: TunerClientOptions reads $GRPCTUNER_API_KEY and $GRPCTUNER_CA_FILE.
    public static Option<string?> ApiKey { get; } = new("--api-key") { Description = "API key (default: $GRPCTUNER_API_KEY)" };

    public static Option<string?> CaFile { get; } = new("--ca-file")
    {
        Description = "PEM file of the CA that signed the server's TLS certificate (default: $GRPCTUNER_CA_FILE, else the system's roots)",
    };

    /// <summary>Adds the three options to a command.</summary>
    public static T WithConnection<T>(this T command)
        where T : Command
    {
        command.Options.Add(Server);
        command.Options.Add(ApiKey);
        command.Options.Add(CaFile);
        return command;
    }

    /// <summary>The client options the command line asks for, over the defaults the variables give.</summary>
    public static TunerClientOptions ClientOptions(ParseResult parse, TunerClientOptions? defaults = null)
    {
        defaults ??= new TunerClientOptions();
        return defaults with { ApiKey = parse.GetValue(ApiKey) ?? defaults.ApiKey, CaFile = parse.GetValue(CaFile) ?? defaults.CaFile };
    }
}
