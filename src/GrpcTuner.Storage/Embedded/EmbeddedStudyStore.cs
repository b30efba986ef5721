using System.Collections.Concurrent;
using System.Globalization;
using GrpcTuner.Core.Access;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;

namespace GrpcTuner.Storage.Embedded;

/// <summary>
/// The store for a single process: state in memory under one lock, every acknowledged change in
/// an append-only journal (when a path is given), replayed on start. It keeps the contract of the
/// Redis store, so the same contract tests run against both.
/// </summary>
public sealed class EmbeddedStudyStore : IStudyStore, IKeyStore
{
    private readonly Lock _lock = new();
    private readonly Journal? _journal;
    private readonly ConcurrentDictionary<string, StudyState> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StudyState> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ApiKey> _apiKeys = new(StringComparer.Ordinal);

    private readonly int _maxEvents;
    private readonly int _maxRequestIds;

    /// <param name="journalPath">The journal file, or null to keep everything in memory only.</param>
    /// <param name="maxEvents">
    /// Changes kept per study for WatchStudy, as Redis trims its stream: the older half goes when
    /// there are more, and a watcher whose cursor fell behind restarts from a snapshot.
    /// </param>
    /// <param name="maxRequestIds">
    /// Ask request ids remembered per study, oldest forgotten first; Redis keeps them a day instead.
    /// A retry must come within this many Asks of its study to find its trials.
    /// </param>
    /// <param name="fsync">Make every group commit durable on the disk (fsync) before its calls return, not only handed to the operating system.</param>
    public EmbeddedStudyStore(string? journalPath = null, int maxEvents = 200_000, int maxRequestIds = 100_000, bool fsync = false)
    {
        _maxEvents = maxEvents;
        _maxRequestIds = maxRequestIds;
        if (journalPath is null)
        {
            return;
        }

        (_journal, var history) = Journal.Open(journalPath, fsync);
        foreach (var ops in history)
        {
            foreach (var op in ops)
            {
                Apply(WithEarlierValues(op));
            }
        }
    }

    public async Task<Study> CreateStudyAsync(StudyDefinition definition, bool loadIfExists, CancellationToken ct)
    {
        Study study;
        long sequence;
        lock (_lock)
        {
            if (_byName.TryGetValue(definition.Name, out var existing))
            {
                return loadIfExists
                    ? existing.Study
                    : throw TunerException.StudyExists(definition.Name);
            }

            study = new Study(Guid.NewGuid().ToString("N")[..16], definition, DateTimeOffset.UtcNow);
            sequence = Commit([new JournalOp.PutStudy(study)]);
        }

        await DurableAsync(sequence).ConfigureAwait(false);
        return study;
    }

    public Task<Study?> FindStudyAsync(string name, CancellationToken ct) =>
        Task.FromResult(_byName.TryGetValue(name, out var s) ? s.Study : null);

    public Task<IReadOnlyList<Study>> ListStudiesAsync(string? afterName, int limit, CancellationToken ct)
    {
        IReadOnlyList<Study> page = _byName.Values
            .Select(s => s.Study)
            .Where(s => afterName is null || string.CompareOrdinal(s.Name, afterName) > 0)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .Take(limit)
            .ToList();
        return Task.FromResult(page);
    }

    public async Task<bool> DeleteStudyAsync(string name, CancellationToken ct)
    {
        long sequence;
        lock (_lock)
        {
            if (!_byName.TryGetValue(name, out var s))
            {
                return false;
            }

            sequence = Commit([new JournalOp.DeleteStudy(s.Study.Id)]);
        }

        await DurableAsync(sequence).ConfigureAwait(false);
        return true;
    }

    // Trials are written under the lock and read without it: see TrialLog.
    public Task<IReadOnlyList<Trial>> GetTrialsAsync(Study study, CancellationToken ct) => Task.FromResult(State(study).Trials.Snapshot());

    public Task<Trial?> GetTrialAsync(Study study, long number, CancellationToken ct) => Task.FromResult(State(study).Trials[number]);

