using TorchSharp;

namespace GrpcTuner.Agent.Training;

/// <summary>Everything a training run gets from the agent: its hyperparameters, device, report channel and checkpoint folders.</summary>
public sealed class TrialContext(long trialNumber, HyperParameters hyperParameters, torch.Device device, Func<int, double, Task<bool>> report, Action<string> log,
    string? checkpointDir = null, string? resumeFrom = null)
{
    public long TrialNumber { get; } = trialNumber;

    public HyperParameters HyperParameters { get; } = hyperParameters;

    public torch.Device Device { get; } = device;

    /// <summary>Reports the metric after an epoch; true means stop (pruned).</summary>
    public Task<bool> ReportAsync(int epoch, double metric) => report(epoch, metric);

    public void Log(string line) => log(line);

    /// <summary>Where this run writes its checkpoint after every epoch; null for none.</summary>
    public string? CheckpointDir { get; } = checkpointDir;

    /// <summary>A checkpoint to continue from (this trial's own, or the one it re-runs); null to start fresh.</summary>
    public string? ResumeFrom { get; } = resumeFrom;
}
