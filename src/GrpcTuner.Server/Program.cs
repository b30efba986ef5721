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
    Console.WriteLine($"  {"--probe",-16} ask the replica these options describe, on loopback, whether it serves; exit 0 when it does (a container health check)");
    return 0;
}

// Configuration binding ignores what it does not know: a misspelt flag would start a server without it.
var known = flags.Keys.Append("--no-auth").Append("--probe").ToHashSet(StringComparer.Ordinal);
foreach (var flag in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=')[0]))
{
    if (!known.Contains(flag))
    {
        var near = known.MinBy(k => Distance(k, flag))!;
        await Console.Error.WriteLineAsync($"error: unknown option {flag}{(Distance(near, flag) <= 3 ? $"; did you mean {near}?" : "")} (--help lists them)");
        return 1;
    }
}

if (args.Contains("--probe"))
{
    return await GrpcTuner.Server.Hosting.ReadinessProbe.RunAsync(ServerOptions.Load(args.Where(a => a != "--probe").ToArray(), flags));
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

// Levenshtein distance, for the suggestion.
static int Distance(string a, string b)
{
    var row = Enumerable.Range(0, b.Length + 1).ToArray();
    for (var i = 1; i <= a.Length; i++)
    {
        var (previous, row0) = (row[0], i);
        row[0] = row0;
        for (var j = 1; j <= b.Length; j++)
        {
            var current = row[j];
            row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
    }

    return row[b.Length];
}
