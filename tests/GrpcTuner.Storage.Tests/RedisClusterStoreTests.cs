using GrpcTuner.Storage.Redis;
using GrpcTuner.Testing;
using StackExchange.Redis;

namespace GrpcTuner.Storage.Tests;

/// <summary>A real three-master Redis Cluster for the contract suite.</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    public RedisCluster Cluster { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await RedisCluster.StartAsync();
        Connection = await ConnectionMultiplexer.ConnectAsync(Cluster.Configuration);
    }

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>The whole store contract on a cluster, where every multi-key step must stay within one study's hash slot.</summary>
public sealed class RedisClusterStoreContractTests(RedisClusterFixture redis) : StoreContractTests, IClassFixture<RedisClusterFixture>
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}:";

    protected override Task<IStudyStore> CreateStoreAsync() => Task.FromResult<IStudyStore>(new RedisStudyStore(redis.Connection, _prefix));

    [Fact]
    public async Task TheClusterSpreadsStudiesOverMoreThanOneMaster()
    {
        var masters = new HashSet<string>();
        for (var i = 0; i < 12; i++)
        {
            var study = await Store.CreateStudyAsync(Definition($"spread-{i}"), false, default);
            var key = $"{_prefix}{{s:{study.Id}}}:meta";
            masters.Add(redis.Connection.GetServer(redis.Connection.GetDatabase().IdentifyEndpoint(key)!).EndPoint.ToString()!);
        }

        Assert.True(masters.Count > 1, "every study landed on one master: the cluster is not exercising slot routing");
    }
}
