using TorchSharp;

namespace GrpcTuner.Agent.Training;

/// <summary>Everything a training run gets from the agent: its hyperparameters, device and thread budget, and the report channel.</summary>
public sealed class TrialContext(long trialNumber, HyperParameters hyperParameters, torch.Device device, Func<int, double, Task<bool>> report, Action<string> log)
{
    public long TrialNumber { get; } = trialNumber;

    public HyperParameters HyperParameters { get; } = hyperParameters;

    public torch.Device Device { get; } = device;

    /// <summary>Reports the metric after an epoch; true means stop (pruned).</summary>
    public Task<bool> ReportAsync(int epoch, double metric) => report(epoch, metric);

    public void Log(string line) => log(line);
}
