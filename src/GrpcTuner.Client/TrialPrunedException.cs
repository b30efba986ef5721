namespace GrpcTuner.Client;

/// <summary>Thrown by an objective to stop its trial early (Optuna's TrialPruned): OptimizeAsync tells it PRUNED.</summary>
public sealed class TrialPrunedException : Exception
{
    public TrialPrunedException()
        : base("pruned")
    {
    }

    public TrialPrunedException(string message)
        : base(message)
    {
    }

    public TrialPrunedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