    public async Task<ClaimResult> ClaimTrialsAsync(Study study, TrialClaim claim, CancellationToken ct)
    {
        long sequence;
        List<Trial> trials;
        lock (_lock)
        {
            var s = State(study);
            if (claim.RequestId is { } rid && s.Requests.TryGetValue(rid, out var earlier))
            {
                return new ClaimResult.Claimed(earlier.Select(n => s.Trials[n]!).ToList());
            }

            var fromQueue = Math.Min(claim.Count, s.Queue.Count);
            var bodies = s.Queue.Take(fromQueue).ToList();
            var ops = new List<JournalOp>();
            ops.AddRange(Enumerable.Repeat<JournalOp>(new JournalOp.Pop(study.Id), fromQueue));
            var needed = claim.Count - fromQueue;
            if (needed > 0 && claim.Window is { } window)
            {
                if (window.Size is { } size)
                {
                    if (s.SequenceNext >= size && fromQueue == 0)
                    {
                        return new ClaimResult.Exhausted(size);
                    }

                    needed = (int)Math.Min(needed, size - s.SequenceNext);
                }

                var offset = s.SequenceNext - window.Start;
                if (needed > 0 && (offset < 0 || offset + needed > claim.Suggestions.Count))
                {
                    return new ClaimResult.Retry(s.SequenceNext);
                }

                bodies.AddRange(claim.Suggestions.Skip((int)Math.Max(offset, 0)).Take(needed));
                ops.Add(new JournalOp.Advance(study.Id, s.SequenceNext + needed));
            }
            else if (needed > 0)
            {
                bodies.AddRange(claim.Suggestions.Take(needed));
            }

            trials = bodies.Select((b, i) => TrialTransitions.Start(s.Trials.Count + i, b, claim.WorkerId, claim.Now, claim.Lease)).ToList();
            ops.AddRange(trials.Select(t => new JournalOp.PutTrial(study.Id, t)));
            if (claim.RequestId is { } id)
            {
                ops.Add(new JournalOp.Remember(study.Id, id, trials.Select(t => t.Number).ToArray()));
            }

            sequence = Commit(ops);
        }

        await DurableAsync(sequence).ConfigureAwait(false);
        return new ClaimResult.Claimed(trials);
    }

    public async Task<UpdateResult> UpdateTrialAsync(Study study, Trial expected, Trial updated, UpdateOptions options, CancellationToken ct)
    {
        long sequence;
        lock (_lock)
        {
            var s = State(study);
            if (expected.Number >= s.Trials.Count)
            {
                return new UpdateResult.Missing();
            }

            var current = s.Trials[expected.Number]!;
            var leaseHeld = s.Leases.TryGetValue(expected.Number, out var deadline);
            if (current.Version != expected.Version
                || (options.OnlyIfLeaseExpiredAt is { } at && (!leaseHeld || deadline > at)))
            {
                return new UpdateResult.Conflict(current);
            }

            var ops = new List<JournalOp> { new JournalOp.PutTrial(study.Id, updated, current) };
            if (options.Requeue is { } requeue)
            {
                ops.Add(new JournalOp.Push(study.Id, requeue));
            }

            sequence = Commit(ops);
        }

        await DurableAsync(sequence).ConfigureAwait(false);
        return UpdateResult.Ok;
    }

    public async Task<bool> ExtendLeaseAsync(Study study, long number, DateTimeOffset deadline, CancellationToken ct)
    {
        long sequence;
        lock (_lock)
        {
            if (!State(study).Leases.ContainsKey(number))
            {
                return false;
            }

            sequence = Commit([new JournalOp.SetLease(study.Id, number, deadline)]);
        }

        await DurableAsync(sequence).ConfigureAwait(false);
        return true;
    }

    public async Task<long> EnqueueAsync(Study study, QueuedParams entry, CancellationToken ct)
    {
        long sequence;
        long length;
        lock (_lock)
        {
            var s = State(study);
            sequence = Commit([new JournalOp.Push(study.Id, entry)]);
            length = s.Queue.Count;
        }

        await DurableAsync(sequence).ConfigureAwait(false);
        return length;
    }

