using StackExchange.Redis;

namespace GrpcTuner.Storage.Redis.Scripts;

/// <summary>
/// Starts trials in one step: from the queue first, then from the suggestions; a sequence sampler's
/// counter moves only over the window the suggestions cover. A repeated request id gets the first
/// answer again.
/// </summary>
internal static class ClaimScript
{
    /// <summary>
    /// RequestId is empty for a request without one; Head holds the record members every started
    /// trial shares (<see cref="Serialization.TrialJson.Head"/>); Window is a sequence sampler's
    /// (null for a free sampler); Bodies holds one record body per suggestion.
    /// </summary>
    public sealed record Args(string RequestId, int Count, string Head, long LeaseDeadlineMs, SequenceWindow? Window,
        long RequestTtlSeconds, int StreamMaxLength, IReadOnlyList<string> Bodies);

    public abstract record Reply
    {
        /// <summary>The records of the started trials, as a JSON array.</summary>
        public sealed record Claimed(string Records) : Reply;

        public sealed record Retry(long Next) : Reply;

        public sealed record Exhausted(long Size) : Reply;

        public sealed record Gone : Reply;
    }

    private const string Lua = EventAppend.Lua + """
        local seq, trials, events, evseq, leases, queue, grid, req, meta = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
        local request_id, count, head, deadline = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
        local window_start, window_size, req_ttl, maxlen = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], ARGV[8]
        local first_body = 9

        if redis.call('EXISTS', meta) == 0 then return {'GONE'} end
        if request_id ~= '' then
          local prev = redis.call('GET', req)
          if prev then return {'OK', prev} end
        end
        local suggestions = #ARGV - first_body + 1
        local from_queue = math.min(count, redis.call('LLEN', queue))
        local needed = count - from_queue
        local offset = 0
        if needed > 0 and window_size ~= -2 then
          local seq_next = tonumber(redis.call('GET', grid) or '0')
          if window_size >= 0 then
            if seq_next >= window_size and from_queue == 0 then return {'EXHAUSTED', window_size} end
            needed = math.min(needed, window_size - seq_next)
          end
          if needed > 0 then
            offset = seq_next - window_start
            if offset < 0 or offset + needed > suggestions then return {'RETRY', seq_next} end
            redis.call('SET', grid, seq_next + needed)
          end
        end
        local bodies = {}
        for i = 1, from_queue do bodies[#bodies + 1] = redis.call('LPOP', queue) end
        for i = 1, needed do bodies[#bodies + 1] = ARGV[first_body + offset + i - 1] end
        local records = {}
        for i = 1, #bodies do
          local n = redis.call('INCR', seq) - 1
          local rec = '{"ver":0,"n":' .. n .. ',' .. head .. ',' .. bodies[i] .. '}'
          redis.call('HSET', trials, n, rec)
          redis.call('ZADD', leases, deadline, n)
          append_event(events, evseq, maxlen, n, rec, '')
          records[#records + 1] = rec
        end
        local reply = '[' .. table.concat(records, ',') .. ']'
        if request_id ~= '' then redis.call('SET', req, reply, 'EX', req_ttl) end
        return {'OK', reply}
        """;

    public static async Task<Reply> RunAsync(IDatabase db, StudyKeys keys, Args a)
    {
        var argv = new List<RedisValue>(8 + a.Bodies.Count)
        {
            a.RequestId, a.Count, a.Head, a.LeaseDeadlineMs, a.Window?.Start ?? 0,
            a.Window is null ? -2 : a.Window.Size ?? -1,
            a.RequestTtlSeconds, a.StreamMaxLength,
        };
        argv.AddRange(a.Bodies.Select(b => (RedisValue)b));
        RedisKey[] k = [keys.Seq, keys.Trials, keys.Events, keys.EventSeq, keys.Leases, keys.Queue, keys.Grid, keys.Request(a.RequestId), keys.Meta];
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(Lua, k, argv.ToArray()).ConfigureAwait(false))!;
        return (string)reply[0]! switch
        {
            "OK" => new Reply.Claimed((string)reply[1]!),
            "RETRY" => new Reply.Retry((long)reply[1]),
            "EXHAUSTED" => new Reply.Exhausted((long)reply[1]),
            _ => new Reply.Gone(),
        };
    }
}
