namespace GrpcTuner.Agent.Training;

/// <summary>A trial that cannot run as configured (unknown or out-of-range hyperparameter, bad data): it fails, the agent goes on.</summary>
public sealed class TrialFailedException(string reason) : Exception(reason);
