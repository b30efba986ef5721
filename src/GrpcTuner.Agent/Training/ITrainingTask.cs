using GrpcTuner.V1;

namespace GrpcTuner.Agent.Training;

/// <summary>
/// One kind of training job. A run reports its validation metric after every epoch through
/// <see cref="TrialContext.Report"/>, stops as soon as that answers "prune", and returns the
/// final metric. A run is synchronous, start to end on its worker's own thread: libtorch and its
/// math libraries keep per-thread buffers and thread pools, and a run that hopped between pool
/// threads left a trial's worth of them behind at every hop.
/// </summary>
public interface ITrainingTask
{
    /// <summary>Names of the task's own hyperparameters, beyond the common ones.</summary>
    IReadOnlyCollection<string> TaskParameters { get; }

    /// <summary>Makes sure the data is there (for example by installing a data package), once, before any trial.</summary>
    Task PrepareAsync(CancellationToken ct);

    TrainingOutcome Run(TrialContext context, CancellationToken ct);

    /// <summary>Hyperparameter values the task file sets for whatever the study does not tune (gradient_checkpointing, say).</summary>
    IReadOnlyDictionary<string, ParamValue> Defaults => new Dictionary<string, ParamValue>();

    /// <summary>A trial's hyperparameters: its own params over the task's defaults.</summary>
    HyperParameters HyperParametersOf(IReadOnlyDictionary<string, ParamValue> trialParams)
    {
        var all = new Dictionary<string, ParamValue>(Defaults, StringComparer.Ordinal);
        foreach (var (name, value) in trialParams)
        {
            all[name] = value;
        }

        return HyperParameters.Parse(all, TaskParameters);
    }
}

/// <summary>A task with the defaults its task file gives; everything else is the task's own.</summary>
internal sealed class DefaultedTask(ITrainingTask task, IReadOnlyDictionary<string, ParamValue> defaults) : ITrainingTask
{
    public IReadOnlyCollection<string> TaskParameters => task.TaskParameters;

    public IReadOnlyDictionary<string, ParamValue> Defaults => defaults;

    public Task PrepareAsync(CancellationToken ct) => task.PrepareAsync(ct);

    public TrainingOutcome Run(TrialContext context, CancellationToken ct) => task.Run(context, ct);
}

/// <summary>How a run ended: finished with its final metric, or stopped by the pruner after some epochs.</summary>
public sealed record TrainingOutcome(bool Pruned, double Metric, int Epochs)
{
    /// <summary>What else the run measured (a test accuracy, say), recorded on the trial as user attributes.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
}
