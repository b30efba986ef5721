using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Benchmarks.Speed;

/// <summary>
/// A define-by-run trial against a declared-space trial on Redis: the same five float parameters and
/// objective, TPE, one worker through the .NET SDK. Per trial after the first <c>warmup</c> trials
/// (by then the space is known): the RPCs the server answered, by method, and the wall time; then
/// Optuna 3.1 running the same objective on its Redis journal, in the same run.
/// </summary>
internal static class DefineByRunSpeed
{
    private const int Params = 5;

    public static async Task RunAsync(RedisServer redis, string peerScript, int trials, int warmup)
    {
        var calls = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "grpctuner.requests")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "rpc")
                {
                    calls.AddOrUpdate((string)tag.Value!, value, (_, n) => n + value);
                }
            }
        });
        listener.Start();

        await using var server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, Redis = redis.Configuration, RedisKeyPrefix = $"dbr-speed-{Guid.NewGuid():N}:" });
        using var client = server.Client(new TunerClientOptions { WorkerId = "speed" });
        Console.WriteLine($"define-by-run vs declared space on Redis: TPE, {Params} float parameters, one worker, {trials} trials; per trial after the first {warmup}");
        Console.WriteLine("| study | ms per trial | Ask | Suggest | Tell | other RPCs |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var declared in new[] { true, false })
        {
            var request = new CreateStudyRequest { Name = $"speed-{(declared ? "declared" : "dbr")}-{Guid.NewGuid():N}", Directions = { Direction.Minimize }, Sampler = new SamplerConfig { Seed = 0, Tpe = new TpeSamplerConfig() } };
            if (declared)
            {
                request.SearchSpace = new SearchSpace();
                request.SearchSpace.Params.Add(Enumerable.Range(0, Params).Select(i => new ParamSpec { Name = $"x{i}", Float = new FloatDistribution { Low = -5, High = 5 } }));
            }

            var study = await client.CreateStudyAsync(request);
            async Task<double> Objective(TunerTrial trial, CancellationToken ct)
            {
                var sum = 0.0;
                for (var i = 0; i < Params; i++)
                {
                    var x = declared ? trial.GetDouble($"x{i}") : await trial.SuggestFloatAsync($"x{i}", -5, 5, ct: ct);
                    sum += (x - 1) * (x - 1);
                }

                return sum;
            }

            await study.OptimizeAsync(Objective, warmup);
            var before = new Dictionary<string, long>(calls);
            var clock = Stopwatch.StartNew();
            await study.OptimizeAsync(Objective, trials - warmup);
            var ms = clock.Elapsed.TotalMilliseconds / (trials - warmup);
            double Per(string rpc) => (calls.GetValueOrDefault(rpc) - before.GetValueOrDefault(rpc)) / (double)(trials - warmup);
            var other = calls.Where(c => c.Key is not ("Ask" or "Suggest" or "Tell" or "CreateStudy")).Sum(c => c.Value - before.GetValueOrDefault(c.Key)) / (double)(trials - warmup);
            Console.WriteLine($"| {(declared ? "declared space" : "define-by-run")} | {ms:F2} | {Per("Ask"):F2} | {Per("Suggest"):F2} | {Per("Tell"):F2} | {other:F2} |");
        }

        if (!File.Exists("/usr/bin/python3"))
        {
            Console.WriteLine("peer: not run, needs /usr/bin/python3 with python3-optuna and python3-redis");
            return;
        }

        var psi = new ProcessStartInfo("/usr/bin/python3", $"{peerScript} --redis redis://{redis.Configuration} --trials {trials} --warmup {warmup}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Console.WriteLine($"Optuna, the same objective through study.optimize, ms per trial: {(process.ExitCode == 0 ? output.Trim() : "failed: " + error.Trim().Split('\n').Last())}");
    }
}
