using System.Diagnostics;
using StackExchange.Redis;

namespace GrpcTuner.Testing;

/// <summary>
/// A real Redis Cluster of three masters (no replicas), each a redis-server on a loopback port,
/// joined with <c>redis-cli --cluster create</c>. Slots are spread over the three, so a store
/// whose keys for one study do not share a hash tag fails here with CROSSSLOT.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private readonly IReadOnlyList<RedisServer> _nodes;

    private RedisCluster(IReadOnlyList<RedisServer> nodes) => _nodes = nodes;

    public string Configuration => string.Join(",", _nodes.Select(n => n.Configuration));

    public static async Task<RedisCluster> StartAsync()
    {
        var nodes = new List<RedisServer>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await RedisServer.StartAsync("--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{i}.conf", "--cluster-node-timeout", "15000"));
        }

        var cluster = new RedisCluster(nodes);
        try
        {
            await CreateAsync(nodes);
            await WaitUntilServingAsync(cluster);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static async Task CreateAsync(IReadOnlyList<RedisServer> nodes)
    {
        var cli = new[] { "/usr/bin/redis-cli", "/usr/local/bin/redis-cli" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-cli is not installed; install it with 'apt-get install -y redis-server' (it brings redis-tools).");
        var psi = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--cluster", "create" }.Concat(nodes.Select(n => n.Configuration)).Concat(["--cluster-replicas", "0", "--cluster-yes"]))
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed: {await output}{await error}");
        }
    }

    /// <summary>
    /// Slots are assigned at once, but nodes agree on the cluster's state a moment later, and a
    /// node may still flip back while epochs settle: wait until every node has known all three,
    /// served every slot and said "ok" for several checks in a row.
    /// </summary>
    private static async Task WaitUntilServingAsync(RedisCluster cluster)
    {
        var connections = new List<ConnectionMultiplexer>();
        try
        {
            foreach (var node in cluster._nodes)
            {
                connections.Add(await ConnectionMultiplexer.ConnectAsync(node.Configuration));
            }

            var until = DateTime.UtcNow.AddSeconds(30);
            for (var steady = 0; steady < 5; steady++)
            {
                foreach (var connection in connections)
                {
                    var info = (string?)await connection.GetDatabase().ExecuteAsync("CLUSTER", "INFO") ?? "";
                    if (!(info.Contains("cluster_state:ok", StringComparison.Ordinal) && info.Contains("cluster_known_nodes:3", StringComparison.Ordinal)
                        && info.Contains("cluster_slots_ok:16384", StringComparison.Ordinal)))
                    {
                        steady = -1;
                        break;
                    }
                }

                if (DateTime.UtcNow > until)
                {
                    throw new TimeoutException("the cluster did not settle on cluster_state:ok within 30 s");
                }

                await Task.Delay(100);
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }
}
