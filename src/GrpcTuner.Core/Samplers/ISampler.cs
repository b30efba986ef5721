using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers;

/// <summary>
/// Suggests params from the trial history. Implementations are pure: the same history and the
/// same generator state give the same suggestion.
/// </summary>
public interface ISampler
{
    /// <summary>The caller's token stops a sampler whose work grows with the history when the Ask is cancelled or its deadline passes.</summary>
    IReadOnlyDictionary<string, ParamValue> Sample(IReadOnlyList<Trial> history, Rng rng, CancellationToken ct = default);
}

/// <summary>
/// A sampler whose suggestions are the points of a fixed sequence. Stores hand out indexes
/// atomically so that no point goes to two workers, even across replicas.
/// </summary>
public interface ISequenceSampler
{
    /// <summary>Number of points, or null for an endless sequence.</summary>
    long? Size { get; }

    IReadOnlyDictionary<string, ParamValue> PointAt(long index);
}
