using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using GrpcTuner.V1;

namespace GrpcTuner.Client;

/// <summary>
/// Entry point of the .NET SDK: one channel to one replica, to a DNS name of several ("dns:///tuner:50051") or to a
/// comma-separated list of replicas, balanced round robin; with
/// retries on UNAVAILABLE for the calls that are safe to repeat. Ask is made safe by a request id
/// that a retry reuses, so a retried Ask never starts a second trial.
/// </summary>
public sealed class TunerClient : IDisposable
{
    private readonly GrpcChannel _channel;

    public TunerClient(string address, TunerClientOptions? options = null)
    {
        options ??= new TunerClientOptions();
        // gRPC refuses a retry policy of one attempt, so "no retries" is no retry policy at all.
        var config = new ServiceConfig();
        if (options.MaxAttempts > 1)
        {
            config.MethodConfigs.Add(RetryConfig(options));
        }

        _channel = ChannelFactory.Create(address, options, config);
        var invoker = options.ApiKey is { Length: > 0 } key
            ? _channel.Intercept(headers =>
            {
                headers.Add("authorization", $"Bearer {key}");
                return headers;
            })
            : _channel.CreateCallInvoker();
        Raw = new TunerService.TunerServiceClient(invoker);
        Admin = new AdminService.AdminServiceClient(invoker);
        Options = options;
    }

    /// <summary>The generated client, for calls the SDK does not wrap.</summary>
    public TunerService.TunerServiceClient Raw { get; }

    /// <summary>API key management (admin keys only).</summary>
    public AdminService.AdminServiceClient Admin { get; }

    public TunerClientOptions Options { get; }

    /// <summary>Creates a study (or loads it with <c>LoadIfExists</c>) and returns a handle to it.</summary>
    public async Task<TunerStudy> CreateStudyAsync(CreateStudyRequest request, CancellationToken ct = default)
    {
        var study = await Raw.CreateStudyAsync(request, cancellationToken: ct).ConfigureAwait(false);
        return new TunerStudy(this, study);
    }

    /// <summary>A handle to an existing study; NOT_FOUND when there is none.</summary>
    public async Task<TunerStudy> LoadStudyAsync(string name, CancellationToken ct = default)
    {
        var study = await Raw.GetStudyAsync(new GetStudyRequest { Study = name }, cancellationToken: ct).ConfigureAwait(false);
        return new TunerStudy(this, study);
    }

    public void Dispose() => _channel.Dispose();

    private static MethodConfig RetryConfig(TunerClientOptions options)
    {
        var config = new MethodConfig
        {
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = options.MaxAttempts,
                InitialBackoff = TimeSpan.FromMilliseconds(100),
                MaxBackoff = TimeSpan.FromSeconds(2),
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        // Enqueue and AddTrials are left out: repeating them after a lost reply would add twice.
        foreach (var method in new[] { "CreateStudy", "GetStudy", "ListStudies", "Ask", "Tell", "Suggest", "Report", "Heartbeat", "GetTrial", "ListTrials", "GetBestTrials" })
        {
            config.Names.Add(new MethodName { Service = "grpctuner.v1.TunerService", Method = method });
        }

        return config;
    }
}

/// <summary>Settings of a <see cref="TunerClient"/>.</summary>
public sealed record TunerClientOptions
{
    /// <summary>Identifies this worker to the server; suggestions are deterministic per worker.</summary>
    public string WorkerId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Lease of each asked trial; heartbeats renew it at a third of its length.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts per call when the server answers UNAVAILABLE (at most 5, gRPC's limit; 1 turns retries off).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Bearer token sent with every call; by default $GRPCTUNER_API_KEY.</summary>
    public string? ApiKey { get; init; } = Environment.GetEnvironmentVariable("GRPCTUNER_API_KEY");

    /// <summary>PEM file of the CA that signed the server's certificate, for an https:// address; by default $GRPCTUNER_CA_FILE, else the system's roots.</summary>
    public string? CaFile { get; init; } = Environment.GetEnvironmentVariable("GRPCTUNER_CA_FILE");
}
