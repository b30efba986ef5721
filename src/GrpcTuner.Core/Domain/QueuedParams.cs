namespace GrpcTuner.Core.Domain;

/// <summary>Params waiting to be run by the next Ask: enqueued by a user or by a lease-expiry retry, with the values waiting for a Suggest.</summary>
public sealed record QueuedParams(
    IReadOnlyDictionary<string, ParamValue> Params,
    IReadOnlyDictionary<string, string> UserAttrs,
    long? RetriedFrom)
{
    /// <summary>Values for parameters outside the search space, taken when a Suggest fits them.</summary>
    public IReadOnlyDictionary<string, Proposal> Proposals { get; init; } = Proposal.None;
}
