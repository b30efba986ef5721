using StackExchange.Redis;

namespace GrpcTuner.Storage.Redis.Scripts;

/// <summary>
/// Replaces a trial's record if it is still at the expected version, appends what the change added
/// to the trial's intermediate series, moves or drops its lease and optionally requeues params, in one step.
/// </summary>
internal static class UpdateScript
{
    /// <summary>
    /// Record is the new record without intermediate values; Added, the fragment of intermediate values
    /// the change added (<see cref="Serialization.IntermediateJson.Fragment"/>, empty for none); a null
    /// LeaseDeadlineMs drops the lease; OnlyIfExpiredAtMs, when set, applies the update only to a lease
    /// that expired by then; Requeue is a record body to queue, or null.
    /// </summary>
    public sealed record Args(long Number, long ExpectedVersion, string Record, string Added, long? LeaseDeadlineMs, long? OnlyIfExpiredAtMs, string? Requeue,
        int StreamMaxLength);

    public abstract record Reply
    {
        public sealed record Applied : Reply;

        /// <summary>The trial changed first: its record and its stored intermediate series.</summary>
        public sealed record Conflict(string Record, string? Intermediate) : Reply;

        public sealed record Missing : Reply;

        public sealed record Gone : Reply;
    }

    private const string Lua = EventAppend.Lua + """
        local trials, intermediate, events, evseq, leases, queue, meta = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
        local n, expected, rec, added = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        local deadline, only_if_expired_at, requeue, maxlen = ARGV[5], ARGV[6], ARGV[7], ARGV[8]

        if redis.call('EXISTS', meta) == 0 then return {'GONE'} end
        local cur = redis.call('HGET', trials, n)
        if not cur then return {'MISSING'} end
        if string.match(cur, '^{"ver":(%d+)') ~= expected then
          return {'CONFLICT', cur, redis.call('HGET', intermediate, n)}
        end
        if only_if_expired_at ~= '' then
          local score = redis.call('ZSCORE', leases, n)
          if (not score) or tonumber(score) > tonumber(only_if_expired_at) then
            return {'CONFLICT', cur, redis.call('HGET', intermediate, n)}
          end
        end
        redis.call('HSET', trials, n, rec)
        if added ~= '' then
          redis.call('HSET', intermediate, n, (redis.call('HGET', intermediate, n) or '') .. added)
        end
        if deadline == '' then redis.call('ZREM', leases, n) else redis.call('ZADD', leases, deadline, n) end
        if requeue ~= '' then redis.call('RPUSH', queue, requeue) end
        append_event(events, evseq, maxlen, n, rec, added)
        return {'OK'}
        """;

    public static async Task<Reply> RunAsync(IDatabase db, StudyKeys keys, Args a)
    {
        RedisKey[] k = [keys.Trials, keys.Intermediate, keys.Events, keys.EventSeq, keys.Leases, keys.Queue, keys.Meta];
        RedisValue[] argv =
        [
            a.Number, a.ExpectedVersion, a.Record, a.Added,
            a.LeaseDeadlineMs is { } d ? d : RedisValue.EmptyString,
            a.OnlyIfExpiredAtMs is { } at ? at : RedisValue.EmptyString,
            a.Requeue ?? "",
            a.StreamMaxLength,
        ];
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(Lua, k, argv).ConfigureAwait(false))!;
        return (string)reply[0]! switch
        {
            "OK" => new Reply.Applied(),
            "CONFLICT" => new Reply.Conflict((string)reply[1]!, reply.Length > 2 && !reply[2].IsNull ? (string)reply[2]! : null),
            "MISSING" => new Reply.Missing(),
            _ => new Reply.Gone(),
        };
    }
}
