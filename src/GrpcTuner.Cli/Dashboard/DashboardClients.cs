using System.Collections.Concurrent;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Dashboard;

/// <summary>
/// One client of the server per API key the browsers sent, so that every call runs with the key of
/// the page that made it: namespaces and roles apply as to any client. The dashboard lends no key of
/// its own. Keys are few; a flood of made-up ones only empties the table now and then.
/// </summary>
internal sealed class DashboardClients(string server, TunerClientOptions template) : IDisposable
{
    private const int MaxClients = 64;
    private readonly ConcurrentDictionary<string, Lazy<TunerClient>> _clients = new(StringComparer.Ordinal);

    /// <param name="authorization">The request's Authorization header, "Bearer KEY", or null.</param>
    public TunerClient For(string? authorization)
    {
        var key = authorization is { } a && a.StartsWith("Bearer ", StringComparison.Ordinal) ? a["Bearer ".Length..].Trim() : "";
        if (_clients.Count >= MaxClients && !_clients.ContainsKey(key))
        {
            Dispose();
        }

        return _clients.GetOrAdd(key, k => new Lazy<TunerClient>(() => new TunerClient(server, template with { ApiKey = k.Length > 0 ? k : null }))).Value;
    }

    public void Dispose()
    {
        foreach (var key in _clients.Keys)
        {
            if (_clients.TryRemove(key, out var client) && client.IsValueCreated)
            {
                client.Value.Dispose();
            }
        }
    }
}
