using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace GrpcTuner.Testing;

/// <summary>A real server replica (Kestrel, HTTP/2) on a free loopback port.</summary>
public sealed class ServerReplica : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServerReplica(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public static async Task<ServerReplica> StartAsync(ServerOptions options, IStudyStore? store = null, TimeProvider? time = null)
    {
        var app = await TunerServer.BuildAsync(options with { Port = 0, Host = "127.0.0.1" }, store,
            logging => logging.SetMinimumLevel(LogLevel.Warning), time);
        await app.StartAsync();
        return new ServerReplica(app, TunerServer.Addresses(app)[0]);
    }

    public TunerClient Client(TunerClientOptions? options = null) => new(Address, options);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
