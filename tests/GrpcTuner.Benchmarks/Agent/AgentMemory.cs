using System.Diagnostics;
using System.Globalization;
using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.Testing.Models;
using GrpcTuner.V1;

namespace GrpcTuner.Benchmarks.Agent;

/// <summary>
/// One agent process fine-tuning MiniLM, batch 32, max_seq_length 128, ten trials in a row on every
/// fortunes text by default (fewer per category on request): each
/// trial's peak resident memory (the agent resets the high-water mark at every trial start and
/// records it on the trial), with and without gradient checkpointing and --lean-memory.
/// </summary>
internal static class AgentMemory
{
    /// <param name="trials">Trials per agent.</param>
    /// <param name="only">Row names to run (all when empty).</param>
    /// <param name="perClass">Texts per category (0: all of them, as the README's second example trains on).</param>
    public static async Task RunAsync(int trials, IReadOnlyCollection<string> only, int perClass)
    {
        var dir = Directory.CreateTempSubdirectory("grpctuner-memory-").FullName;
        try
        {
            Console.WriteLine($"MiniLM fine-tuning, batch 32, max_seq_length 128, {trials} trials in one agent, fortunes with {(perClass > 0 ? $"{perClass} texts per category" : "every text")}: peak RSS per trial (MiB)");
            foreach (var (name, defaults, flags) in new[]
            {
                ("default", "group_by_length: true", Array.Empty<string>()),
                ("gradient_checkpointing", "group_by_length: true, gradient_checkpointing: true", []),
                ("--lean-memory", "group_by_length: true", ["--lean-memory"]),
                ("--lean-memory + gradient_checkpointing", "group_by_length: true, gradient_checkpointing: true", new[] { "--lean-memory" }),
            }.Where(row => only.Count == 0 || only.Contains(row.Item1)))
            {
                var task = FortunesTask.Write(dir, perClass > 0 ? $"per_class: {perClass}\n" : "", defaults);
                var (peaks, seconds) = await RunAgentAsync(task, trials, flags);
                Console.WriteLine($"{name,-40} {string.Join(" ", peaks.Select(p => p.ToString(CultureInfo.InvariantCulture)))}  max {peaks.Max()}, last - first {peaks[^1] - peaks[0]:+#;-#;0}, {seconds:F0} s");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(List<long> Peaks, double Seconds)> RunAgentAsync(string task, int trials, string[] flags)
    {
        await using var server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null });
        using var client = server.Client(new TunerClientOptions { WorkerId = "bench" });
        var study = await client.CreateStudyAsync(new CreateStudyRequest
        {
            Name = "memory",
            Directions = { Direction.Maximize },
            Sampler = new SamplerConfig { Seed = 1, Random = new RandomSamplerConfig() },
            SearchSpace = new SearchSpace
            {
                Params =
                {
                    new ParamSpec { Name = "learning_rate", Float = new FloatDistribution { Low = 3e-5, High = 1e-4, Log = true } },
                    new ParamSpec { Name = "per_device_batch_size", Int = new IntDistribution { Low = 32, High = 32 } },
                    new ParamSpec { Name = "max_seq_length", Int = new IntDistribution { Low = 128, High = 128 } },
                    new ParamSpec { Name = "num_epochs", Int = new IntDistribution { Low = 1, High = 1 } },
                },
            },
        });
        var psi = new ProcessStartInfo(RepoPrograms.Agent) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--server", server.Address, "--study", "memory", "--task", task, "--max-trials", $"{trials}" }.Concat(flags))
        {
            psi.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        using var agent = Process.Start(psi)!;
        var output = agent.StandardOutput.ReadToEndAsync();
        var error = agent.StandardError.ReadToEndAsync();
        await agent.WaitForExitAsync();
        var done = (await study.TrialsAsync()).Where(t => t.State == TrialState.Complete).OrderBy(t => t.Number).ToList();
        if (done.Count != trials)
        {
            throw new InvalidOperationException($"{done.Count} of {trials} trials completed:\n{await output}\n{await error}");
        }

        return (done.Select(t => long.Parse(t.UserAttrs["peak_rss_mb"], CultureInfo.InvariantCulture)).ToList(), clock.Elapsed.TotalSeconds);
    }
}