    public async Task<long?> EnqueueCountedAsync(Study study, QueuedParams entry, long size, CancellationToken ct)
    {
        long sequence;
        long length;
        lock (_lock)
        {
            var s = State(study);
            if (s.SequenceNext >= size)
            {
                return null;
            }

            sequence = Commit([new JournalOp.Advance(study.Id, s.SequenceNext + 1), new JournalOp.Push(study.Id, entry)]);
            length = s.Queue.Count;
        }

        await DurableAsync(sequence).ConfigureAwait(false);
        return length;
    }

    public async Task<IReadOnlyList<long>> AddTrialsAsync(Study study, IReadOnlyList<Trial> trials, CancellationToken ct)
    {
        long sequence;
        List<Trial> numbered;
        lock (_lock)
        {
            var s = State(study);
            numbered = trials.Select((t, i) => t with { Number = s.Trials.Count + i, Version = 0 }).ToList();
            sequence = Commit(numbered.Select(t => (JournalOp)new JournalOp.PutTrial(study.Id, t)).ToList());
        }

        await DurableAsync(sequence).ConfigureAwait(false);
        return numbered.Select(t => t.Number).ToList();
    }

    public Task<IReadOnlyList<long>> ExpiredLeasesAsync(Study study, DateTimeOffset now, int limit, CancellationToken ct)
    {
        lock (_lock)
        {
            IReadOnlyList<long> expired = State(study).Leases.Where(kv => kv.Value <= now).OrderBy(kv => kv.Value).Take(limit).Select(kv => kv.Key).ToList();
            return Task.FromResult(expired);
        }
    }

    public Task<string> EventCursorAsync(Study study, CancellationToken ct)
    {
        lock (_lock)
        {
            var s = State(study);
            return Task.FromResult((s.EventsDropped + s.Events.Count).ToString(CultureInfo.InvariantCulture));
        }
    }

    public Task<EventPage> ReadEventsAsync(Study study, string? cursor, int limit, CancellationToken ct)
    {
        lock (_lock)
        {
            var s = State(study);
            // Cursors count changes since the study began; the first EventsDropped of them are gone.
            var last = s.EventsDropped + s.Events.Count;
            var end = last.ToString(CultureInfo.InvariantCulture);
            if (cursor is null || !long.TryParse(cursor, CultureInfo.InvariantCulture, out var from) || from < s.EventsDropped || from > last)
            {
                return Task.FromResult(new EventPage(s.Trials.Snapshot().Select(t => new TrialEvent(end, t)).ToList(), end));
            }

            var start = (int)(from - s.EventsDropped);
            var page = s.Events.GetRange(start, Math.Min(limit, s.Events.Count - start))
                .Select((t, i) => new TrialEvent((from + i + 1).ToString(CultureInfo.InvariantCulture), t)).ToList();
            return Task.FromResult(new EventPage(EventCoalescing.LastPerTrial(page), (from + page.Count).ToString(CultureInfo.InvariantCulture)));
        }
    }

    public ValueTask DisposeAsync()
    {
        _journal?.Dispose();
        return ValueTask.CompletedTask;
    }

    public async Task CreateKeyAsync(ApiKey key, CancellationToken ct)
    {
        long sequence;
        lock (_lock)
        {
            sequence = Commit([new JournalOp.PutKey(key)]);
        }

        await DurableAsync(sequence).ConfigureAwait(false);
    }

    public Task<ApiKey?> FindKeyAsync(string id, CancellationToken ct) => Task.FromResult(_apiKeys.GetValueOrDefault(id));

