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
    private readonly List<Trial?> _trials = [];
    private long _lastEvent;

    public async Task<Trial[]> RefreshAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
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
                    return Snapshot();
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The cached trials without asking Redis; may lag other replicas' changes.</summary>
    public Trial? Peek(long number)
    {
        lock (_trials)
        {
            return number >= 0 && number < _trials.Count ? _trials[(int)number] : null;
        }
    }

    public void Apply(Trial t)
    {
        lock (_trials)
        {
            while (_trials.Count <= t.Number)
            {
                _trials.Add(null);
            }

            if (_trials[(int)t.Number] is not { } cached || cached.Version <= t.Version)
            {
                _trials[(int)t.Number] = t;
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

    private Trial[] Snapshot()
    {
        lock (_trials)
        {
            // Numbers are handed out densely by one counter, so a hole is a record not yet seen.
            var count = _trials.Count;
            while (count > 0 && _trials[count - 1] is null)
            {
                count--;
            }

            var copy = new Trial[count];
            for (var i = 0; i < count; i++)
            {
                copy[i] = _trials[i] ?? throw new InvalidOperationException($"trial {i} is missing from the cache");
            }

            return copy;
        }
    }

    private static long EventNumber(RedisValue id)
    {
        var s = (string)id!;
        return long.Parse(s.AsSpan(0, s.IndexOf('-')), CultureInfo.InvariantCulture);
    }
}
