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
    public static async Task RunAsync(RedisServer redis, IReadOnlyList<string> stores, IReadOnlyList<int> histories, IReadOnlyList<int> clientCounts)
    {
        Console.WriteLine("| store | sampler | history | clients | trials | ask+tell p50 ms | ask+tell p99 ms | ask p50 ms | trials/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var storeName in stores)
        {
            var journal = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.journal");
            var options = new ServerOptions { Redis = storeName == "redis" ? redis.Configuration : null, JournalPath = journal, RedisKeyPrefix = $"b{Guid.NewGuid():N}:" };
            await using var server = await ServerReplica.StartAsync(options, storeName == "redis" ? null : new EmbeddedStudyStore(journal));
            foreach (var sampler in new[] { "random", "tpe" })
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
        }
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
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var start = Stopwatch.GetTimestamp();
                var trial = (await client.AskAsync(new AskRequest { Study = name, WorkerId = $"bench-{c}" })).Trials[0];
                ask.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                var value = Problems.Branin(trial.Params["x1"].FloatValue, trial.Params["x2"].FloatValue);
                await client.TellAsync(new TellRequest { Study = name, TrialNumber = trial.Number, State = TrialState.Complete, Values = { value } });
                roundTrip.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        })));
        return (roundTrip, ask, trials / clock.Elapsed.TotalSeconds);
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
