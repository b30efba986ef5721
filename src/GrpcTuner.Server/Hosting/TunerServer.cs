using System.Net;
using System.Security.Cryptography.X509Certificates;
using GrpcTuner.Server.Access;
using GrpcTuner.Server.Engine;
using GrpcTuner.Server.Errors;
using GrpcTuner.Server.Services;
using GrpcTuner.Storage;
using GrpcTuner.Storage.Embedded;
using GrpcTuner.Storage.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace GrpcTuner.Server;

/// <summary>Builds a server replica: Kestrel over HTTP/2, the tuner service, health checking and reflection.</summary>
public static class TunerServer
{
    /// <summary>Builds (does not start) a replica. <paramref name="store"/> overrides the store the options select.</summary>
    public static async Task<WebApplication> BuildAsync(ServerOptions options, IStudyStore? store = null, Action<ILoggingBuilder>? logging = null)
    {
        store ??= await OpenStoreAsync(options).ConfigureAwait(false);
        var builder = WebApplication.CreateSlimBuilder();
        var certificate = TlsCertificate(options);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(options.Host), options.Port, l =>
        {
            l.Protocols = HttpProtocols.Http2;
            if (certificate is not null)
            {
                l.UseHttps(certificate);
            }
        }));
        if (logging is not null)
        {
            logging(builder.Logging);
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(store as IKeyStore ?? throw new InvalidOperationException($"{store.GetType().Name} keeps no API keys"));
        builder.Services.AddSingleton<KeyAuthenticator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StudyEngine>();
        builder.Services.AddSingleton<CoverageRecommender>();
        builder.Services.AddHostedService<LeaseReaper>();
        builder.Services.AddGrpc(o =>
        {
            // Errors first, so that access refusals become statuses like any other error.
            o.Interceptors.Add<ErrorInterceptor>();
            o.Interceptors.Add<AccessInterceptor>();
            o.MaxReceiveMessageSize = 16 * 1024 * 1024;
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck("store", () => HealthCheckResult.Healthy());
        var app = builder.Build();
        app.MapGrpcService<TunerGrpcService>();
        app.MapGrpcService<AdminGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = string.Join(", ", Addresses(app));
            ServerLog.Started(app.Logger, addresses, options.Redis is null ? "embedded" : "Redis");
            if (options.NoAuth)
            {
                ServerLog.AuthenticationOff(app.Logger, addresses);
            }
            else if (options.AdminKey is null)
            {
                ServerLog.NoAdminKey(app.Logger);
            }
        });
        app.Lifetime.ApplicationStopped.Register(() => store.DisposeAsync().AsTask().GetAwaiter().GetResult());
        return app;
    }

    /// <summary>The addresses a started replica listens on, for example http://127.0.0.1:50051.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static X509Certificate2? TlsCertificate(ServerOptions options) => (options.TlsCertificate, options.TlsKey) switch
    {
        (null, null) => null,
        ({ } cert, { } key) => X509Certificate2.CreateFromPemFile(cert, key),
        _ => throw new InvalidOperationException("TLS needs both a certificate (--tls-cert) and its key (--tls-key)"),
    };

    private static async Task<IStudyStore> OpenStoreAsync(ServerOptions options) =>
        options.Redis is { } redis
            ? await RedisStudyStore.ConnectAsync(redis, options.RedisKeyPrefix).ConfigureAwait(false)
            : new EmbeddedStudyStore(options.JournalPath);
}
