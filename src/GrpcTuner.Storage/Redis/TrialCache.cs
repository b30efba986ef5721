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
/// this replica's own writes can arrive in any order. Stream entries carry only the intermediate
/// values a change added, so catching up on 5,000 reports costs 5,000 small records, not 12.5
/// million values.
/// </summary>
internal sealed class TrialCache(IDatabase db, StudyKeys keys)
{
    private const int PageSize = 5000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _write = new();
    private readonly TrialLog _trials = new();
    private long _lastEvent;
    private bool _loaded;
    private long _tickets;
    private long _servedUpTo;

    /// <summary>
    /// Every change acknowledged before the call is in the returned snapshot. Concurrent callers
    /// share refreshes: a refresh that started after a caller arrived serves that caller too, so
    /// a burst of Asks costs one XRANGE instead of one each. A caller that gives up stops waiting;
    /// the refresh goes on, since other callers share it.
    /// </summary>
    public Task<IReadOnlyList<Trial>> RefreshAsync(CancellationToken ct) => RefreshSharedAsync().WaitAsync(ct);

    /// <summary>A trial from its stored record and its stored intermediate series (null: none).</summary>
    public static Trial Whole(string record, string? intermediate)
    {
        var t = TrialJson.Read(record);
        var series = IntermediateJson.ReadFragments(intermediate);
        // Records written before the series was kept apart carry their values themselves.
        return t with { Intermediate = t.Intermediate.Count == 0 ? series : IntermediateSeries.With(t.Intermediate, series) };
    }

    private async Task<IReadOnlyList<Trial>> RefreshSharedAsync()
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
        // A cold cache reads the trials as they are rather than every change they went through: a
        // replica's first read of a trial with 5,000 reports costs one record and one series.
        if (!_loaded)
        {
            await ReloadAsync().ConfigureAwait(false);
            _loaded = true;
        }

        while (true)
        {
            var entries = await db.StreamRangeAsync(keys.Events, $"({_lastEvent}-0", "+", PageSize).ConfigureAwait(false);
            if (entries.Length > 0 && EventNumber(entries[0].Id) != _lastEvent + 1)
            {
                await ReloadAsync().ConfigureAwait(false);
                continue;
            }

            List<long>? unknownBefore = null;
            foreach (var entry in entries)
            {
                var record = TrialJson.Read((string)entry["r"]!);
                if (!ApplyChange(record, IntermediateJson.ReadFragments(entry["d"])))
                {
                    (unknownBefore ??= []).Add(record.Number);
                }

                _lastEvent = EventNumber(entry.Id);
            }

            if (unknownBefore is not null)
            {
                await ReloadAsync(unknownBefore.Distinct().ToArray()).ConfigureAwait(false);
            }

            if (entries.Length < PageSize)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Applies a change read from the stream, which holds only the intermediate values it added, onto
    /// the cached version before it. False when the cache does not hold that version.
    /// </summary>
    private bool ApplyChange(Trial record, IReadOnlyList<IntermediateValue> added)
    {
        lock (_write)
        {
            var cached = _trials[record.Number];
            if (cached is not null && cached.Version >= record.Version)
            {
                return true;
            }

            var before = record.Version == 0 ? [] : cached is not null && cached.Version == record.Version - 1 ? cached.Intermediate : null;
            if (before is null)
            {
                return false;
            }

            _trials.Put(record with { Intermediate = IntermediateSeries.With(before, record.Intermediate.Concat(added)) });
            return true;
        }
    }

    private async Task ReloadAsync()
    {
        // The counter is read first: changes made after it are replayed from the stream again,
        // which the version rule makes harmless. Records before series: a series only grows, so a
        // record never comes with fewer values than it had.
        var counter = (long?)await db.StringGetAsync(keys.EventSeq).ConfigureAwait(false) ?? 0;
        var records = await db.HashGetAllAsync(keys.Trials).ConfigureAwait(false);
        var series = (await db.HashGetAllAsync(keys.Intermediate).ConfigureAwait(false)).ToDictionary(e => (string)e.Name!, e => (string?)e.Value, StringComparer.Ordinal);
        foreach (var field in records)
        {
            Apply(Whole((string)field.Value!, series.GetValueOrDefault((string)field.Name!)));
        }

        _lastEvent = counter;
    }

    private async Task ReloadAsync(long[] numbers)
    {
        var fields = numbers.Select(n => (RedisValue)n).ToArray();
        var records = await db.HashGetAsync(keys.Trials, fields).ConfigureAwait(false);
        var series = await db.HashGetAsync(keys.Intermediate, fields).ConfigureAwait(false);
        for (var i = 0; i < numbers.Length; i++)
        {
            if (records[i].HasValue)
            {
                Apply(Whole((string)records[i]!, series[i].HasValue ? (string)series[i]! : null));
            }
        }
    }

    private static long EventNumber(RedisValue id)
    {
        var s = (string)id!;
        return long.Parse(s.AsSpan(0, s.IndexOf('-')), CultureInfo.InvariantCulture);
    }
}
