using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Tests;

/// <summary>A real redis-server and two server replicas sharing it, configured by <see cref="Options"/>.</summary>
public abstract class ReplicasOnRedis : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;

    public ServerReplica A { get; private set; } = null!;

    public ServerReplica B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        var options = Options(Redis.Configuration);
        A = await ServerReplica.StartAsync(options);
        B = await ServerReplica.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await Redis.DisposeAsync();
    }

    protected abstract ServerOptions Options(string redis);
}

/// <summary>Two replicas on one Redis, authentication off, reaping every 200 ms.</summary>
public sealed class TwoReplicasFixture : ReplicasOnRedis
{
    protected override ServerOptions Options(string redis) => new() { NoAuth = true, Redis = redis, ReapInterval = TimeSpan.FromMilliseconds(200) };

    public static CreateStudyRequest Study(string name, SamplerConfig? sampler = null, int maxRetries = 0)
    {
        var request = new CreateStudyRequest
        {
            Name = name,
            SearchSpace = new SearchSpace
            {
                Params =
                {
                    new ParamSpec { Name = "x", Float = new FloatDistribution { Low = -5, High = 5 } },
                    new ParamSpec { Name = "n", Int = new IntDistribution { Low = 1, High = 4 } },
                },
            },
            Directions = { Direction.Minimize },
            Sampler = sampler ?? new SamplerConfig { Seed = 1, Random = new RandomSamplerConfig() },
            MaxRetries = maxRetries,
        };
        return request;
    }

    public static TunerClient Client(ServerReplica replica, string worker, TimeSpan? lease = null) =>
        replica.Client(new TunerClientOptions { WorkerId = worker, Lease = lease ?? TimeSpan.FromSeconds(30) });
}

[CollectionDefinition(Name)]
public sealed class TwoReplicasCollection : ICollectionFixture<TwoReplicasFixture>
{
    public const string Name = "two replicas";
}
