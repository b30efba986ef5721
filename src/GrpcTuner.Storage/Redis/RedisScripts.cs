namespace GrpcTuner.Storage.Redis;

/// <summary>
/// One Lua script per state change: each checks, writes the record, appends the event and moves
/// the lease in one step, so a change happens completely or not at all. Every key of a script
/// belongs to one study's hash tag. Errors come back as a status word for the store to map.
/// </summary>
internal static class RedisScripts
{
    /// <summary>Shared by the scripts: append a trial record to the events stream under the next change number.</summary>
    private const string AppendEvent = """
        local function append_event(events, evseq, maxlen, n, rec)
          local k = redis.call('INCR', evseq)
          redis.call('XADD', events, 'MAXLEN', '~', maxlen, k .. '-0', 'n', n, 'r', rec)
        end
        """;

    /// <summary>
    /// KEYS: seq trials events evseq leases queue grid req meta.
    /// ARGV: request_id count head deadline_ms window_start window_size(-1 endless, -2 none) req_ttl maxlen bodies...
    /// Returns {'OK', json array of records} | {'RETRY', next} | {'EXHAUSTED', size} | {'GONE'}.
    /// </summary>
    public const string Claim = AppendEvent + """

        if redis.call('EXISTS', KEYS[9]) == 0 then return {'GONE'} end
        if ARGV[1] ~= '' then
          local prev = redis.call('GET', KEYS[8])
          if prev then return {'OK', prev} end
        end
        local count = tonumber(ARGV[2])
        local head = ARGV[3]
        local window_size = tonumber(ARGV[6])
        local suggestions = #ARGV - 8
        local from_queue = math.min(count, redis.call('LLEN', KEYS[6]))
        local needed = count - from_queue
        local offset = 0
        local seq_next = 0
        if needed > 0 and window_size ~= -2 then
          seq_next = tonumber(redis.call('GET', KEYS[7]) or '0')
          if window_size >= 0 then
            if seq_next >= window_size and from_queue == 0 then return {'EXHAUSTED', window_size} end
            needed = math.min(needed, window_size - seq_next)
          end
          if needed > 0 then
            offset = seq_next - tonumber(ARGV[5])
            if offset < 0 or offset + needed > suggestions then return {'RETRY', seq_next} end
            redis.call('SET', KEYS[7], seq_next + needed)
          end
        end
        local bodies = {}
        for i = 1, from_queue do bodies[#bodies + 1] = redis.call('LPOP', KEYS[6]) end
        for i = 1, needed do bodies[#bodies + 1] = ARGV[8 + offset + i] end
        local records = {}
        for i = 1, #bodies do
          local n = redis.call('INCR', KEYS[1]) - 1
          local rec = '{"ver":0,"n":' .. n .. ',' .. head .. ',' .. bodies[i] .. '}'
          redis.call('HSET', KEYS[2], n, rec)
          redis.call('ZADD', KEYS[5], ARGV[4], n)
          append_event(KEYS[3], KEYS[4], ARGV[8], n, rec)
          records[#records + 1] = rec
        end
        local reply = '[' .. table.concat(records, ',') .. ']'
        if ARGV[1] ~= '' then redis.call('SET', KEYS[8], reply, 'EX', ARGV[7]) end
        return {'OK', reply}
        """;

    /// <summary>
    /// KEYS: trials events evseq leases queue meta.
    /// ARGV: number expected_version record lease_deadline_ms('' to drop the lease) only_if_expired_at_ms('' for no check) requeue_body('' for none) maxlen.
    /// Returns {'OK'} | {'CONFLICT', current} | {'MISSING'} | {'GONE'}.
    /// </summary>
    public const string Update = AppendEvent + """

        if redis.call('EXISTS', KEYS[6]) == 0 then return {'GONE'} end
        local cur = redis.call('HGET', KEYS[1], ARGV[1])
        if not cur then return {'MISSING'} end
        if string.match(cur, '^{"ver":(%d+)') ~= ARGV[2] then return {'CONFLICT', cur} end
        if ARGV[5] ~= '' then
          local score = redis.call('ZSCORE', KEYS[4], ARGV[1])
          if (not score) or tonumber(score) > tonumber(ARGV[5]) then return {'CONFLICT', cur} end
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        if ARGV[4] == '' then redis.call('ZREM', KEYS[4], ARGV[1]) else redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1]) end
        if ARGV[6] ~= '' then redis.call('RPUSH', KEYS[5], ARGV[6]) end
        append_event(KEYS[2], KEYS[3], ARGV[7], ARGV[1], ARGV[3])
        return {'OK'}
        """;

    /// <summary>KEYS: leases. ARGV: number deadline_ms. Returns 1 when the trial held a lease.</summary>
    public const string ExtendLease = """
        if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
          redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[1])
          return 1
        end
        return 0
        """;

    /// <summary>KEYS: seq trials events evseq meta. ARGV: maxlen bodies... Returns the new numbers, or {'GONE'}.</summary>
    public const string AddTrials = AppendEvent + """

        if redis.call('EXISTS', KEYS[5]) == 0 then return {'GONE'} end
        local numbers = {}
        for i = 2, #ARGV do
          local n = redis.call('INCR', KEYS[1]) - 1
          local rec = '{"ver":0,"n":' .. n .. ',' .. ARGV[i] .. '}'
          redis.call('HSET', KEYS[2], n, rec)
          append_event(KEYS[3], KEYS[4], ARGV[1], n, rec)
          numbers[#numbers + 1] = n
        end
        return numbers
        """;
}
