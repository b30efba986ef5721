namespace GrpcTuner.Core.Domain;

/// <summary>Life cycle of a trial; the numbers are those of the wire format.</summary>
public enum TrialState
{
    Waiting = 1,
    Running = 2,
    Complete = 3,
    Pruned = 4,
    Fail = 5,
}

public static class TrialStateExtensions
{
    public static bool IsFinished(this TrialState state) => state is TrialState.Complete or TrialState.Pruned or TrialState.Fail;

    /// <summary>The state as metrics and traces label it, and as the SDKs write it: "complete", "pruned".</summary>
    public static string Label(this TrialState state) => state.ToString().ToLowerInvariant();
}
