using Microsoft.Extensions.Configuration;

namespace GrpcTuner.Server;

/// <summary>How a server replica runs.</summary>
public sealed record ServerOptions
{
    /// <summary>
    /// The options GRPCTUNER_-prefixed environment variables give (GRPCTUNER_REDIS, GRPCTUNER_PORT,
    /// GRPCTUNER_TLSCERTIFICATE, ...; each property by its name), then the command line's, which win:
    /// the one reading that grpctuner-server and grpctuner serve share.
    /// </summary>
    public static ServerOptions Load(IReadOnlyList<string> args, IDictionary<string, string> flags) =>
        new ConfigurationBuilder()
            .AddEnvironmentVariables("GRPCTUNER_")
            .AddCommandLine(args.Select(a => a == "--no-auth" ? "--NoAuth=true" : a).ToArray(), flags)
            .Build()
            .Get<ServerOptions>() ?? new ServerOptions();

    /// <summary>The options the environment alone gives, for defaults of a command line parsed elsewhere.</summary>
    public static ServerOptions FromEnvironment() => Load([], new Dictionary<string, string>());

    /// <summary>StackExchange.Redis configuration; null selects the embedded store.</summary>
    public string? Redis { get; init; }

    /// <summary>Key prefix in Redis, so that several deployments (or tests) can share one server.</summary>
    public string RedisKeyPrefix { get; init; } = "gt:";

    /// <summary>The embedded store's journal; null keeps the embedded store in memory only.</summary>
    public string? JournalPath { get; init; } = "grpctuner.journal";

    /// <summary>
    /// fsync the journal at every group commit: nothing acknowledged is lost even on power loss, at
    /// the cost of a disk flush per commit. Off, a process crash still loses nothing; a power loss can
    /// lose what the operating system had not yet written (typically the last few seconds).
    /// </summary>
    public bool JournalFsync { get; init; }

    /// <summary>Address to listen on.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port to listen on; 0 picks a free one.</summary>
    public int Port { get; init; } = 50051;

    /// <summary>How often expired leases are looked for.</summary>
    public TimeSpan ReapInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Turns authentication off: every caller may do everything. Only by this explicit flag, and
    /// the server warns at start-up; for a laptop or a test, never for a shared cluster.
    /// </summary>
    public bool NoAuth { get; init; }

    /// <summary>On SIGTERM, how long running requests may finish before the server stops anyway (watch streams end at once, UNAVAILABLE).</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A bearer token that reaches every namespace as admin, to create the first keys (from a secret, never a file in the repo).</summary>
    public string? AdminKey { get; init; }

    /// <summary>PEM certificate chain for TLS; with <see cref="TlsKey"/> the server speaks HTTPS only.</summary>
    public string? TlsCertificate { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertificate"/>.</summary>
    public string? TlsKey { get; init; }

    /// <summary>Port of the Prometheus endpoint (HTTP/1.1, GET /metrics); 0 picks a free one; null serves no metrics.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>Largest request message accepted.</summary>
    public int MaxRequestBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>How often WatchStudy looks for new changes while nothing happens.</summary>
    public TimeSpan WatchPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}
