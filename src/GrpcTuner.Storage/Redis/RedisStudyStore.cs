using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using GrpcTuner.Core.Access;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;
using GrpcTuner.Storage.Redis.Scripts;
using GrpcTuner.Storage.Serialization;
using StackExchange.Redis;

namespace GrpcTuner.Storage.Redis;

/// <summary>
/// The store of DESIGN.md: a study's state in keys of one hash tag, every change one Lua script,
/// and a per-replica cache kept current from the study's events stream. Any number of replicas
/// may share one Redis.
/// </summary>
public sealed class RedisStudyStore : IStudyStore, IKeyStore
{
    /// <summary>How long a replica trusts its name -> study mapping; scripts refuse a deleted study regardless.</summary>
    private static readonly TimeSpan NameCacheTtl = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RequestTtl = TimeSpan.FromHours(24);
    private const int StreamMaxLength = 200_000;

    private readonly IConnectionMultiplexer _redis;
    private readonly bool _ownsConnection;
    private readonly IDatabase _db;
    private readonly RedisKeys _keys;
    private readonly ConcurrentDictionary<string, (Study Study, DateTime Until)> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TrialCache> _caches = new(StringComparer.Ordinal);

    public RedisStudyStore(IConnectionMultiplexer redis, string keyPrefix = "gt:", bool ownsConnection = false)
    {
        _redis = redis;
        _ownsConnection = ownsConnection;
        _db = redis.GetDatabase();
        _keys = new RedisKeys(keyPrefix);
        // Asynchronously: a blocking subscribe in a constructor stalls a starved thread pool. The multiplexer
        // restores the subscription after a reconnect; until it holds, the key cache's TTL bounds revocation.
        Subscribed = redis.GetSubscriber().SubscribeAsync(_keys.Revocations, (_, id) => KeyRevoked?.Invoke(id.ToString()));
    }

    public async Task<string?> ProbeAsync(CancellationToken ct)
    {
        try
        {
            await _db.PingAsync().WaitAsync(ct).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return $"Redis does not answer: {e.Message}";
        }
    }

    /// <summary>Completes when this store hears of revocations on other replicas.</summary>
    public Task Subscribed { get; }

    public event Action<string>? KeyRevoked;

