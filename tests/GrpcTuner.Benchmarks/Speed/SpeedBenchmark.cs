using System.Diagnostics;
using Grpc.Net.Client;
using GrpcTuner.Server;
using GrpcTuner.Storage.Embedded;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Benchmarks.Speed;

/// <summary>
/// Ask+tell through a real server over HTTP/2 on loopback: round-trip latency (p50, p99) and
/// throughput for 1, 8 and 32 clients, random and TPE, after 1,000 and 10,000 finished trials,
/// on the embedded store and on Redis. Client and server share this machine's cores.
/// </summary>
internal static class SpeedBenchmark
{
    public static async Task RunAsync(RedisServer redis, IReadOnlyList<string> stores, IReadOnlyList<string> samplers, IReadOnlyList<int> histories, IReadOnlyList<int> clientCounts)
    {
        Console.WriteLine("| store | sampler | history | clients | trials | ask+tell p50 ms | ask+tell p99 ms | ask p50 ms | trials/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var storeName in stores)
        {
            var journal = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.journal");
            var options = new ServerOptions { NoAuth = true, Redis = storeName == "redis" ? redis.Configuration : null, JournalPath = journal, RedisKeyPrefix = $"b{Guid.NewGuid():N}:" };
            await using var server = await ServerReplica.StartAsync(options, storeName == "redis" ? null : new EmbeddedStudyStore(journal));

            // Untimed warm-up: tiered JIT doubles the transport's own speed after the first thousands of calls.
            await RpcFloorAsync(server.Address, 8, 20_000);
            await RunScenarioAsync(server.Address, "random", 0, 8, 4000);
            await RunScenarioAsync(server.Address, "tpe", 100, 4, 200);
            foreach (var clients in clientCounts)
            {
                var floor = await RpcFloorAsync(server.Address, clients, 2 * Math.Max(2000, clients * 200));
                Console.WriteLine($"| {storeName} | (GetStudy only: transport floor) | - | {clients} | - | {floor.Percentile(50) * 2:F2} | {floor.Percentile(99) * 2:F2} | - | {floor.Count / 2 / floor.Seconds:F0} |");
            }

            foreach (var sampler in samplers)
            {
                foreach (var history in histories)
                {
                    foreach (var clients in clientCounts)
                    {
                        var trials = sampler == "random" ? Math.Max(2000, clients * 200) : history >= 10_000 ? 150 : 400;
                        var result = await RunScenarioAsync(server.Address, sampler, history, clients, trials);
                        Console.WriteLine($"| {storeName} | {sampler} | {history} | {clients} | {trials} | {result.RoundTrip.Percentile(50):F2} | {result.RoundTrip.Percentile(99):F2} | {result.Ask.Percentile(50):F2} | {result.Throughput:F0} |");
                    }
                }
            }

            File.Delete(journal);
            if (storeName == "redis")
            {
                await PrintCommandStatsAsync(redis);
            }
        }
    }

    /// <summary>Which commands the Redis scenarios sent, so round trips per trial can be checked.</summary>
    private static async Task PrintCommandStatsAsync(RedisServer redis)
    {
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{redis.Configuration},allowAdmin=true");
        var info = await connection.GetServer(redis.Configuration).InfoAsync("commandstats");
        var stats = info.SelectMany(g => g).Where(kv => kv.Key.StartsWith("cmdstat_", StringComparison.Ordinal))
            .Select(kv => $"{kv.Key[8..]}: {kv.Value.Split(',')[0].Split('=')[1]}");
        Console.WriteLine($"redis commands: {string.Join("; ", stats)}");
    }

    private static async Task<(Latencies RoundTrip, Latencies Ask, double Throughput)> RunScenarioAsync(string address, string sampler, int history, int clients, int trials)
    {
        var name = $"speed-{sampler}-{history}-{clients}-{Guid.NewGuid():N}"[..40];
        using var setupChannel = GrpcChannel.ForAddress(address);
        var setup = new TunerService.TunerServiceClient(setupChannel);
        var request = new CreateStudyRequest
        {
            Name = name,
            SearchSpace = new SearchSpace
            {
                Params =
                {
                    new ParamSpec { Name = "x1", Float = new FloatDistribution { Low = -5, High = 10 } },
                    new ParamSpec { Name = "x2", Float = new FloatDistribution { Low = 0, High = 15 } },
                },
            },
            Directions = { Direction.Minimize },
            Sampler = sampler == "random" ? new SamplerConfig { Seed = 1, Random = new() } : new SamplerConfig { Seed = 1, Tpe = new() },
        };
        await setup.CreateStudyAsync(request);
        await AddHistoryAsync(setup, name, history);

        var roundTrip = new Latencies();
        var ask = new Latencies();
        var remaining = trials;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            using var channel = GrpcChannel.ForAddress(address);
            var client = new TunerService.TunerServiceClient(channel);
            var myRoundTrips = new List<double>();
            var myAsks = new List<double>();
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var start = Stopwatch.GetTimestamp();
                var trial = (await client.AskAsync(new AskRequest { Study = name, WorkerId = $"bench-{c}" })).Trials[0];
                myAsks.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                var value = Problems.Branin(trial.Params["x1"].FloatValue, trial.Params["x2"].FloatValue);
                await client.TellAsync(new TellRequest { Study = name, TrialNumber = trial.Number, State = TrialState.Complete, Values = { value } });
                myRoundTrips.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            roundTrip.AddRange(myRoundTrips);
            ask.AddRange(myAsks);
        })));
        return (roundTrip, ask, trials / clock.Elapsed.TotalSeconds);
    }

    /// <summary>The cheapest call the service has, made as often as two calls per trial: what gRPC alone costs on this machine.</summary>
    private static async Task<(int Count, double Seconds, Func<double, double> Percentile)> RpcFloorAsync(string address, int clients, int calls)
    {
        using var setupChannel = GrpcChannel.ForAddress(address);
        var name = $"floor-{Guid.NewGuid():N}"[..30];
        await new TunerService.TunerServiceClient(setupChannel).CreateStudyAsync(new CreateStudyRequest
        {
            Name = name,
            SearchSpace = new SearchSpace { Params = { new ParamSpec { Name = "x", Float = new FloatDistribution { Low = 0, High = 1 } } } },
            Directions = { Direction.Minimize },
        });
        var latencies = new Latencies();
        var remaining = calls;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            using var channel = GrpcChannel.ForAddress(address);
            var client = new TunerService.TunerServiceClient(channel);
            var mine = new List<double>();
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var start = Stopwatch.GetTimestamp();
                await client.GetStudyAsync(new GetStudyRequest { Study = name });
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            latencies.AddRange(mine);
        })));
        return (calls, clock.Elapsed.TotalSeconds, latencies.Percentile);
    }

    private static async Task AddHistoryAsync(TunerService.TunerServiceClient client, string study, int count)
    {
        var rng = new Random(5);
        for (var done = 0; done < count; done += 1000)
        {
            var request = new AddTrialsRequest { Study = study };
            for (var i = 0; i < Math.Min(1000, count - done); i++)
            {
                var x1 = -5 + (15 * rng.NextDouble());
                var x2 = 15 * rng.NextDouble();
                request.Trials.Add(new FrozenTrial
                {
                    State = TrialState.Complete,
                    Values = { Problems.Branin(x1, x2) },
                    Params = { ["x1"] = new ParamValue { FloatValue = x1 }, ["x2"] = new ParamValue { FloatValue = x2 } },
                });
            }

            await client.AddTrialsAsync(request);
        }
    }
}
