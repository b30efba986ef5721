using GrpcTuner.Server;

// Options come from the command line (--redis, --port, --host, --journal, --reap-interval,
// --admin-key, --tls-cert, --tls-key, --metrics-port, --no-auth) or from GRPCTUNER_-prefixed environment variables
// (GRPCTUNER_REDIS, GRPCTUNER_ADMINKEY, GRPCTUNER_NOAUTH=true, ...), which is what containers set.
var flags = new Dictionary<string, string>
{
    ["--redis"] = "Redis",
    ["--port"] = "Port",
    ["--host"] = "Host",
    ["--journal"] = "JournalPath",
    ["--journal-fsync"] = "JournalFsync",
    ["--reap-interval"] = "ReapInterval",
    ["--admin-key"] = "AdminKey",
    ["--tls-cert"] = "TlsCertificate",
    ["--tls-key"] = "TlsKey",
    ["--metrics-port"] = "MetricsPort",
};
if (args.Any(a => a is "--help" or "-h" or "-?"))
{
    Console.WriteLine("grpctuner-server: one replica of the tuning service (the same server as 'grpctuner serve')");
    Console.WriteLine();
    Console.WriteLine("Options (each also read from its environment variable):");
    foreach (var (flag, name) in flags)
    {
        Console.WriteLine($"  {flag,-16} GRPCTUNER_{name.ToUpperInvariant()}");
    }

    Console.WriteLine($"  {"--no-auth",-16} GRPCTUNER_NOAUTH=true");
    return 0;
}

try
{
    await using var app = await TunerServer.BuildAsync(ServerOptions.Load(args, flags));
    await TunerServer.RunAsync(app);
    return 0;
}
catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException or FormatException or InvalidOperationException or UnauthorizedAccessException)
{
    // An ordinary mistake (a port in use, a missing file, a bad value, Redis unreachable): one line, no stack trace.
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 1;
}
