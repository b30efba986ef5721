using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.AspNetCore.Server.Model;
using Grpc.Reflection;
using Grpc.Reflection.V1Alpha;
using GrpcTuner.Server.Hosting;
using GrpcTuner.Server.Access;
using GrpcTuner.Server.Engine;
using GrpcTuner.Server.Errors;
using GrpcTuner.Server.Services;
using GrpcTuner.Server.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
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
    /// <param name="options">Where to listen, which store, keys and TLS.</param>
    /// <param name="store">A store to use instead of the one the options name (tests).</param>
    /// <param name="logging">Changes to the logging setup.</param>
    /// <param name="time">The clock of leases and reaping; tests give a fake one to expire leases without waiting.</param>
    public static async Task<WebApplication> BuildAsync(ServerOptions options, IStudyStore? store = null, Action<ILoggingBuilder>? logging = null, TimeProvider? time = null)
    {
        store ??= await OpenStoreAsync(options).ConfigureAwait(false);
        var builder = WebApplication.CreateSlimBuilder();
        var certificate = TlsCertificate(options);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Parse(options.Host), options.Port, l =>
            {
                l.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    l.UseHttps(certificate);
                }
            });
            if (options.MetricsPort is { } metrics)
            {
                // Prometheus scrapes over HTTP/1.1; the gRPC port speaks only HTTP/2, so /metrics is reachable here alone.
                k.Listen(IPAddress.Parse(options.Host), metrics, l => l.Protocols = HttpProtocols.Http1);
            }
        });
        // ASP.NET Core logs several lines per call at Information: requests are Debug detail, not news.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // So does gRPC's: a malformed message is answered INVALID_ARGUMENT and logged by us in one line, not with its trace.
        builder.Logging.AddFilter("Grpc.AspNetCore.Server", LogLevel.Warning);
        if (logging is not null)
        {
            logging(builder.Logging);
        }

        builder.Services.AddSingleton(options);
        // SIGTERM: requests still running after this grace are abandoned, so a replica always stops in bounded time.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownGrace);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(store as IKeyStore ?? throw new InvalidOperationException($"{store.GetType().Name} keeps no API keys"));
        builder.Services.AddSingleton<KeyAuthenticator>();
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton<TunerTelemetry>();
        builder.Services.AddSingleton<StudyEngine>();
        AddOpenTelemetry(builder.Services, options);
        builder.Services.AddSingleton<CoverageRecommender>();
        builder.Services.AddHostedService<LeaseReaper>();
        builder.Services.AddGrpc(o =>
        {
            // Metrics outermost, to see final statuses; then errors, so that access refusals become statuses like any other error.
            o.Interceptors.Add<MetricsInterceptor>();
            o.Interceptors.Add<ErrorInterceptor>();
            o.Interceptors.Add<AccessInterceptor>();
            o.MaxReceiveMessageSize = options.MaxRequestBytes;
        });
        builder.Services.AddTransient<TunerGrpcService>();
        builder.Services.AddTransient<AdminGrpcService>();
        builder.Services.AddSingleton<IServiceMethodProvider<StrictEndpoint<TunerGrpcService>>>(
            new StrictMethodProvider<TunerGrpcService>(b => V1.TunerService.BindService(b, null)));
        builder.Services.AddSingleton<IServiceMethodProvider<StrictEndpoint<AdminGrpcService>>>(
            new StrictMethodProvider<AdminGrpcService>(b => V1.AdminService.BindService(b, null)));
        // Reflection lists descriptors itself: the strict endpoints carry no attribute for it to discover them by.
        builder.Services.AddSingleton(new ReflectionServiceImpl(
            V1.TunerService.Descriptor, V1.AdminService.Descriptor, Grpc.Health.V1.Health.Descriptor, ServerReflection.Descriptor));
        // Each Check asks the store now: a cached result would report Redis up for half a minute after it went down.
        builder.Services.AddGrpcHealthChecks(o => o.UseHealthChecksCache = false).AddCheck<StoreHealthCheck>("store");
        var app = builder.Build();
        app.UseMiddleware<GrpcFrameGuard>();
        if (options.MetricsPort is not null)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(c => c.Request.Protocol == "HTTP/1.1" && c.Request.Path == "/metrics");
        }

        app.MapGrpcService<StrictEndpoint<TunerGrpcService>>();
        app.MapGrpcService<StrictEndpoint<AdminGrpcService>>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcService<ReflectionServiceImpl>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var grpc = Addresses(app);
            var addresses = string.Join(", ", grpc);
            ServerLog.Started(app.Logger, addresses, options.Redis is null ? "embedded" : "Redis");
            foreach (var metrics in AllAddresses(app).Except(grpc))
            {
                ServerLog.Metrics(app.Logger, metrics);
            }
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

    /// <summary>
    /// Starts a built replica and serves until <paramref name="ct"/> or a shutdown signal; a port
    /// another process holds is an <see cref="IOException"/> that says which and what to do.
    /// </summary>
    public static async Task RunAsync(WebApplication app, CancellationToken ct = default)
    {
        var options = app.Services.GetRequiredService<ServerOptions>();
        EnsureFree(options.Host, options.Port, "--port (GRPCTUNER_PORT)");
        if (options.MetricsPort is { } metrics)
        {
            EnsureFree(options.Host, metrics, "--metrics-port (GRPCTUNER_METRICSPORT)");
        }

        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException?.GetType().Name == "AddressInUseException")
        {
            throw new IOException($"{e.Message} {AnotherProcessListens("--port (GRPCTUNER_PORT)")}", e);
        }

        await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Kestrel reports a port another process holds only after the host has logged the failure with
    /// its stack trace; checked first, the common case is one line. A port taken in between still
    /// fails the start, as before.
    /// </summary>
    internal static void EnsureFree(string host, int port, string option)
    {
        if (port == 0)
        {
            return;
        }

        try
        {
            var listener = new TcpListener(IPAddress.Parse(host), port);
            listener.Start();
            listener.Stop();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new IOException($"Failed to bind to address {host}:{port}: address already in use. {AnotherProcessListens(option)}", e);
        }
    }

    private static string AnotherProcessListens(string option) => $"Another process listens there: stop it, or choose another port with {option}.";

    /// <summary>Meters to Prometheus when a metrics port is set; Ask and Tell spans to OTLP when OTEL_EXPORTER_OTLP_ENDPOINT says where.</summary>
    private static void AddOpenTelemetry(IServiceCollection services, ServerOptions options)
    {
        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("grpctuner-server"));
        if (options.MetricsPort is not null)
        {
            telemetry.WithMetrics(m => m.AddMeter(TunerTelemetry.Name).AddPrometheusExporter());
        }

        if (Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 })
        {
            telemetry.WithTracing(t => t.AddSource(TunerTelemetry.Name).AddOtlpExporter());
        }
    }

    /// <summary>Where a started replica's gRPC service listens, for example http://127.0.0.1:50051: every address Kestrel bound but the metrics endpoint's, bound after it.</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        var all = AllAddresses(app);
        return app.Services.GetRequiredService<ServerOptions>().MetricsPort is null || all.Count < 2 ? all : all[..^1];
    }

    private static List<string> AllAddresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static X509Certificate2? TlsCertificate(ServerOptions options) => (options.TlsCertificate, options.TlsKey) switch
    {
        (null, null) => null,
        ({ } cert, { } key) => LoadPem(cert, key),
        (null, _) => throw new ArgumentException("--tls-key was given without --tls-cert: TLS needs both the certificate chain and its key (GRPCTUNER_TLSCERTIFICATE, GRPCTUNER_TLSKEY)"),
        (_, null) => throw new ArgumentException("--tls-cert was given without --tls-key: TLS needs both the certificate chain and its key (GRPCTUNER_TLSCERTIFICATE, GRPCTUNER_TLSKEY)"),
    };

    private static X509Certificate2 LoadPem(string cert, string key)
    {
        foreach (var (path, flag) in new[] { (cert, "--tls-cert"), (key, "--tls-key") })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{flag}: {path} does not exist", path);
            }
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(cert, key);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new InvalidDataException($"--tls-cert {cert} and --tls-key {key} are not a PEM certificate chain and its private key: {e.Message}", e);
        }
    }

    private static async Task<IStudyStore> OpenStoreAsync(ServerOptions options) =>
        options.Redis is { } redis
            ? await RedisStudyStore.ConnectAsync(redis, options.RedisKeyPrefix).ConfigureAwait(false)
            : new EmbeddedStudyStore(options.JournalPath, fsync: options.JournalFsync);
}
