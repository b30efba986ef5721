using StackExchange.Redis;

namespace GrpcTuner.Storage.Redis.Scripts;

/// <summary>Queues params that take a place of a bounded sequence: the counter moves and the entry is pushed together, or neither.</summary>
internal static class EnqueueCountedScript
{
    public abstract record Reply
    {
        public sealed record Queued(long Length) : Reply;

        public sealed record Full : Reply;

        public sealed record Gone : Reply;
    }

    private const string Lua = """
        local grid, queue, meta = KEYS[1], KEYS[2], KEYS[3]
        local size, body = tonumber(ARGV[1]), ARGV[2]
        if redis.call('EXISTS', meta) == 0 then return -2 end
        local next = tonumber(redis.call('GET', grid) or '0')
        if next >= size then return -1 end
        redis.call('SET', grid, next + 1)
        return redis.call('RPUSH', queue, body)
        """;

    public static async Task<Reply> RunAsync(IDatabase db, StudyKeys keys, long size, string body) =>
        (long)await db.ScriptEvaluateAsync(Lua, [keys.Grid, keys.Queue, keys.Meta], [size, body]).ConfigureAwait(false) switch
        {
            -2 => new Reply.Gone(),
            -1 => new Reply.Full(),
            var length => new Reply.Queued(length),
        };
}
