using TorchSharp;

namespace GrpcTuner.Agent.Training;

/// <summary>Everything a training run gets from the agent: its hyperparameters, device, report channel and checkpoint folders.</summary>
public sealed class TrialContext(long trialNumber, HyperParameters hyperParameters, torch.Device device, Func<int, double, string?, Task<ReportDecision>> report, Action<string> log,
    string? checkpointDir = null, string? resumeFrom = null)
{
    public long TrialNumber { get; } = trialNumber;

    public HyperParameters HyperParameters { get; } = hyperParameters;

    public torch.Device Device { get; } = device;

    /// <summary>Reports the metric after an epoch, with the folder of that epoch's checkpoint (if any), and returns what to do next; it waits for the server's answer on the training thread.</summary>
    public ReportDecision Report(int epoch, double metric, string? checkpoint = null) => report(epoch, metric, checkpoint).GetAwaiter().GetResult();

    public void Log(string line) => log(line);

    /// <summary>Training examples the run has gone through so far, for the trial's compute record.</summary>
    public long SamplesSeen { get; private set; }

    /// <summary>Counts an epoch's examples; trainers call it before the epoch's report.</summary>
    public void Trained(long samples) => SamplesSeen += samples;

    /// <summary>Where this run writes its checkpoint after every epoch; null for none.</summary>
    public string? CheckpointDir { get; } = checkpointDir;

    /// <summary>A checkpoint to continue from (this trial's own, or the one it re-runs); null to start fresh.</summary>
    public string? ResumeFrom { get; } = resumeFrom;
}

/// <summary>What the server said after a report: go on, stop (pruned), or load a donor's checkpoint and continue with new hyperparameters (PBT).</summary>
public sealed record ReportDecision(bool Prune = false, string? ExploitCheckpoint = null, HyperParameters? ExploitWith = null)
{
    public static ReportDecision Continue { get; } = new();

    public static ReportDecision Stop { get; } = new(Prune: true);
}
