using System.Diagnostics;
using System.Globalization;
using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.Testing.Models;
using GrpcTuner.V1;

namespace GrpcTuner.Benchmarks.Agent;

/// <summary>
/// The article's experiment on real training: grid search; Bayesian search (TPE, a quarter of the
/// trials random) with asynchronous successive halving; Population-Based Training with 8 members
/// perturbed every epoch. Each strategy runs through the server with real agent processes, one CPU
/// thread each, and stops at its own end or at the shared compute budget (CPU-seconds the agents
/// reported), whichever comes first. Per strategy: the best validation accuracy, the test accuracy
/// of that trial, the compute spent, trials run and pruned; the Fashion-MNIST task is repeated
/// with different seeds and summarised by median and range.
/// </summary>
internal static class SeedExperiment
{
    private const int Members = 8;

    public static async Task RunAsync(int repetitions, bool quick, bool minilm)
    {
        var dir = Directory.CreateTempSubdirectory("grpctuner-seed-experiment-").FullName;
        try
        {
            var fashion = Path.Combine(dir, "fashion.task.yaml");
            await File.WriteAllTextAsync(fashion, quick
                ? "task: fashion-mnist\ntrain_samples: 2000\nvalidation_samples: 500\ndefaults: {hidden_size: 128}\n"
                : "task: fashion-mnist\ntrain_samples: 50000\nvalidation_samples: 10000\ndefaults: {hidden_size: 256}\n");
            var fashionSetup = new Setup("Fashion-MNIST MLP", fashion, quick ? 60 : 200, quick ? 2 : 4,
                Grid: [3e-4, 1e-3, 3e-3], Range: (1e-4, 1e-2), Batches: [32, 128]);
            await RunTaskAsync(fashionSetup, quick ? 1 : repetitions, dir);

            if (minilm)
            {
                var minilmSetup = new Setup("MiniLM on fortunes", FortunesTask.Write(dir, quick ? "per_class: 20\n" : "per_class: 100\n", "group_by_length: true, max_seq_length: 64, warmup_ratio: 0.1"),
                    quick ? 120 : 900, quick ? 1 : 3, Grid: [3e-5, 1e-4, 3e-4], Range: (1e-5, 1e-3), Batches: [16, 32]);
                await RunTaskAsync(minilmSetup, 1, dir);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <param name="Name">For the tables.</param>
    /// <param name="Task">The agents' task file.</param>
    /// <param name="Budget">CPU-seconds each strategy may spend.</param>
    /// <param name="Epochs">Epochs of a full-length trial.</param>
    /// <param name="Grid">The grid's learning rates.</param>
    /// <param name="Range">The learning-rate range Bayesian search and PBT draw from.</param>
    /// <param name="Batches">Batch sizes.</param>
    private sealed record Setup(string Name, string Task, double Budget, int Epochs, double[] Grid, (double Low, double High) Range, long[] Batches);

    private sealed record Outcome(string Strategy, int Seed, double Best, double? Test, double CpuSeconds, int Trials, int Pruned, double WallSeconds);

    private static async Task RunTaskAsync(Setup setup, int repetitions, string dir)
    {
        Console.WriteLine($"## {setup.Name}: budget {setup.Budget:F0} CPU-seconds per strategy, full trials {setup.Epochs} epochs, {repetitions} repetition(s)");
        Console.WriteLine("| strategy | seed | best validation accuracy | test accuracy of that trial | CPU-seconds | trials | pruned | wall seconds |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        var outcomes = new List<Outcome>();
        for (var seed = 1; seed <= repetitions; seed++)
        {
            foreach (var strategy in new[] { "grid", "bayes+asha", "pbt" })
            {
                var o = await RunStrategyAsync(setup, strategy, seed, dir);
                outcomes.Add(o);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {o.Strategy} | {o.Seed} | {o.Best:F4} | {(o.Test is { } t ? t.ToString("F4", CultureInfo.InvariantCulture) : "-")} | {o.CpuSeconds:F0} | {o.Trials} | {o.Pruned} | {o.WallSeconds:F0} |"));
            }
        }

        if (repetitions > 1)
        {
            Console.WriteLine();
            Console.WriteLine("| strategy | best validation accuracy, median [min, max] | test accuracy, median [min, max] | CPU-seconds, median [min, max] |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var group in outcomes.GroupBy(o => o.Strategy))
            {
                Console.WriteLine($"| {group.Key} | {Spread(group.Select(o => o.Best), "F4")} | {Spread(group.Where(o => o.Test is not null).Select(o => o.Test!.Value), "F4")} | {Spread(group.Select(o => o.CpuSeconds), "F0")} |");
            }
        }

        Console.WriteLine();
    }

    private static async Task<Outcome> RunStrategyAsync(Setup setup, string strategy, int seed, string dir)
    {
        await using var server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null, ReapInterval = TimeSpan.FromSeconds(1) });
        using var client = server.Client(new TunerClientOptions { WorkerId = "seed-experiment" });
        var name = $"{strategy.Replace('+', '-')}-{seed}";
        var (request, agents, perAgent) = Study(setup, strategy, seed, name);
        var study = await client.CreateStudyAsync(request);
        var checkpoints = Directory.CreateDirectory(Path.Combine(dir, "checkpoints")).FullName;
        var clock = Stopwatch.StartNew();
        var processes = Enumerable.Range(0, agents).Select(i => StartAgent(server.Address, name, setup.Task, perAgent, checkpoints, $"{name}-{i}")).ToList();
        try
        {
            // The budget counts what running trials reported so far too, so no strategy overspends by a whole trial.
            while (processes.Any(p => !p.HasExited))
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                var spent = (await study.TrialsAsync()).Sum(t => t.Compute?.CpuSeconds ?? 0);
                if (spent >= setup.Budget)
                {
                    foreach (var p in processes.Where(p => !p.HasExited))
                    {
                        using var term = Process.Start("kill", ["-TERM", p.Id.ToString(CultureInfo.InvariantCulture)]);
                    }

                    break;
                }
            }

            await Task.WhenAll(processes.Select(p => p.WaitForExitAsync()));
        }
        finally
        {
            foreach (var p in processes)
            {
                p.Dispose();
            }
        }

        var trials = await study.TrialsAsync();
        var maximize = trials.Where(t => t.State == TrialState.Complete && t.Values.Count > 0).OrderByDescending(t => t.Values[0]).FirstOrDefault()
            ?? throw new InvalidOperationException($"{name}: no trial completed within {setup.Budget} CPU-seconds: "
                + string.Join("; ", trials.Select(t => $"trial {t.Number} {t.State} {t.Reason} cpu {t.Compute?.CpuSeconds:F0}")));
        double? test = maximize.UserAttrs.TryGetValue("test_accuracy", out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : null;
        return new Outcome(strategy, seed, maximize.Values[0], test, trials.Sum(t => t.Compute?.CpuSeconds ?? 0),
            trials.Count(t => t.State is TrialState.Complete or TrialState.Pruned), trials.Count(t => t.State == TrialState.Pruned), clock.Elapsed.TotalSeconds);
    }

    /// <summary>The strategy's study, how many agents run it, and how many trials each (0: until the study says it is done).</summary>
    private static (CreateStudyRequest Request, int Agents, int PerAgent) Study(Setup setup, string strategy, int seed, string name)
    {
        var request = new CreateStudyRequest { Name = name, Directions = { Direction.Maximize }, Sampler = new SamplerConfig { Seed = (ulong)seed } };
        var batch = new ParamSpec { Name = "per_device_batch_size", Categorical = new CategoricalDistribution() };
        batch.Categorical.Choices.AddRange(setup.Batches.Select(b => new ParamValue { IntValue = b }));
        var rate = new ParamSpec { Name = "learning_rate", Float = new FloatDistribution { Low = setup.Range.Low, High = setup.Range.High, Log = true } };
        var decay = new ParamSpec { Name = "weight_decay", Float = new FloatDistribution { Low = 1e-5, High = 1e-1, Log = true } };
        var epochs = new ParamSpec { Name = "num_epochs", Int = new IntDistribution { Low = setup.Epochs, High = setup.Epochs } };
        var seedParam = new ParamSpec { Name = "seed", Int = new IntDistribution { Low = seed * 1000, High = (seed * 1000) + 999 } };
        switch (strategy)
        {
            case "grid":
            {
                // The article's grid: learning rate x batch size x epochs, the shorter run at half the epochs.
                var grid = new ParamSpec { Name = "learning_rate", Categorical = new CategoricalDistribution() };
                grid.Categorical.Choices.AddRange(setup.Grid.Select(r => new ParamValue { FloatValue = r }));
                var lengths = new ParamSpec { Name = "num_epochs", Categorical = new CategoricalDistribution() };
                lengths.Categorical.Choices.AddRange(new[] { Math.Max(1, setup.Epochs / 2), setup.Epochs }.Distinct().Select(e => new ParamValue { IntValue = e }));
                request.Sampler.Grid = new GridSamplerConfig();
                request.SearchSpace = new SearchSpace { Params = { grid, batch, lengths, new ParamSpec { Name = "seed", Int = new IntDistribution { Low = seed, High = seed } } } };
                return (request, 2, 0);
            }

            case "bayes+asha":
                // The article's 60 trials of which 15 random, scaled down: 24 of which 6.
                request.Sampler.Tpe = new TpeSamplerConfig { NStartupTrials = 6 };
                request.Pruner = new PrunerConfig { SuccessiveHalving = new SuccessiveHalvingPrunerConfig { MinResource = 1, ReductionFactor = 2 } };
                request.SearchSpace = new SearchSpace { Params = { rate, batch, decay, epochs, seedParam } };
                return (request, 2, 12);
            default:
                // 8 members at once, one agent each, perturbed after every epoch; the batch size and seed stay the members' own.
                request.Sampler.Random = new RandomSamplerConfig();
                request.Pruner = new PrunerConfig { Pbt = new PbtConfig { PerturbationInterval = 1, PopulationSize = Members, MutableParams = { "learning_rate", "weight_decay" } } };
                request.SearchSpace = new SearchSpace { Params = { rate, batch, decay, epochs, seedParam } };
                return (request, Members, 1);
        }
    }

    private static Process StartAgent(string server, string study, string task, int maxTrials, string checkpoints, string name)
    {
        var psi = new ProcessStartInfo(RepoPrograms.Agent) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--server", server, "--study", study, "--task", task, "--threads", "1", "--max-trials", $"{maxTrials}", "--checkpoint-dir", checkpoints, "--name", name })
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        // Drained, so that a chatty agent never blocks on a full pipe; failures show in the study.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine($"[{name}] {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string Spread(IEnumerable<double> values, string format)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return "-";
        }

        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        return string.Create(CultureInfo.InvariantCulture, $"{median.ToString(format, CultureInfo.InvariantCulture)} [{sorted[0].ToString(format, CultureInfo.InvariantCulture)}, {sorted[^1].ToString(format, CultureInfo.InvariantCulture)}]");
    }
}
