using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace GrpcTuner.Testing;

/// <summary>A real server replica (Kestrel, HTTP/2) on a free loopback port.</summary>
public sealed class ServerReplica : IAsyncDisposable
{
    private readonly ServerOptions _options;
    private readonly IStudyStore? _store;
    private readonly TimeProvider? _time;
    private WebApplication _app;

    private ServerReplica(WebApplication app, ServerOptions options, IStudyStore? store, TimeProvider? time)
    {
        (_app, _options, _store, _time) = (app, options, store, time);
        Address = TunerServer.Addresses(app)[0];
    }

    public string Address { get; }

    public static async Task<ServerReplica> StartAsync(ServerOptions options, IStudyStore? store = null, TimeProvider? time = null)
    {
        options = options with { Port = 0, Host = "127.0.0.1" };
        return new ServerReplica(await StartAppAsync(options, store, time), options, store, time);
    }

    /// <summary>Stops the replica and starts it again on the same address, as a restarted pod comes back (with Redis, its state too).</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        _app = await StartAppAsync(_options with { Port = new Uri(Address).Port }, _store, _time);
    }

    public TunerClient Client(TunerClientOptions? options = null) => new(Address, options);

    public ValueTask DisposeAsync() => new(StopAsync());

    private static async Task<WebApplication> StartAppAsync(ServerOptions options, IStudyStore? store, TimeProvider? time)
    {
        var app = await TunerServer.BuildAsync(options, store, logging => logging.SetMinimumLevel(LogLevel.Warning), time);
        await app.StartAsync();
        return app;
    }

    private async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
