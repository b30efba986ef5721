using GrpcTuner.Core.Access;
using GrpcTuner.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace GrpcTuner.Cli.Commands;

/// <summary>
/// A server on the embedded store inside a command (run, cbs grid), with authentication on and a
/// one-time admin key that the command's own client and agents share. Its journal is a temporary
/// file unless the user names one to keep.
/// </summary>
internal sealed class EmbeddedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _keepJournal;

    private EmbeddedServer(WebApplication app, string address, string adminKey, string journal, bool keepJournal)
    {
        (_app, Address, AdminKey, Journal, _keepJournal) = (app, address, adminKey, journal, keepJournal);
    }

    public string Address { get; }

    public string AdminKey { get; }

    public string Journal { get; }

    /// <summary>Starts it; Ctrl-C and SIGTERM, which its host's console lifetime takes, cancel <paramref name="interrupted"/>.</summary>
    public static async Task<EmbeddedServer> StartAsync(string? journal, CancellationTokenSource interrupted, CancellationToken ct)
    {
        var (_, adminKey) = ApiKeySecret.Generate();
        var path = journal ?? Path.Combine(Path.GetTempPath(), $"grpctuner-run-{Guid.NewGuid():N}.journal");
        var app = await TunerServer.BuildAsync(new ServerOptions { Port = 0, AdminKey = adminKey, JournalPath = path }, logging: l => l.ClearProviders());
        await app.StartAsync(ct);
        app.Lifetime.ApplicationStopping.Register(interrupted.Cancel);
        var address = TunerServer.Addresses(app)[0];
        Console.WriteLine($"server on the embedded store at {address}, journal {path}");
        return new EmbeddedServer(app, address, adminKey, path, journal is not null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        if (!_keepJournal)
        {
            File.Delete(Journal);
        }

        Console.WriteLine(_keepJournal ? $"journal kept at {Journal}" : "journal deleted (--journal PATH keeps it)");
    }
}
