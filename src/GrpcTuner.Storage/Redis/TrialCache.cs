using System.Globalization;
using GrpcTuner.Core.Domain;
using GrpcTuner.Storage.Serialization;
using StackExchange.Redis;

namespace GrpcTuner.Storage.Redis;

/// <summary>
/// One replica's copy of a study's trials, brought up to date from the events stream before each
/// decision. Stream ids are "K-0" for the K-th change; when the next id read is not the one after
/// the last applied (the stream was trimmed past it), the trials hash is reloaded whole.
/// A record replaces the cached one only when its version is not older, so events, reloads and
/// this replica's own writes can arrive in any order.
/// </summary>
internal sealed class TrialCache(IDatabase db, StudyKeys keys)
{
    private const int PageSize = 5000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _write = new();
    private readonly TrialLog _trials = new();
    private long _lastEvent;
    private long _tickets;
    private long _servedUpTo;

    /// <summary>
    /// Every change acknowledged before the call is in the returned snapshot. Concurrent callers
    /// share refreshes: a refresh that started after a caller arrived serves that caller too, so
    /// a burst of Asks costs one XRANGE instead of one each.
    /// </summary>
    public async Task<IReadOnlyList<Trial>> RefreshAsync()
    {
        var ticket = Interlocked.Increment(ref _tickets);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _servedUpTo) >= ticket)
            {
                return _trials.Snapshot();
            }

            var covers = Interlocked.Read(ref _tickets);
            await CatchUpAsync().ConfigureAwait(false);
            Interlocked.Exchange(ref _servedUpTo, covers);
            return _trials.Snapshot();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The cached trial without asking Redis; may lag other replicas' changes.</summary>
    public Trial? Peek(long number) => _trials[number];

    public void Apply(Trial t)
    {
        lock (_write)
        {
            if (_trials[t.Number] is not { } cached || cached.Version <= t.Version)
            {
                _trials.Put(t);
            }
        }
    }

    private async Task CatchUpAsync()
    {
        while (true)
        {
            var entries = await db.StreamRangeAsync(keys.Events, $"({_lastEvent}-0", "+", PageSize).ConfigureAwait(false);
            if (entries.Length > 0 && EventNumber(entries[0].Id) != _lastEvent + 1)
            {
                await ReloadAsync().ConfigureAwait(false);
                continue;
            }

            foreach (var entry in entries)
            {
                Apply(TrialJson.Read((string)entry["r"]!));
                _lastEvent = EventNumber(entry.Id);
            }

            if (entries.Length < PageSize)
            {
                return;
            }
        }
    }

    private async Task ReloadAsync()
    {
        // The counter is read first: changes made after it are replayed from the stream again,
        // which the version rule makes harmless.
        var counter = (long?)await db.StringGetAsync(keys.EventSeq).ConfigureAwait(false) ?? 0;
        var all = await db.HashGetAllAsync(keys.Trials).ConfigureAwait(false);
        foreach (var field in all)
        {
            Apply(TrialJson.Read((string)field.Value!));
        }

        _lastEvent = counter;
    }

    private static long EventNumber(RedisValue id)
    {
        var s = (string)id!;
        return long.Parse(s.AsSpan(0, s.IndexOf('-')), CultureInfo.InvariantCulture);
    }
}
