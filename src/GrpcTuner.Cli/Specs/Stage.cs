using GrpcTuner.V1;

namespace GrpcTuner.Cli.Specs;

/// <summary>One study of a spec's stages.</summary>
/// <param name="Request">What creates the study.</param>
/// <param name="Trials">Trials to run; null for the run's default.</param>
/// <param name="FromBest">How many of the previous stage's best trials it starts from, params and checkpoints; 0 for none.</param>
public sealed record Stage(CreateStudyRequest Request, int? Trials, int FromBest)
{
    /// <summary>The study's name: the spec's name, a dash and the stage's.</summary>
    public string Name => Request.Name;
}
