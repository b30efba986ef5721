namespace GrpcTuner.Core.Domain;

/// <summary>Params waiting to be run by the next Ask: enqueued by a user or by a lease-expiry retry.</summary>
public sealed record QueuedParams(
    IReadOnlyDictionary<string, ParamValue> Params,
    IReadOnlyDictionary<string, string> UserAttrs,
    long? RetriedFrom);
