using GrpcTuner.V1;

namespace GrpcTuner.Client;

/// <summary>
/// Where trainer agents keep checkpoints under their --checkpoint-dir: a folder per study, named
/// for its name and id, so that a study deleted and created again under the same name never
/// resumes from, or hands PBT donors of, the old one; in it a folder per trial.
/// </summary>
public static class CheckpointLayout
{
    /// <summary>The trial's folder, relative to the checkpoint root: "NAME-ID/trial-N".</summary>
    public static string TrialFolder(Study study, long trialNumber) => Path.Combine($"{study.Name}-{study.StudyId}", $"trial-{trialNumber}");
}
