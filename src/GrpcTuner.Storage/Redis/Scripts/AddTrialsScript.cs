using StackExchange.Redis;

namespace GrpcTuner.Storage.Redis.Scripts;

/// <summary>Stores finished trials under the next numbers, with their intermediate series, in one step.</summary>
internal static class AddTrialsScript
{
    /// <summary>A record without version, number and intermediate values (<see cref="Serialization.TrialJson.ImportBody"/>), and its intermediate values as a fragment (empty for none).</summary>
    public sealed record Entry(string Body, string Intermediate);

    private const string Lua = EventAppend.Lua + """
        local seq, trials, intermediate, events, evseq, meta = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
        local maxlen = ARGV[1]
        local first_entry = 2

        if redis.call('EXISTS', meta) == 0 then return {'GONE'} end
        local numbers = {}
        for i = first_entry, #ARGV, 2 do
          local n = redis.call('INCR', seq) - 1
          local rec = '{"ver":0,"n":' .. n .. ',' .. ARGV[i] .. '}'
          local added = ARGV[i + 1]
          redis.call('HSET', trials, n, rec)
          if added ~= '' then redis.call('HSET', intermediate, n, added) end
          append_event(events, evseq, maxlen, n, rec, added)
          numbers[#numbers + 1] = n
        end
        return numbers
        """;

    /// <returns>The new numbers in order, or null when the study is gone.</returns>
    public static async Task<IReadOnlyList<long>?> RunAsync(IDatabase db, StudyKeys keys, int streamMaxLength, IReadOnlyList<Entry> entries)
    {
        var argv = new List<RedisValue>(1 + (2 * entries.Count)) { streamMaxLength };
        foreach (var e in entries)
        {
            argv.Add(e.Body);
            argv.Add(e.Intermediate);
        }

        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(Lua, [keys.Seq, keys.Trials, keys.Intermediate, keys.Events, keys.EventSeq, keys.Meta], argv.ToArray()).ConfigureAwait(false))!;
        return reply.Length > 0 && reply[0].Resp2Type == ResultType.BulkString && (string)reply[0]! == "GONE"
            ? null
            : reply.Select(r => (long)r).ToList();
    }
}
