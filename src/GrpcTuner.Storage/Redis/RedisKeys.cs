using StackExchange.Redis;

namespace GrpcTuner.Storage.Redis;

/// <summary>
/// Every Redis key the service uses, and nothing else builds one. Keys of a study share the hash
/// tag <c>{s:ID}</c>, so a Redis Cluster keeps a study on one slot and its scripts stay atomic.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>Hash: study name -> study id.</summary>
    public RedisKey StudyNames { get; } = $"{prefix}study-names";

    /// <summary>Sorted set, all scores 0: study names in byte order, so a page of ListStudies is one range read.</summary>
    public RedisKey StudyIndex { get; } = $"{prefix}study-index";

    /// <summary>Hash: API key id -> key record (with the secret's hash, never the secret).</summary>
    public RedisKey ApiKeys { get; } = $"{prefix}api-keys";

    /// <summary>Pub/sub channel: the id of each key revoked, for every replica's key cache.</summary>
    public RedisChannel Revocations { get; } = RedisChannel.Literal($"{prefix}api-keys:revoked");

    public StudyKeys For(string studyId) => new($"{prefix}{{s:{studyId}}}:");
}

/// <summary>The keys of one study.</summary>
internal sealed class StudyKeys(string root)
{
    /// <summary>String: the study definition.</summary>
    public RedisKey Meta { get; } = root + "meta";

    /// <summary>String counter: trials numbered so far.</summary>
    public RedisKey Seq { get; } = root + "seq";

    /// <summary>Hash: number -> trial record.</summary>
    public RedisKey Trials { get; } = root + "trials";

    /// <summary>Hash: number -> the trial's intermediate values as appended fragments (the records hold none), so a report appends one value instead of rewriting them all.</summary>
    public RedisKey Intermediate { get; } = root + "iv";

    /// <summary>Stream: one entry per trial change, with ids "K-0" for the K-th change, so a reader sees a gap left by trimming.</summary>
    public RedisKey Events { get; } = root + "events";

    /// <summary>String counter: changes written to the stream so far.</summary>
    public RedisKey EventSeq { get; } = root + "evseq";

    /// <summary>Sorted set: number -> lease deadline (unix ms) of running trials.</summary>
    public RedisKey Leases { get; } = root + "leases";

    /// <summary>List: queued param sets (record fragments).</summary>
    public RedisKey Queue { get; } = root + "queue";

    /// <summary>String counter: next index of the study's sequence sampler (grid, QMC).</summary>
    public RedisKey Grid { get; } = root + "grid";

    /// <summary>String: the reply to an Ask with this request id, kept for a day.</summary>
    public RedisKey Request(string requestId) => root + "req:" + requestId;

    public RedisKey[] All => [Meta, Seq, Trials, Intermediate, Events, EventSeq, Leases, Queue, Grid];
}
