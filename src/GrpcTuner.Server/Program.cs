using GrpcTuner.Server;
using Microsoft.Extensions.Configuration;

// Options come from the command line (--redis, --port, --host, --journal, --reap-interval) or from
// GRPCTUNER_-prefixed environment variables, which is what containers set.
var config = new ConfigurationBuilder()
    .AddEnvironmentVariables("GRPCTUNER_")
    .AddCommandLine(args, new Dictionary<string, string>
    {
        ["--redis"] = "Redis",
        ["--port"] = "Port",
        ["--host"] = "Host",
        ["--journal"] = "JournalPath",
        ["--reap-interval"] = "ReapInterval",
    })
    .Build();
var options = config.Get<ServerOptions>() ?? new ServerOptions();
var app = await TunerServer.BuildAsync(options);
await app.RunAsync();
