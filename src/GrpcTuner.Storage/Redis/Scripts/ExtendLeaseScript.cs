using StackExchange.Redis;

namespace GrpcTuner.Storage.Redis.Scripts;

/// <summary>Moves a running trial's lease deadline; a trial without a lease (finished, or never leased) keeps none.</summary>
internal static class ExtendLeaseScript
{
    private const string Lua = """
        local leases = KEYS[1]
        local n, deadline = ARGV[1], ARGV[2]
        if redis.call('ZSCORE', leases, n) then
          redis.call('ZADD', leases, 'XX', deadline, n)
          return 1
        end
        return 0
        """;

    /// <returns>Whether the trial held a lease.</returns>
    public static async Task<bool> RunAsync(IDatabase db, StudyKeys keys, long number, long deadlineMs) =>
        (long)await db.ScriptEvaluateAsync(Lua, [keys.Leases], [number, deadlineMs]).ConfigureAwait(false) == 1;
}
