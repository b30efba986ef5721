using System.CommandLine;
using System.Runtime.InteropServices;
using GrpcTuner.Agent.Commands;
using GrpcTuner.Agent.Tasks;
using GrpcTuner.Agent.Worker;
using GrpcTuner.Client;
using TorchSharp;

namespace GrpcTuner.Agent;

/// <summary>
/// grpctuner-agent: joins a study and runs its trials, one worker per GPU (--gpus 0,1) or
/// --workers N on the CPU. SIGTERM or Ctrl-C stops it cleanly: running trials are told FAIL
/// "interrupted" with retry, and the process exits 0.
/// </summary>
public static class AgentApp
{
    public static RootCommand Build() => Configure(new RootCommand("grpctuner-agent: runs a study's trials with TorchSharp"));

    /// <summary>Adds the agent's options, action and subcommands to a command (the agent's own root, or the CLI's "agent").</summary>

    public static T Configure<T>(T root)
        where T : Command
    {
        var study = new Option<string>("--study") { Description = "Study to work on", Required = true };
        var taskFile = new Option<string>("--task") { Description = "Task file (YAML or JSON): what to train", Required = true };
        var workers = new Option<int>("--workers") { Description = "CPU workers (ignored with --gpus)", DefaultValueFactory = _ => 1 };
        var gpus = new Option<string?>("--gpus") { Description = "GPU indexes, one worker each, e.g. 0,1" };
        var maxTrials = new Option<int>("--max-trials") { Description = "Trials per worker; 0 runs until stopped or the study is exhausted", DefaultValueFactory = _ => 0 };
        var lease = new Option<int>("--lease-seconds") { Description = "Lease of each trial; heartbeats renew it", DefaultValueFactory = _ => 60 };
        var checkpoints = new Option<string?>("--checkpoint-dir") { Description = "Folder (shared between agents) for a checkpoint per trial after every epoch; re-runs resume from it" };
        var leanMemory = new Option<bool>(Training.LeanMemory.Option) { Description = "Allocate with glibc, mapping and returning tensor memory from 1 MiB: less peak memory, slower trials (see README)" };
        var threads = new Option<int>("--threads") { Description = "CPU threads per CPU worker; default: the cores shared out between the workers (set it when several agents share one machine)" };
        var name = new Option<string>("--name") { Description = "Worker id prefix", DefaultValueFactory = _ => $"{Environment.MachineName}-{Environment.ProcessId}" };
        foreach (var option in new Option[] { study, taskFile, workers, gpus, maxTrials, lease, checkpoints, leanMemory, threads, name })
        {
            root.Options.Add(option);
        }

        root.WithConnection();

        root.Subcommands.Add(Commands.ModelsCommand.Create());

        root.SetAction(async (parse, ct) =>
        {
            Training.LeanMemory.Apply(parse.GetValue(leanMemory));
            Log($"oneMKL: {Training.MklVendorCheck.Lift().Detail}");
            Log($"allocator: {Training.Jemalloc.Describe()}");

            var task = TaskFile.Load(parse.GetValue(taskFile)!);
            await task.PrepareAsync(ct);
            var gpuList = parse.GetValue(gpus)?.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray() ?? [];
            var devices = gpuList.Length > 0 ? gpuList.Select(i => new torch.Device(DeviceType.CUDA, i)).ToArray()
                : Enumerable.Repeat(torch.cuda.is_available() ? torch.CUDA : torch.CPU, Math.Max(1, parse.GetValue(workers))).ToArray();
            if (devices[0].type == DeviceType.CPU)
            {
                var given = parse.GetValue(threads);
                if (given < 0)
                {
                    throw new ArgumentException($"--threads: must be >= 1 (or 0 for the default), got {given}");
                }

                torch.set_num_threads(given > 0 ? given : Math.Max(1, Environment.ProcessorCount / devices.Length));
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            // A list of replicas spreads the workers over them, one replica each.
            var addresses = parse.GetValue(ConnectionOptions.Server)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var clients = new List<TunerClient>();
            var runs = new List<(TrialWorker Worker, Task Run)>();
            for (var i = 0; i < devices.Length; i++)
            {
                var client = new TunerClient(addresses[i % addresses.Length], ConnectionOptions.ClientOptions(parse, new TunerClientOptions
                {
                    WorkerId = $"{parse.GetValue(name)}-w{i}",
                    Lease = TimeSpan.FromSeconds(parse.GetValue(lease)),
                }));
                clients.Add(client);
                var handle = await client.LoadStudyAsync(parse.GetValue(study)!, stop.Token);
                var worker = new TrialWorker($"w{i}", handle, task, devices[i], parse.GetValue(maxTrials), parse.GetValue(checkpoints), Log);
                runs.Add((worker, worker.RunAsync(stop.Token)));
            }

            await Task.WhenAll(runs.Select(r => r.Run));
            foreach (var (worker, _) in runs)
            {
                var s = worker.Summary;
                Log($"summary {s.Name}: {s.Completed} complete, {s.Pruned} pruned, {s.Failed} failed, best {(s.Best is { } b ? b.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "-")}");
            }

            clients.ForEach(c => c.Dispose());
            return 0;
        });
        return root;
    }

    private static void Log(string line) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
}
