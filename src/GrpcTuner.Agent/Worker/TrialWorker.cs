using Grpc.Core;
using GrpcTuner.Agent.Training;
using GrpcTuner.Client;
using GrpcTuner.V1;
using TorchSharp;

namespace GrpcTuner.Agent.Worker;

/// <summary>
/// One worker (one GPU, or a share of the CPU): Ask, train with reports after every epoch, Tell,
/// until its trial budget is spent, the study has nothing left to hand out, or the agent stops.
/// An interrupted trial is told FAIL "interrupted" with retry, so another worker runs it again.
/// </summary>
internal sealed class TrialWorker(string name, TunerStudy study, ITrainingTask task, torch.Device device, int maxTrials, string? checkpointRoot, Action<string> log)
{
    public WorkerSummary Summary { get; } = new(name);

    public async Task RunAsync(CancellationToken stop)
    {
        using var training = new TrainingThread($"training-{name}");
        while (!stop.IsCancellationRequested && (maxTrials == 0 || Summary.Total < maxTrials))
        {
            TunerTrial trial;
            try
            {
                trial = await study.AskAsync(stop);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.OutOfRange)
            {
                log($"{name}: {e.Status.Detail}");
                return;
            }
            catch (Exception e) when (e is OperationCanceledException || (e is RpcException r && r.StatusCode == StatusCode.Cancelled))
            {
                return;
            }

            await using (trial)
            {
                if (!await RunTrialAsync(trial, training, stop))
                {
                    return;
                }
            }
        }
    }

    /// <summary>The first line of the message, with the kind of failure where the message alone would not say it; at most what Tell takes.</summary>
    internal static string Reason(Exception e)
    {
        var message = e.Message.Split('\n', 2)[0].Trim();
        var text = e is TrialFailedException or InvalidDataException or FileNotFoundException or NotSupportedException or ArgumentException ? message : $"{e.GetType().Name}: {message}";
        return text.Length <= 1024 ? text : text[..1021] + "...";
    }

    /// <summary>The checkpoint a trial promoted from an earlier study starts from, which must lie under this agent's checkpoint folder.</summary>
    private string WarmStartFolder(long number, string warm)
    {
        var root = checkpointRoot is null ? null : Path.GetFullPath(checkpointRoot);
        if (root is null)
        {
            throw new TrialFailedException($"trial {number} starts from the checkpoint '{warm}' ({WarmStart.CheckpointAttr}); give this agent --checkpoint-dir, the folder the agents of that study used");
        }

        var path = Path.GetFullPath(Path.Combine(root, warm));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new TrialFailedException($"{WarmStart.CheckpointAttr} '{warm}' of trial {number} leads outside --checkpoint-dir {root}");
        }

        return Checkpoint.Exists(path) ? path : throw new TrialFailedException($"trial {number} starts from the checkpoint '{warm}' ({WarmStart.CheckpointAttr}), but {path} holds none");
    }

    /// <returns>False when the agent is stopping.</returns>
    private async Task<bool> RunTrialAsync(TunerTrial trial, TrainingThread training, CancellationToken stop)
    {
        try
        {
            var hp = task.HyperParametersOf(trial.Params);
            // A re-run continues from the last epoch its predecessor checkpointed, on any machine that shares the folder.
            var own = checkpointRoot is null ? null : Path.Combine(checkpointRoot, CheckpointLayout.TrialFolder(study.Info, trial.Number));
            var resume = checkpointRoot is not null && trial.Info.HasRetriedFrom ? Path.Combine(checkpointRoot, CheckpointLayout.TrialFolder(study.Info, trial.Info.RetriedFrom)) : own;
            if (trial.Info.UserAttrs.TryGetValue(WarmStart.CheckpointAttr, out var warm) && !Checkpoint.Exists(resume))
            {
                resume = WarmStartFolder(trial.Number, warm);
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var cpuAtStart = Environment.CpuUsage.TotalTime;
            TrialContext? running = null;
            // The process's CPU time: shared between the trials of an agent that runs several workers at once.
            Compute Measured(long epochs) => new()
            {
                WallSeconds = clock.Elapsed.TotalSeconds, CpuSeconds = (Environment.CpuUsage.TotalTime - cpuAtStart).TotalSeconds,
                DeviceKind = device.type.ToString().ToLowerInvariant(), DeviceCount = 1, Samples = running?.SamplesSeen ?? 0, Epochs = epochs,
            };
            var context = new TrialContext(trial.Number, hp, device, async (epoch, metric, checkpoint) =>
            {
                trial.Compute = Measured(epoch + 1);
                var response = await trial.ReportAsync(epoch, metric, checkpoint ?? "");
                return response.Decision switch
                {
                    Decision.Prune => ReportDecision.Stop,
                    Decision.Exploit => new ReportDecision(ExploitCheckpoint: response.Exploit.DonorCheckpoint, ExploitWith: task.HyperParametersOf(response.Exploit.Params)),
                    _ => ReportDecision.Continue,
                };
            }, line => log($"{name}: {line}"), own, resume);
            running = context;
            var outcome = await training.RunAsync(() =>
            {
                LeanMemory.ReleaseFreed();
                ProcessMemory.ResetPeak();
                return task.Run(context, stop);
            });
            trial.Compute = Measured(outcome.Epochs);
            var attributes = new Dictionary<string, string>(outcome.Attributes)
            {
                ["peak_rss_mb"] = ProcessMemory.PeakMegabytes().ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            if (outcome.Pruned)
            {
                await trial.TellAsync(TrialState.Pruned, [], $"pruned after epoch {outcome.Epochs}");
                Summary.Pruned++;
                log($"{name}: trial {trial.Number} pruned after epoch {outcome.Epochs}");
            }
            else
            {
                await trial.TellAsync(TrialState.Complete, [outcome.Metric], attributes: attributes);
                Summary.Complete(outcome.Metric);
                log($"{name}: trial {trial.Number} complete, metric {outcome.Metric:F4}");
            }

            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await trial.TellAsync(TrialState.Fail, [], "interrupted", retry: true);
            Summary.Failed++;
            log($"{name}: trial {trial.Number} interrupted; told FAIL so it can run again");
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not RpcException)
        {
            // Whatever one trial hits (a checkpoint that does not load, bad data, a tokenizer file,
            // libtorch out of memory) ends that trial with the reason; the agent goes on.
            var reason = Reason(e);
            await trial.TellAsync(TrialState.Fail, [], reason);
            Summary.Failed++;
            log($"{name}: trial {trial.Number} failed: {reason}");
            return true;
        }
    }
}

/// <summary>What one worker did.</summary>
internal sealed class WorkerSummary(string name)
{
    public string Name { get; } = name;

    public int Completed { get; private set; }

    public int Pruned { get; set; }

    public int Failed { get; set; }

    public double? Best { get; private set; }

    public int Total => Completed + Pruned + Failed;

    public void Complete(double metric)
    {
        Completed++;
        Best = Best is { } b ? Math.Max(b, metric) : metric;
    }
}