    /// <summary>Connects with a StackExchange.Redis configuration string, for example "127.0.0.1:6379".</summary>
    public static async Task<RedisStudyStore> ConnectAsync(string configuration, string keyPrefix = "gt:")
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        // Completions run on the shared thread pool instead of a dedicated one: one thread
        // hand-off less per Redis reply, which is most of a round trip's cost on loopback.
        options.SocketManager = SocketManager.ThreadPool;
        // While Redis is down, fail at once (UNAVAILABLE, which clients retry with backoff) instead of
        // queueing commands behind a reconnect that may take longer than the caller's deadline.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        var redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        if (!redis.IsConnected)
        {
            // A replica that starts without its store would answer every call UNAVAILABLE: refuse to start instead.
            await redis.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"cannot reach Redis at {configuration} within {options.ConnectTimeout} ms: start redis-server there, or point --redis (GRPCTUNER_REDIS) at a running one");
        }

        var store = new RedisStudyStore(redis, keyPrefix, ownsConnection: true);
        try
        {
            await store.Subscribed.ConfigureAwait(false);
        }
        catch (RedisException)
        {
            // Redis went away right after connecting: revocations reach this replica through the key cache's TTL until it is back.
        }

        return store;
    }

    public Task<Study> CreateStudyAsync(StudyDefinition definition, bool loadIfExists, CancellationToken ct) => Guard(async () =>
    {
        var study = new Study(Guid.NewGuid().ToString("N")[..16], definition, DateTimeOffset.UtcNow);
        var keys = _keys.For(study.Id);
        // Two single-slot steps instead of one script, so that it also works on a cluster: the
        // definition is written first, then the name claimed; the loser of a race removes its copy.
        await _db.StringSetAsync(keys.Meta, StudyJson.Write(study)).ConfigureAwait(false);
        if (await _db.HashSetAsync(_keys.StudyNames, definition.Name, study.Id, When.NotExists).ConfigureAwait(false))
        {
            await _db.SortedSetAddAsync(_keys.StudyIndex, definition.Name, 0).ConfigureAwait(false);
            Remember(study);
            return study;
        }

        await _db.KeyDeleteAsync(keys.Meta).ConfigureAwait(false);
        if (loadIfExists && await LoadByNameAsync(definition.Name).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        throw TunerException.StudyExists(definition.Name);
    });

    public Task<Study?> FindStudyAsync(string name, CancellationToken ct)
    {
        if (_names.TryGetValue(name, out var hit) && hit.Until > DateTime.UtcNow)
        {
            return Task.FromResult<Study?>(hit.Study);
        }

        return Guard(() => LoadByNameAsync(name));
    }

    public Task<IReadOnlyList<Study>> ListStudiesAsync(string? afterName, int limit, CancellationToken ct) => Guard(async () =>
    {
        await RepairIndexAsync().ConfigureAwait(false);
        var page = new List<Study>(limit);
        var after = afterName;
        while (page.Count < limit)
        {
            var want = limit - page.Count;
            var names = await _db.SortedSetRangeByValueAsync(_keys.StudyIndex, after is null ? default : (RedisValue)after, default,
                after is null ? Exclude.None : Exclude.Start, Order.Ascending, 0, want).ConfigureAwait(false);
            // One pipelined batch of reads instead of a round trip per study. A study deleted meanwhile
            // drops out, and the next names fill its place, so a short page still means the end.
            var studies = await Task.WhenAll(names.Select(n => LoadByNameAsync((string)n!, remember: false))).ConfigureAwait(false);
            page.AddRange(studies.OfType<Study>());
            if (names.Length < want)
            {
                break;
            }

            after = names[^1];
        }

        return (IReadOnlyList<Study>)page;
    });

    /// <summary>
    /// The names hash is the truth and the index follows it. A writer that died between the two
    /// steps, or a deployment older than the index, leaves them of different sizes: then the
    /// index is rebuilt from the hash. Two counts per call keep that check cheap.
    /// </summary>
    private async Task RepairIndexAsync()
    {
        var names = _db.HashLengthAsync(_keys.StudyNames);
        var indexed = _db.SortedSetLengthAsync(_keys.StudyIndex);
        if (await names.ConfigureAwait(false) == await indexed.ConfigureAwait(false))
        {
            return;
        }

        // The counts also differ for a moment while another replica creates or deletes a study, so
        // either list may be empty: Redis refuses ZADD and ZREM without members.
        var all = await _db.HashKeysAsync(_keys.StudyNames).ConfigureAwait(false);
        var stale = (await _db.SortedSetRangeByRankAsync(_keys.StudyIndex).ConfigureAwait(false)).Except(all).ToArray();
        if (all.Length > 0)
        {
            await _db.SortedSetAddAsync(_keys.StudyIndex, all.Select(n => new SortedSetEntry(n, 0)).ToArray()).ConfigureAwait(false);
        }

        if (stale.Length > 0)
        {
            await _db.SortedSetRemoveAsync(_keys.StudyIndex, stale).ConfigureAwait(false);
        }
    }

    public Task<bool> DeleteStudyAsync(string name, CancellationToken ct) => Guard(async () =>
    {
        var id = await _db.HashGetAsync(_keys.StudyNames, name).ConfigureAwait(false);
        if (id.IsNull)
        {
            return false;
        }

        _names.TryRemove(name, out _);
        _caches.TryRemove((string)id!, out _);
        // The meta key goes first: from then on every script refuses the study.
        await _db.KeyDeleteAsync(_keys.For((string)id!).All).ConfigureAwait(false);
        var deleted = await _db.HashDeleteAsync(_keys.StudyNames, name).ConfigureAwait(false);
        await _db.SortedSetRemoveAsync(_keys.StudyIndex, name).ConfigureAwait(false);
        return deleted;
    });

    public Task<IReadOnlyList<Trial>> GetTrialsAsync(Study study, CancellationToken ct) =>
        Guard(() => Cache(study).RefreshAsync(ct));

    public Task<Trial?> GetTrialAsync(Study study, long number, CancellationToken ct) => Guard(async () =>
    {
        var cache = Cache(study);
        if (cache.Peek(number) is { } cached)
        {
            return cached;
        }

        var trials = await cache.RefreshAsync(ct).ConfigureAwait(false);
        return number >= 0 && number < trials.Count ? trials[(int)number] : null;
    });

    public Task<ClaimResult> ClaimTrialsAsync(Study study, TrialClaim claim, CancellationToken ct) => Guard<ClaimResult>(async () =>
    {
        var args = new ClaimScript.Args(claim.RequestId ?? "", claim.Count, TrialJson.Head(claim.WorkerId, claim.Now, claim.Lease),
            (claim.Now + claim.Lease).ToUnixTimeMilliseconds(), claim.Window, (long)RequestTtl.TotalSeconds, StreamMaxLength, claim.Suggestions.Select(TrialJson.Body).ToList());
        switch (await ClaimScript.RunAsync(_db, _keys.For(study.Id), args).ConfigureAwait(false))
        {
            case ClaimScript.Reply.Claimed claimed:
                using (var doc = JsonDocument.Parse(claimed.Records))
                {
                    var trials = doc.RootElement.EnumerateArray().Select(TrialJson.Read).ToList();
                    var cache = Cache(study);
                    trials.ForEach(cache.Apply);
                    return new ClaimResult.Claimed(trials);
                }

            case ClaimScript.Reply.Retry retry:
                return new ClaimResult.Retry(retry.Next);
            case ClaimScript.Reply.Exhausted exhausted:
                return new ClaimResult.Exhausted(exhausted.Size);
            default:
                throw Gone(study);
        }
    });

    public Task<UpdateResult> UpdateTrialAsync(Study study, Trial expected, Trial updated, UpdateOptions options, CancellationToken ct) => Guard<UpdateResult>(async () =>
    {
        var args = new UpdateScript.Args(
            expected.Number,
            expected.Version,
            TrialJson.Write(updated, []),
            IntermediateJson.Fragment(IntermediateSeries.Added(expected.Intermediate, updated.Intermediate)),
            updated.State == TrialState.Running && updated.LeaseDeadline is { } d ? d.ToUnixTimeMilliseconds() : null,
            options.OnlyIfLeaseExpiredAt?.ToUnixTimeMilliseconds(),
            options.Requeue is { } requeue ? TrialJson.Body(requeue) : null,
            StreamMaxLength);
        var cache = Cache(study);
        switch (await UpdateScript.RunAsync(_db, _keys.For(study.Id), args).ConfigureAwait(false))
        {
            case UpdateScript.Reply.Applied:
                cache.Apply(updated);
                return UpdateResult.Ok;
            case UpdateScript.Reply.Conflict conflict:
                var current = TrialCache.Whole(conflict.Record, conflict.Intermediate);
                cache.Apply(current);
                return new UpdateResult.Conflict(current);
            case UpdateScript.Reply.Missing:
                return new UpdateResult.Missing();
            default:
                throw Gone(study);
        }
    });

    public Task<bool> ExtendLeaseAsync(Study study, long number, DateTimeOffset deadline, CancellationToken ct) =>
        Guard(() => ExtendLeaseScript.RunAsync(_db, _keys.For(study.Id), number, deadline.ToUnixTimeMilliseconds()));

    public Task<long> EnqueueAsync(Study study, QueuedParams entry, CancellationToken ct) =>
        Guard(() => _db.ListRightPushAsync(_keys.For(study.Id).Queue, TrialJson.Body(entry)));

    public Task<long?> EnqueueCountedAsync(Study study, QueuedParams entry, long size, CancellationToken ct) => Guard(async () =>
        await EnqueueCountedScript.RunAsync(_db, _keys.For(study.Id), size, TrialJson.Body(entry)).ConfigureAwait(false) switch
        {
            EnqueueCountedScript.Reply.Queued queued => queued.Length,
            EnqueueCountedScript.Reply.Full => (long?)null,
            _ => throw Gone(study),
        });

    public Task<IReadOnlyList<long>> AddTrialsAsync(Study study, IReadOnlyList<Trial> trials, CancellationToken ct) => Guard(async () =>
    {
        var entries = trials.Select(t => new AddTrialsScript.Entry(TrialJson.ImportBody(t), IntermediateJson.Fragment(t.Intermediate))).ToList();
        return await AddTrialsScript.RunAsync(_db, _keys.For(study.Id), StreamMaxLength, entries).ConfigureAwait(false) ?? throw Gone(study);
    });

    public Task<IReadOnlyList<long>> ExpiredLeasesAsync(Study study, DateTimeOffset now, int limit, CancellationToken ct) => Guard(async () =>
    {
        var expired = await _db.SortedSetRangeByScoreAsync(_keys.For(study.Id).Leases, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: limit).ConfigureAwait(false);
        return (IReadOnlyList<long>)expired.Select(v => (long)v).ToList();
    });

    public Task<string> EventCursorAsync(Study study, CancellationToken ct) => Guard(async () =>
        ((long?)await _db.StringGetAsync(_keys.For(study.Id).EventSeq).ConfigureAwait(false) ?? 0).ToString(CultureInfo.InvariantCulture));

    public Task<EventPage> ReadEventsAsync(Study study, string? cursor, int limit, CancellationToken ct) => Guard(async () =>
    {
        var keys = _keys.For(study.Id);
        if (cursor is not null && long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
        {
            var entries = await _db.StreamRangeAsync(keys.Events, $"({from}-0", "+", limit).ConfigureAwait(false);
            var first = entries.Length > 0 ? long.Parse(((string)entries[0].Id!).Split('-')[0], CultureInfo.InvariantCulture) : from + 1;
            if (first == from + 1)
            {
                if (entries.Length == 0)
                {
                    return new EventPage([], cursor);
                }

                // Records in the stream carry no intermediate values: each trial comes from the cache, which the
                // refresh brings at least to the change of the page's last entry.
                var cache = Cache(study);
                await cache.RefreshAsync(ct).ConfigureAwait(false);
                var events = entries.Select(e => new TrialEvent(((string)e.Id!).Split('-')[0], cache.Peek((long)e["n"])!)).ToList();
                return new EventPage(EventCoalescing.LastPerTrial(events), events[^1].Cursor);
            }
        }

        // No cursor, or one the trimmed stream no longer reaches: start over from a snapshot.
        var counter = ((long?)await _db.StringGetAsync(keys.EventSeq).ConfigureAwait(false) ?? 0).ToString(CultureInfo.InvariantCulture);
        var trials = await Cache(study).RefreshAsync(ct).ConfigureAwait(false);
        return new EventPage(trials.Select(t => new TrialEvent(counter, t)).ToList(), counter);
    });

    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    private TrialCache Cache(Study study) => _caches.GetOrAdd(study.Id, id => new TrialCache(_db, _keys.For(id)));

    private void Remember(Study study) => _names[study.Name] = (study, DateTime.UtcNow + NameCacheTtl);

    // Listing passes remember: false. The reaper lists every study each second, and a listing read
    // that raced a deletion would put the deleted study back in this replica's name cache.
    private async Task<Study?> LoadByNameAsync(string name, bool remember = true)
    {
        var id = await _db.HashGetAsync(_keys.StudyNames, name).ConfigureAwait(false);
        if (id.IsNull)
        {
            _names.TryRemove(name, out _);
            return null;
        }

        var meta = await _db.StringGetAsync(_keys.For((string)id!).Meta).ConfigureAwait(false);
        if (meta.IsNull)
        {
            return null;
        }

        var study = StudyJson.Read((string)meta!);
        if (remember)
        {
            Remember(study);
        }

        return study;
    }

    private TunerException Gone(Study study)
    {
        _names.TryRemove(study.Name, out _);
        _caches.TryRemove(study.Id, out _);
        return TunerException.StudyNotFound(study.Name);
    }

    /// <summary>Turns every way of not reaching Redis into UNAVAILABLE, which clients retry.</summary>
    public Task CreateKeyAsync(ApiKey key, CancellationToken ct) => Guard(async () =>
        await _db.HashSetAsync(_keys.ApiKeys, key.Id, ApiKeyJson.Write(key), When.NotExists).ConfigureAwait(false)
            ? true
            : throw new TunerException(ErrorKind.AlreadyExists, $"API key {key.Id} already exists"));

    public Task<ApiKey?> FindKeyAsync(string id, CancellationToken ct) => Guard(async () =>
        await _db.HashGetAsync(_keys.ApiKeys, id).ConfigureAwait(false) is { HasValue: true } json ? ApiKeyJson.Read(json!) : null);

    public Task<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken ct) => Guard(async () =>
        ApiKey.OldestFirst((await _db.HashValuesAsync(_keys.ApiKeys).ConfigureAwait(false)).Select(v => ApiKeyJson.Read(v!))));

    // Read, then write: two revocations racing both write a revoked record, which is the same outcome.
    public async Task<ApiKey?> RevokeKeyAsync(string id, DateTimeOffset at, CancellationToken ct)
    {
        if (await FindKeyAsync(id, ct).ConfigureAwait(false) is not { } key)
        {
            return null;
        }

        var revoked = key.Revoke(at);
        if (ReferenceEquals(revoked, key))
        {
            return key;
        }

        await Guard(() => _db.HashSetAsync(_keys.ApiKeys, id, ApiKeyJson.Write(revoked))).ConfigureAwait(false);
        // Every replica, this one included, hears of it through the channel.
        await Guard(() => _redis.GetSubscriber().PublishAsync(_keys.Revocations, id)).ConfigureAwait(false);
        return revoked;
    }

    /// <summary>Server replies that mean "not now": loading the AOF, a busy script, a cluster without a quorum or in the middle of moving a slot.</summary>
    private static readonly string[] TransientReplies = ["LOADING", "BUSY", "CLUSTERDOWN", "TRYAGAIN"];

    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException or ObjectDisposedException
            || (e is RedisServerException rse && TransientReplies.Any(r => rse.Message.StartsWith(r, StringComparison.Ordinal))))
        {
            throw new TunerException(ErrorKind.Unavailable, $"the store is unreachable: {e.Message}", inner: e);
        }
    }
}
