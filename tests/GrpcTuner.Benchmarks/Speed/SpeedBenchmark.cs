using System.Diagnostics;
using Grpc.Net.Client;
using GrpcTuner.Server;
using GrpcTuner.Storage.Embedded;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Benchmarks.Speed;

/// <summary>
/// Ask+tell through a real server over HTTP/2 on loopback: round-trip latency (p50, p99) and
/// throughput for 1, 8 and 32 clients, any sampler (GP-BO runs 40 trials, random 2,000 or more,
/// the others 600), after 1,000 and 10,000 finished trials,
/// with 2 float parameters (Branin) or more (Styblinski-Tang), on the embedded store and on Redis.
/// Each scenario first runs untimed trials the same way (300, or half its count) and pauses a second, so that the
/// figures are the steady state of a server and a study in use: the runtime's optimised code rather
/// than its first compilation, and caches that have read the history. Client and server share this
/// machine's cores.
/// </summary>
internal static class SpeedBenchmark
{
    public static async Task RunAsync(RedisServer redis, IReadOnlyList<string> stores, IReadOnlyList<string> samplers, IReadOnlyList<int> histories, IReadOnlyList<int> clientCounts,
        IReadOnlyList<int> dimensions)
    {
        Console.WriteLine("| store | sampler | parameters | history | clients | trials | ask+tell p50 ms | ask+tell p99 ms | ask p50 ms | trials/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var storeName in stores)
        {
            var journal = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.journal");
            var options = new ServerOptions { NoAuth = true, Redis = storeName == "redis" ? redis.Configuration : null, JournalPath = journal, RedisKeyPrefix = $"b{Guid.NewGuid():N}:" };
            await using var server = await ServerReplica.StartAsync(options, storeName == "redis" ? null : new EmbeddedStudyStore(journal));

            // Untimed warm-up: tiered JIT doubles the transport's own speed after the first thousands of calls.
            await RpcFloorAsync(server.Address, 8, 20_000);
            await RunScenarioAsync(server.Address, "random", 2, 0, 8, 4000);
            await RunScenarioAsync(server.Address, "tpe", 2, 100, 4, 200);
            foreach (var clients in clientCounts)
            {
                var floor = await RpcFloorAsync(server.Address, clients, 2 * Math.Max(2000, clients * 200));
                Console.WriteLine($"| {storeName} | (GetStudy only: transport floor) | - | - | {clients} | - | {floor.Percentile(50) * 2:F2} | {floor.Percentile(99) * 2:F2} | - | {floor.Count / 2 / floor.Seconds:F0} |");
            }

            foreach (var sampler in samplers)
            {
                foreach (var dims in dimensions)
                {
                    foreach (var history in histories)
                    {
                        foreach (var clients in clientCounts)
                        {
                            var trials = sampler switch { "random" => Math.Max(2000, clients * 200), "gp" => 40, _ => 600 };
                            var result = await RunScenarioAsync(server.Address, sampler, dims, history, clients, trials);
                            Console.WriteLine($"| {storeName} | {sampler} | {dims} | {history} | {clients} | {trials} | {result.RoundTrip.Percentile(50):F2} | {result.RoundTrip.Percentile(99):F2} | {result.Ask.Percentile(50):F2} | {result.Throughput:F0} |");
                        }
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

    private static async Task<(Latencies RoundTrip, Latencies Ask, double Throughput)> RunScenarioAsync(string address, string sampler, int dims, int history, int clients, int trials)
    {
        var name = $"speed-{sampler}-{dims}-{history}-{clients}-{Guid.NewGuid():N}"[..40];
        using var setupChannel = GrpcChannel.ForAddress(address);
        var setup = new TunerService.TunerServiceClient(setupChannel);
        var request = new CreateStudyRequest
        {
            Name = name,
            SearchSpace = new SearchSpace(),
            Directions = { Direction.Minimize },
            Sampler = Sampler(sampler),
        };
        request.SearchSpace.Params.AddRange(Bounds(dims).Select((b, d) => new ParamSpec { Name = $"x{d + 1}", Float = new FloatDistribution { Low = b.Low, High = b.High } }));
        await setup.CreateStudyAsync(request);
        await AddHistoryAsync(setup, name, dims, history);
        await AskAndTellAsync(address, name, dims, 0, clients, Math.Min(300, trials / 2));
        // The runtime moves hot methods to optimised code once no new method has been compiled for a while.
        await Task.Delay(TimeSpan.FromSeconds(1));
        return await AskAndTellAsync(address, name, dims, trials, clients, trials);
    }

    /// <returns>Latencies and throughput of the first <paramref name="timed"/> trials.</returns>
    private static async Task<(Latencies RoundTrip, Latencies Ask, double Throughput)> AskAndTellAsync(string address, string name, int dims, int timed, int clients, int trials)
    {
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
                var value = Objective(Enumerable.Range(1, dims).Select(d => trial.Params[$"x{d}"].FloatValue).ToArray());
                await client.TellAsync(new TellRequest { Study = name, TrialNumber = trial.Number, State = TrialState.Complete, Values = { value } });
                myRoundTrips.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            roundTrip.AddRange(myRoundTrips);
            ask.AddRange(myAsks);
        })));
        return (roundTrip, ask, timed / clock.Elapsed.TotalSeconds);
    }

    private static SamplerConfig Sampler(string name) => name switch
    {
        "random" => new SamplerConfig { Seed = 1, Random = new() },
        "tpe" => new SamplerConfig { Seed = 1, Tpe = new() },
        "gp" => new SamplerConfig { Seed = 1, Gp = new() },
        "cmaes" => new SamplerConfig { Seed = 1, Cmaes = new() },
        "nsga2" => new SamplerConfig { Seed = 1, Nsga2 = new() },
        _ => throw new ArgumentException($"--samplers: unknown sampler '{name}' (random, tpe, gp, cmaes, nsga2)"),
    };

    /// <summary>Branin's box with 2 parameters, Styblinski-Tang's with more.</summary>
    private static (double Low, double High)[] Bounds(int dims) => dims == 2 ? [(-5, 10), (0, 15)] : Enumerable.Repeat((-5.0, 5.0), dims).ToArray();

    private static double Objective(double[] x) => x.Length == 2 ? Problems.Branin(x[0], x[1]) : Problems.StyblinskiTang(x);

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

    private static async Task AddHistoryAsync(TunerService.TunerServiceClient client, string study, int dims, int count)
    {
        var rng = new Random(5);
        var bounds = Bounds(dims);
        for (var done = 0; done < count; done += 1000)
        {
            var request = new AddTrialsRequest { Study = study };
            for (var i = 0; i < Math.Min(1000, count - done); i++)
            {
                var x = bounds.Select(b => b.Low + ((b.High - b.Low) * rng.NextDouble())).ToArray();
                var trial = new FrozenTrial { State = TrialState.Complete, Values = { Objective(x) } };
                for (var d = 0; d < dims; d++)
                {
                    trial.Params[$"x{d + 1}"] = new ParamValue { FloatValue = x[d] };
                }

                request.Trials.Add(trial);
            }

            await client.AddTrialsAsync(request);
        }
    }
}
