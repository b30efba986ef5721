using GrpcTuner.Agent.Commands;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GrpcTuner.Agent.Tasks;
using GrpcTuner.Cli.Specs;
using GrpcTuner.Client;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Commands;

/// <summary>
/// <c>grpctuner run</c>: a whole study in one command. Without --server it starts a server on the
/// embedded store in this process (and says how outside workers join it); with --agents it starts
/// trainer agents; it waits for the trial budget or the timeout, prints the trials and the best
/// configuration, and writes it with --output. A spec with stages runs them one after another,
/// each stage's study started from the best trials of the one before where it says so.
/// Ctrl-C or SIGTERM stops it: agents tell their running trials FAIL for a retry, told trials
/// stay, and the exit code is 130.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var spec = new Option<string>("--spec") { Description = "Study spec file (YAML or JSON)", Required = true };
        var task = new Option<string?>("--task") { Description = "Task file for the agents (needed with --agents)" };
        var agents = new Option<int>("--agents") { Description = "Trainer agents to start here (0: wait for workers started elsewhere)", DefaultValueFactory = _ => 0 };
        var trials = new Option<int>("--trials", "--max-trials") { Description = "Trials to run", DefaultValueFactory = _ => 20 };
        var timeout = DurationOption.Create("--timeout", "Stop after this long; default 30m");
        var server = new Option<string?>("--server") { Description = "Use this server instead of starting one on the embedded store" };
        var output = new Option<string?>("--output") { Description = "Write the best trial as JSON to this file" };
        var journal = new Option<string?>("--journal") { Description = "Keep the embedded store's journal at this path (default: a temporary one, deleted at the end)" };
        var connectionFile = new Option<string?>("--connection-file") { Description = "Write the embedded server's address, API key and study as JSON to this file (readable by you only), for workers started elsewhere" };
        var checkpoints = new Option<string?>("--checkpoint-dir") { Description = "The agents' checkpoint folder (see 'grpctuner agent --help'); a staged run with agents uses a temporary one when none is given" };
        var command = new Command("run", "Run a study end to end and print the best configuration")
        {
            spec, task, agents, trials, timeout, server, output, journal, connectionFile, checkpoints, ConnectionOptions.ApiKey, ConnectionOptions.CaFile,
        };
        command.SetAction(async (parse, ct) =>
        {
            using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var stages = StudySpec.LoadStages(parse.GetValue(spec)!);
            var agentCount = parse.GetValue(agents);
            var taskPath = parse.GetValue(task);
            if (agentCount > 0)
            {
                if (taskPath is null)
                {
                    throw new SpecException("--task is required with --agents");
                }

                await TaskFile.Load(taskPath).PrepareAsync(ct);
            }

            var address = parse.GetValue(server);
            var connection = ConnectionOptions.ClientOptions(parse);
            await using var embedded = address is null ? await EmbeddedServer.StartAsync(parse.GetValue(journal), interrupted, ct) : null;
            Func<TunerStudy, Task> announce = _ => Task.CompletedTask;
            if (embedded is not null)
            {
                connection = connection with { ApiKey = embedded.AdminKey };
                address = embedded.Address;
                var file = parse.GetValue(connectionFile);
                announce = async study =>
                {
                    // Once the study exists, so that a worker that reads this can join it at once.
                    if (agentCount == 0)
                    {
                        Console.WriteLine($"workers join with: GRPCTUNER_API_KEY={embedded.AdminKey} grpctuner agent --server {embedded.Address} --study {study.Name} --task TASK");
                    }

                    if (file is not null)
                    {
                        await WriteConnectionFileAsync(file, embedded.Address, embedded.AdminKey, study.Name, ct);
                    }
                };
            }

            var folder = parse.GetValue(checkpoints);
            var temporary = folder is null && stages.Count > 1 && agentCount > 0 ? Directory.CreateTempSubdirectory("grpctuner-checkpoints-").FullName : null;
            try
            {
                var agentArgs = (folder ?? temporary) is { } dir ? new[] { "--checkpoint-dir", Path.GetFullPath(dir) } : [];
                var code = await RunStagesAsync(address!, connection, stages, announce, agentCount, taskPath, agentArgs, parse.GetValue(trials),
                    parse.GetValue(timeout) ?? TimeSpan.FromMinutes(30), parse.GetValue(output), interrupted.Token);
                if (interrupted.IsCancellationRequested)
                {
                    await Console.Error.WriteLineAsync("error: interrupted: finished trials are kept; running ones are retried once their workers tell FAIL or their leases expire");
                    return 130;
                }

                return code;
            }
            finally
            {
                if (temporary is not null)
                {
                    Directory.Delete(temporary, recursive: true);
                }
            }
        });
        return command;
    }

    /// <summary>Runs each stage's study in turn, each after the one before completed a trial, promoting the best trials where a stage says so.</summary>
    private static async Task<int> RunStagesAsync(string address, TunerClientOptions connection, IReadOnlyList<Stage> stages, Func<TunerStudy, Task> announce, int agentCount,
        string? taskPath, IReadOnlyList<string> agentArgs, int budget, TimeSpan timeout, string? outputPath, CancellationToken ct)
    {
        string? previous = null;
        foreach (var stage in stages)
        {
            stage.Request.LoadIfExists = true;
            var before = previous;
            var code = await RunStudyAsync(address, connection, stage.Request, async study =>
            {
                // Promoted once: a run started again finds the stage's study with its trials.
                if (stage.FromBest > 0 && (await study.TrialsAsync(ct)).Count == 0)
                {
                    using var reader = new TunerClient(address, connection);
                    var from = await reader.LoadStudyAsync(before!, ct);
                    var promoted = await WarmStart.PromoteBestAsync(from, study, stage.FromBest, ct);
                    Console.WriteLine($"study '{study.Name}' starts from trials {string.Join(", ", promoted.Select(t => t.Number))} of '{from.Name}', params and checkpoints");
                }

                await announce(study);
            }, agentCount, taskPath, agentArgs, stage.Trials ?? (stage.FromBest > 0 ? stage.FromBest : budget), timeout, outputPath, ct);
            if (code != 0 || ct.IsCancellationRequested)
            {
                return code;
            }

            previous = stage.Name;
        }

        return 0;
    }

    /// <summary>Creates (or loads) the study, runs it with agents or waits for outside workers, prints its trials and best; 0 when a trial completed.</summary>
    internal static async Task<int> RunStudyAsync(string address, TunerClientOptions connection, CreateStudyRequest request, Func<TunerStudy, Task> announce, int agentCount, string? taskPath,
        IReadOnlyList<string> agentArgs, int budget, TimeSpan timeout, string? outputPath, CancellationToken ct)
    {
        using var client = new TunerClient(address, connection);
        var study = await client.CreateStudyAsync(request, ct);
        await announce(study);
        Console.WriteLine($"study '{study.Name}': {budget} trials, {agentCount} agent(s), timeout {timeout}");
        if (agentCount > 0)
        {
            // Each agent runs its share exactly; an agent without one is not started, since 0 would mean no limit.
            var started = Math.Min(agentCount, budget);
            using var processes = AgentProcesses.Start(started, connection, i =>
                ["--server", address, "--study", study.Name, "--task", taskPath!, "--max-trials", ((budget / started) + (i < budget % started ? 1 : 0)).ToString(CultureInfo.InvariantCulture),
                    "--name", $"agent{i}", .. agentArgs]);
            if (!await processes.WaitAsync(timeout, ct))
            {
                Console.WriteLine(ct.IsCancellationRequested ? "interrupted: agents were asked to stop" : "timeout: agents were asked to stop");
            }
        }
        else
        {
            await WaitForTrialsAsync(study, budget, timeout, ct);
        }

        // Interrupted or not, the trials so far are worth printing.
        var all = await study.TrialsAsync(CancellationToken.None);
        Console.WriteLine(TrialTable.Render(study.Info, all));
        var best = await study.BestTrialsAsync(CancellationToken.None);
        if (best.Count == 0)
        {
            // An interruption is reported by the caller; a run that ended with nothing is an error of its own.
            if (!ct.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("error: no trial completed; see the table above");
            }

            return 1;
        }

        Console.WriteLine($"best: trial {best[0].Number} values [{string.Join(", ", best[0].Values.Select(TrialFormat.Number))}] params {TrialFormat.Params(best[0])}");
        if (outputPath is not null)
        {
            await File.WriteAllTextAsync(outputPath, BestJson(study.Info, best), CancellationToken.None);
        }

        return 0;
    }

    private static async Task WriteConnectionFileAsync(string path, string address, string key, string study, CancellationToken ct)
    {
        // The key is an admin key: the file is made private before it is written.
        await File.WriteAllTextAsync(path, "", ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new { server = address, api_key = key, study }), ct);

        Console.WriteLine($"connection written to {path}");
    }

    private static async Task WaitForTrialsAsync(TunerStudy study, int budget, TimeSpan timeout, CancellationToken ct)
    {
        var until = DateTime.UtcNow + timeout;
        try
        {
            while (DateTime.UtcNow < until)
            {
                var finished = (await study.TrialsAsync(ct)).Count(t => t.State is TrialState.Complete or TrialState.Pruned or TrialState.Fail);
                if (finished >= budget)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException)
        {
            // Interrupted: the caller reports it after printing the trials so far.
        }
    }

    /// <summary>The best trial (or the Pareto front) as plain JSON a pipeline can read.</summary>
    public static string BestJson(Study study, IReadOnlyList<Trial> best) => JsonSerializer.Serialize(new
    {
        study = study.Name,
        directions = study.Directions.Select(TrialFormat.Direction).ToArray(),
        best = best.Select(t => new
        {
            number = t.Number,
            values = t.Values.ToArray(),
            @params = TrialFormat.PlainParams(t),
        }).ToArray(),
    }, new JsonSerializerOptions { WriteIndented = true });
}