    public Task<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken ct) =>
        Task.FromResult(ApiKey.OldestFirst(_apiKeys.Values));

    public async Task<ApiKey?> RevokeKeyAsync(string id, DateTimeOffset at, CancellationToken ct)
    {
        ApiKey revoked;
        long sequence;
        lock (_lock)
        {
            if (!_apiKeys.TryGetValue(id, out var key))
            {
                return null;
            }

            revoked = key.Revoke(at);
            if (ReferenceEquals(revoked, key))
            {
                return key;
            }

            sequence = Commit([new JournalOp.PutKey(revoked)]);
        }

        await DurableAsync(sequence).ConfigureAwait(false);
        KeyRevoked?.Invoke(id);
        return revoked;
    }

    public event Action<string>? KeyRevoked;

    public Task<string?> ProbeAsync(CancellationToken ct) =>
        Task.FromResult(_journal?.WriteError is { } error ? $"the journal {_journal.FilePath} cannot be written: {error}" : null);

    private StudyState State(Study study) =>
        _byId.TryGetValue(study.Id, out var s) ? s : throw TunerException.StudyNotFound(study.Name);

    /// <summary>Applies changes in memory and buffers their journal line; callers wait for <see cref="DurableAsync"/> outside the lock.</summary>
    private long Commit(IReadOnlyList<JournalOp> ops)
    {
        var sequence = _journal?.Append(ops) ?? 0;
        foreach (var op in ops)
        {
            Apply(op);
        }

        return sequence;
    }

    private ValueTask DurableAsync(long sequence) => _journal?.WaitDurableAsync(sequence) ?? ValueTask.CompletedTask;

    /// <summary>A replayed trial line holds only the intermediate values its change added (older journals: all of them); the rest are the version before's.</summary>
    private JournalOp WithEarlierValues(JournalOp op) =>
        op is JournalOp.PutTrial { Trial: var t } put && _byId.TryGetValue(op.StudyId, out var s) && s.Trials[t.Number] is { } before
            ? put with { Trial = t with { Intermediate = IntermediateSeries.With(before.Intermediate, t.Intermediate) } }
            : op;

    private void Apply(JournalOp op)
    {
        if (op is JournalOp.PutKey k)
        {
            _apiKeys[k.Key.Id] = k.Key;
            return;
        }

        if (op is JournalOp.PutStudy put)
        {
            var created = new StudyState(put.Study);
            _byName[put.Study.Name] = created;
            _byId[put.Study.Id] = created;
            return;
        }

        if (!_byId.TryGetValue(op.StudyId, out var s))
        {
            return;
        }

        switch (op)
        {
            case JournalOp.DeleteStudy:
                _byId.TryRemove(s.Study.Id, out _);
                _byName.TryRemove(s.Study.Name, out _);
                break;
            case JournalOp.PutTrial { Trial: var t }:
                s.Trials.Put(t);
                s.Events.Add(t);
                if (s.Events.Count > _maxEvents)
                {
                    var dropped = s.Events.Count / 2;
                    s.Events.RemoveRange(0, dropped);
                    s.EventsDropped += dropped;
                }

                if (t.State == TrialState.Running && t.LeaseDeadline is { } deadline)
                {
                    s.Leases[t.Number] = deadline;
                }
                else
                {
                    s.Leases.Remove(t.Number);
                }

                break;
            case JournalOp.SetLease l:
                s.Leases[l.Number] = l.Deadline!.Value;
                break;
            case JournalOp.Push p:
                s.Queue.Enqueue(p.Entry);
                break;
            case JournalOp.Pop:
                s.Queue.Dequeue();
                break;
            case JournalOp.Advance a:
                s.SequenceNext = a.Next;
                break;
            case JournalOp.Remember r:
                if (s.Requests.TryAdd(r.RequestId, r.Numbers))
                {
                    s.RequestOrder.Enqueue(r.RequestId);
                    if (s.RequestOrder.Count > _maxRequestIds)
                    {
                        s.Requests.Remove(s.RequestOrder.Dequeue());
                    }
                }

                break;
        }
    }

    private sealed class StudyState(Study study)
    {
        public Study Study { get; } = study;

        public TrialLog Trials { get; } = new();

        /// <summary>The latest changes, oldest first; <see cref="EventsDropped"/> older ones were trimmed.</summary>
        public List<Trial> Events { get; } = [];

        public long EventsDropped { get; set; }

        public Queue<QueuedParams> Queue { get; } = new();

        public Dictionary<long, DateTimeOffset> Leases { get; } = [];

        public Dictionary<string, long[]> Requests { get; } = new(StringComparer.Ordinal);

        /// <summary>Request ids in the order they came, to forget the oldest.</summary>
        public Queue<string> RequestOrder { get; } = new();

        public long SequenceNext { get; set; }
    }
}
