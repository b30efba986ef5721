namespace GrpcTuner.Core.Domain;

/// <summary>
/// A value waiting on a running trial for its parameter's Suggest: chosen by the sampler for a
/// distribution, or enqueued by a user without one.
/// </summary>
public sealed record Proposal(ParamValue Value, Distribution? Distribution)
{
    public static IReadOnlyDictionary<string, Proposal> None { get; } = new Dictionary<string, Proposal>();

    /// <summary>Whether a Suggest naming <paramref name="distribution"/> takes this value: the sampler's only for its own distribution, an enqueued one for any that contains it.</summary>
    public bool Fits(Distribution distribution) => Distribution?.Equals(distribution) ?? distribution.Contains(Value);
}
