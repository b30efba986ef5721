using System.Diagnostics;
using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Benchmarks.Speed;

/// <summary>
/// The first read of a trial that has many reports, by a replica that has not seen it (Redis: a
/// second replica; embedded: the server restarted on its journal), against the same read of a
/// trial with 5 reports. The outside probe measured 0.75 to 4.7 s at 3,000 to 5,655 reports when
/// every change carried the whole series.
/// </summary>
internal static class ReportedTrialRead
{
    public static async Task RunAsync(RedisServer redis, int[] reportCounts)
    {
        Console.WriteLine("first GetTrial of a trial after N reports, by a replica that has not seen it (median of 5 studies)");
        Console.WriteLine("| store | reports | Report ms (mean) | first GetTrial ms | repeat ms | journal bytes |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var n in reportCounts)
        {
            var redisRuns = new List<(double Report, double First, double Repeat)>();
            var journalRuns = new List<(double Report, double First, double Repeat, long Bytes)>();
            for (var run = 0; run < 5; run++)
            {
                var prefix = $"read-{Guid.NewGuid():N}:";
                await using (var a = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, Redis = redis.Configuration, RedisKeyPrefix = prefix }))
                {
                    var report = await ReportAsync(a, n);
                    await using var b = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, Redis = redis.Configuration, RedisKeyPrefix = prefix });
                    var (first, repeat) = await ReadAsync(b, n);
                    redisRuns.Add((report, first, repeat));
                }

                var journal = Path.Combine(Path.GetTempPath(), $"grpctuner-read-{Guid.NewGuid():N}.journal");
                try
                {
                    double report;
                    await using (var a = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = journal }))
                    {
                        report = await ReportAsync(a, n);
                    }

                    var clock = Stopwatch.StartNew();
                    await using var b = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = journal });
                    var open = clock.Elapsed.TotalMilliseconds;
                    var (first, repeat) = await ReadAsync(b, n);
                    journalRuns.Add((report, open + first, repeat, new FileInfo(journal).Length));
                }
                finally
                {
                    File.Delete(journal);
                }
            }

            static double Median(IEnumerable<double> xs) => xs.Order().ElementAt(2);
            Console.WriteLine($"| Redis, second replica | {n} | {Median(redisRuns.Select(r => r.Report)):F2} | {Median(redisRuns.Select(r => r.First)):F1} | {Median(redisRuns.Select(r => r.Repeat)):F1} | |");
            Console.WriteLine($"| journal, restarted (start + read) | {n} | {Median(journalRuns.Select(r => r.Report)):F2} | {Median(journalRuns.Select(r => r.First)):F1} | {Median(journalRuns.Select(r => r.Repeat)):F1} | {journalRuns[0].Bytes:N0} |");
        }
    }

    /// <returns>Mean milliseconds per Report.</returns>
    private static async Task<double> ReportAsync(ServerReplica server, int n)
    {
        using var client = server.Client(new TunerClientOptions { WorkerId = "reader" });
        await client.Raw.CreateStudyAsync(new CreateStudyRequest
        {
            Name = "read", Directions = { Direction.Minimize }, Sampler = new SamplerConfig { Seed = 0, Random = new RandomSamplerConfig() },
            SearchSpace = new SearchSpace { Params = { new ParamSpec { Name = "x", Float = new FloatDistribution { Low = 0, High = 1 } } } },
        });
        var trial = (await client.Raw.AskAsync(new AskRequest { Study = "read", WorkerId = "reader", Count = 1 })).Trials[0];
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < n; step++)
        {
            await client.Raw.ReportAsync(new ReportRequest { Study = "read", TrialNumber = trial.Number, Step = step, Value = 1.0 / (step + 1) });
        }

        return clock.Elapsed.TotalMilliseconds / n;
    }

    private static async Task<(double First, double Repeat)> ReadAsync(ServerReplica server, int n)
    {
        using var client = server.Client(new TunerClientOptions { WorkerId = "reader" });
        var clock = Stopwatch.StartNew();
        var read = await client.Raw.GetTrialAsync(new GetTrialRequest { Study = "read", TrialNumber = 0 });
        var first = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        await client.Raw.GetTrialAsync(new GetTrialRequest { Study = "read", TrialNumber = 0 });
        var repeat = clock.Elapsed.TotalMilliseconds;
        return read.IntermediateValues.Count == n ? (first, repeat) : throw new InvalidOperationException($"read {read.IntermediateValues.Count} of {n} values");
    }
}
