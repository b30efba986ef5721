namespace GrpcTuner.Agent.Training;

/// <summary>
/// One kind of training job. A run reports its validation metric after every epoch through
/// <see cref="TrialContext.ReportAsync"/>, stops as soon as that answers "prune", and returns the
/// final metric.
/// </summary>
public interface ITrainingTask
{
    /// <summary>Names of the task's own hyperparameters, beyond the common ones.</summary>
    IReadOnlyCollection<string> TaskParameters { get; }

    /// <summary>Makes sure the data is there (for example by installing a data package), once, before any trial.</summary>
    Task PrepareAsync(CancellationToken ct);

    Task<TrainingOutcome> RunAsync(TrialContext context, CancellationToken ct);
}

/// <summary>How a run ended: finished with its final metric, or stopped by the pruner after some epochs.</summary>
public sealed record TrainingOutcome(bool Pruned, double Metric, int Epochs)
{
    /// <summary>What else the run measured (a test accuracy, say), recorded on the trial as user attributes.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
}
