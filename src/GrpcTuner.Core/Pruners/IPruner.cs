using GrpcTuner.Core.Domain;

namespace GrpcTuner.Core.Pruners;

/// <summary>Decides, after a report, whether a running trial should stop. Pure, like the samplers.</summary>
public interface IPruner
{
    /// <param name="trial">The trial with its new report already among its intermediate values.</param>
    /// <param name="history">Every trial of the study.</param>
    bool ShouldPrune(Trial trial, IReadOnlyList<Trial> history);
}

/// <summary>Never prunes.</summary>
public sealed class NopPruner : IPruner
{
    public bool ShouldPrune(Trial trial, IReadOnlyList<Trial> history) => false;
}
