namespace GrpcTuner.Storage.Redis.Scripts;

/// <summary>
/// Lua shared by the scripts that change trials: append one change to the events stream under the
/// next change number. An entry holds the trial number <c>n</c>, the record <c>r</c> (without
/// intermediate values) and, when the change added intermediate values, their fragment <c>d</c>.
/// </summary>
internal static class EventAppend
{
    public const string Lua = """
        local function append_event(events, evseq, maxlen, n, rec, added)
          local k = redis.call('INCR', evseq)
          if added == '' then
            redis.call('XADD', events, 'MAXLEN', '~', maxlen, k .. '-0', 'n', n, 'r', rec)
          else
            redis.call('XADD', events, 'MAXLEN', '~', maxlen, k .. '-0', 'n', n, 'r', rec, 'd', added)
          end
        end

        """;
}
