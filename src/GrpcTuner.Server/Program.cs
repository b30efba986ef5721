using GrpcTuner.Server;
using Microsoft.Extensions.Configuration;

// Options come from the command line (--redis, --port, --host, --journal, --reap-interval,
// --admin-key, --tls-cert, --tls-key, --metrics-port, --no-auth) or from GRPCTUNER_-prefixed environment variables
// (GRPCTUNER_REDIS, GRPCTUNER_ADMINKEY, GRPCTUNER_NOAUTH=true, ...), which is what containers set.
var config = new ConfigurationBuilder()
    .AddEnvironmentVariables("GRPCTUNER_")
    .AddCommandLine(args.Select(a => a == "--no-auth" ? "--NoAuth=true" : a).ToArray(), new Dictionary<string, string>
    {
        ["--redis"] = "Redis",
        ["--port"] = "Port",
        ["--host"] = "Host",
        ["--journal"] = "JournalPath",
        ["--reap-interval"] = "ReapInterval",
        ["--admin-key"] = "AdminKey",
        ["--tls-cert"] = "TlsCertificate",
        ["--tls-key"] = "TlsKey",
        ["--metrics-port"] = "MetricsPort",
    })
    .Build();
var options = config.Get<ServerOptions>() ?? new ServerOptions();
var app = await TunerServer.BuildAsync(options);
await app.RunAsync();
