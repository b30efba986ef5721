using GrpcTuner.Client;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Benchmarks;

/// <summary>The long fuzz run: a replica process on its journal, many random and mutated requests, statuses and memory reported as it goes.</summary>
internal static class Fuzz
{
    public static async Task RunAsync(int requests, int seed)
    {
        var journal = Path.Combine(Path.GetTempPath(), $"fuzz-{Guid.NewGuid():N}.journal");
        await using var server = await ServerProcess.StartAsync("--no-auth", "--journal", journal);
        using (var client = new TunerClient(server.Address))
        {
            var study = await client.CreateStudyAsync(new CreateStudyRequest
            {
                Name = "fuzz",
                Directions = { Direction.Minimize },
                SearchSpace = new SearchSpace { Params = { new ParamSpec { Name = "x", Float = new FloatDistribution { Low = 0, High = 1 } } } },
            });
            await study.TellAsync(await study.AskAsync(), 0.5);
        }

        var fuzzer = new RequestFuzzer(seed, "fuzz");
        var started = DateTime.UtcNow;
        const int chunk = 10_000;
        long peak = 0;
        for (var done = 0; done < requests && !server.HasExited; done += chunk)
        {
            await fuzzer.RunAsync(server.Address, Math.Min(chunk, requests - done));
            peak = Math.Max(peak, server.ResidentBytes);
            Console.WriteLine($"{done + Math.Min(chunk, requests - done),7} requests, {(DateTime.UtcNow - started).TotalSeconds,5:F0} s, resident memory {server.ResidentBytes / 1048576} MB");
        }

        Console.WriteLine(server.HasExited ? "THE SERVER DIED" : "server alive");
        var latencies = fuzzer.Latencies.Order().ToList();
        double At(double q) => latencies[(int)Math.Min(latencies.Count - 1, q * latencies.Count)];
        Console.WriteLine($"gRPC calls: {latencies.Count}, ms per call p50 {At(0.5):F2}, p99 {At(0.99):F2}, max {fuzzer.Slowest.Ms:F0} ({fuzzer.Slowest.Method}); over 1 s: {latencies.Count(l => l > 1000)}");
        foreach (var ((kind, status), count) in fuzzer.Statuses.OrderBy(s => s.Key.Kind).ThenBy(s => s.Key.Status))
        {
            Console.WriteLine($"{kind,-8} {status,-20} {count}");
        }

        Console.WriteLine($"peak resident memory at the chunk ends: {peak / 1048576} MB");
        Console.WriteLine(fuzzer.Suspicious.Count == 0 ? "no INTERNAL, UNKNOWN or UNAVAILABLE" : string.Join("\n", fuzzer.Suspicious.Prepend("INTERNAL, UNKNOWN or UNAVAILABLE:")));
        File.Delete(journal);
    }
}
