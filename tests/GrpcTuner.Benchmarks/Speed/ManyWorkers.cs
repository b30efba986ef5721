using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Benchmarks.Speed;

/// <summary>
/// Many simulated workers on one study: each its own channel, asking, "training" for the think
/// time, and telling, against two replicas on one Redis, balanced round robin. Reports throughput,
/// per-call latency percentiles and every error.
/// </summary>
internal static class ManyWorkers
{
    /// <param name="warmUp">Workers start spread over the first half of it; what it took is not measured.</param>
    public static async Task RunAsync(int workers, TimeSpan duration, TimeSpan think, TimeSpan warmUp)
    {
        await using var redis = await RedisServer.StartAsync("--appendonly", "yes");
        var options = new ServerOptions { NoAuth = true, Redis = redis.Configuration };
        await using var a = await ServerReplica.StartAsync(options);
        await using var b = await ServerReplica.StartAsync(options);
        using (var admin = a.Client())
        {
            await admin.CreateStudyAsync(new CreateStudyRequest
            {
                Name = "many-workers",
                Directions = { Direction.Minimize },
                SearchSpace = new SearchSpace { Params = { new ParamSpec { Name = "x", Float = new FloatDistribution { Low = 0, High = 1 } } } },
                Sampler = new SamplerConfig { Seed = 1, Random = new RandomSamplerConfig() },
            });
        }

        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var paused = GC.GetTotalPauseDuration();
        var allocated = GC.GetTotalAllocatedBytes();
        var load = new AskTellLoad();
        using var stop = new CancellationTokenSource(warmUp + duration);
        await load.RunAsync(w => new TunerClient($"{a.Address},{b.Address}", new TunerClientOptions { WorkerId = w }), "many-workers", workers, think, stop.Token, warmUp / 2);

        var latencies = new Latencies();
        latencies.AddRange(load.LatenciesMsAfter(warmUp));
        var errors = load.Errors.Count == 0 ? "none" : string.Join(", ", load.Errors.Select(e => $"{e.Key} x{e.Value}"));
        var told = load.AcknowledgedAfter(warmUp);
        Console.WriteLine($"workers={workers} measured={duration.TotalSeconds:F0}s after {warmUp.TotalSeconds:F0}s warm-up, think={think.TotalMilliseconds:F0}ms, replicas=2, store=redis(AOF)");
        Console.WriteLine($"trials told: {told} ({told / duration.TotalSeconds:F0}/s); calls: {latencies.Count} ({latencies.Count / duration.TotalSeconds:F0}/s)");
        Console.WriteLine($"per call (Ask or Tell): p50 {latencies.Percentile(50):F2} ms, p99 {latencies.Percentile(99):F2} ms, max {latencies.Percentile(100):F2} ms; errors (warm-up included): {errors}; duplicate trial numbers: {load.DuplicateNumbers.Count}");
        Console.WriteLine($"this process (workers and both replicas): {(GC.GetTotalAllocatedBytes() - allocated) / 1048576} MB allocated; collections gen0 {GC.CollectionCount(0) - gen0}, " +
            $"gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}; {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms paused for GC in all");
    }
}
