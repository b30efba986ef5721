using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcTuner.Client;

/// <summary>
/// One channel for the three address forms a deployment uses (any of <see cref="ServerAddress.Forms"/>): one replica
/// ("http://host:50051"), every replica behind a DNS name ("dns:///tuner:50051", re-resolved as
/// replicas come and go), or a fixed list ("http://a:50051,http://b:50051"). With several
/// replicas calls go round robin, and a replica that stops answering is skipped until it returns.
/// </summary>
internal static class ChannelFactory
{
    public static GrpcChannel Create(string address, TunerClientOptions options, ServiceConfig config)
    {
        address = ServerAddress.Normalize(address, tls: options.CaFile is not null);
        var channelOptions = new GrpcChannelOptions
        {
            ServiceConfig = config,
            MaxRetryAttempts = Math.Max(options.MaxAttempts, 1),
            HttpHandler = ClientTls.Handler(options.CaFile),
        };
        var list = address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length == 1 && !address.StartsWith("dns:", StringComparison.Ordinal))
        {
            return GrpcChannel.ForAddress(address, channelOptions);
        }

        config.LoadBalancingConfigs.Add(new RoundRobinConfig());
        // Balanced channels name no scheme that says whether to use TLS, so the CA file decides.
        channelOptions.Credentials = options.CaFile is null ? ChannelCredentials.Insecure : ChannelCredentials.SecureSsl;
        if (list.Length == 1)
        {
            return GrpcChannel.ForAddress(address, channelOptions);
        }

        var replicas = list.Select(a => new Uri(a)).Select(u => new BalancerAddress(u.Host, u.Port)).ToArray();
        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => replicas));
        channelOptions.ServiceProvider = services.BuildServiceProvider();
        return GrpcChannel.ForAddress("static:///grpctuner", channelOptions);
    }
}
