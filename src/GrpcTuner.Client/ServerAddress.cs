namespace GrpcTuner.Client;

/// <summary>
/// The one address rule of every client and the agent: <c>host:port</c>, <c>http://host:port</c>,
/// <c>https://host:port</c>, <c>dns:///name:port</c>, or a comma-separated list of replicas. A bare
/// <c>host:port</c> means plaintext, or TLS when a CA file is given.
/// </summary>
public static class ServerAddress
{
    public const string Forms = "host:port, http://host:port, https://host:port or dns:///name:port";

    /// <summary>The address in the form gRPC takes; an <see cref="ArgumentException"/> that names the forms when it is none of them.</summary>
    public static string Normalize(string address, bool tls = false)
    {
        var parts = address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new ArgumentException($"the server address is empty: give {Forms} (--server or GRPCTUNER_SERVER)");
        }

        return string.Join(',', parts.Select(p => One(p, tls)));
    }

    private static string One(string address, bool tls)
    {
        if (address.StartsWith("dns:", StringComparison.Ordinal))
        {
            return address;
        }

        var withScheme = address.Contains("://", StringComparison.Ordinal) ? address : $"{(tls ? "https" : "http")}://{address}";
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Host.Length == 0 || uri.IsDefaultPort && !address.Contains("://", StringComparison.Ordinal) && !HasPort(address))
        {
            throw new ArgumentException($"'{address}' is not a server address: give {Forms} (--server or GRPCTUNER_SERVER)");
        }

        return withScheme;
    }

    private static bool HasPort(string address) => address.LastIndexOf(':') is var colon and > 0 && int.TryParse(address[(colon + 1)..], out _);
}
