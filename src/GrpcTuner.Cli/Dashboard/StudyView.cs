using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Grpc.Core;
using GrpcTuner.Client;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Dashboard;

/// <summary>
/// One study as the dashboard holds it for one API key: every trial, read once with ListTrials, then
/// kept current by one WatchStudy stream from the cursor of that read, whatever number of pages show
/// it. A page loads from here without asking the server again, and follows the changes from here.
/// A replica that stops or dies is watched again from the view's cursor, on whichever replica answers.
/// </summary>
internal sealed class StudyView : IAsyncDisposable
{
    // Changes kept for pages that reconnect; one that was away longer loads the study again.
    private const int MaxRecent = 20_000;
    private const int MaxQueued = 20_000;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly Dictionary<long, Trial> _trials;
    private readonly List<TrialEvent> _recent = [];
    private readonly List<Channel<TrialEvent>> _subscribers = [];
    private readonly CancellationTokenSource _stop = new();
    // The cursor just before the first change in _recent: the load's, until old changes are let go.
    private string _recentFrom;
    private string _cursor;
    private Task _watching = Task.CompletedTask;
    private bool _ended;
    // What Json last made of each kind, and the cursor it was made at.
    private readonly ConcurrentDictionary<string, MadeJson> _made = new(StringComparer.Ordinal);

    private StudyView(Study info, IEnumerable<Trial> trials, string cursor)
    {
        Info = info;
        _trials = trials.ToDictionary(t => t.Number);
        (_recentFrom, _cursor) = (cursor, cursor);
    }

    public Study Info { get; }

    /// <summary>Why the server stopped the watch (the study was deleted, the key revoked), or null while it runs.</summary>
    public RpcException? Refusal { get; private set; }

    /// <summary>Whether its watch still runs: false once the server refused it or its client was closed, and the view only shows the past.</summary>
    public bool Live
    {
        get
        {
            lock (_gate)
            {
                return !_ended;
            }
        }
    }

    /// <summary>When a page last asked for this view, or left it.</summary>
    public DateTimeOffset LastUsed { get; private set; } = DateTimeOffset.UtcNow;

    public int Subscribers
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    public static async Task<StudyView> LoadAsync(TunerClient client, string name, CancellationToken ct)
    {
        var study = await client.LoadStudyAsync(name, ct);
        var (trials, cursor) = await study.TrialsToWatchAsync(ct);
        var view = new StudyView(study.Info, trials, cursor);
        view._watching = view.WatchAsync(client, name, view._stop.Token);
        return view;
    }

    /// <summary>
    /// What <paramref name="build"/> makes of the study as JSON, made once per change of the study
    /// and kind: pages that open between two changes get the same bytes.
    /// </summary>
    public byte[] Json(string kind, Func<Study, IReadOnlyList<Trial>, string, object> build)
    {
        var (trials, cursor) = Snapshot();
        if (_made.TryGetValue(kind, out var made) && made.Cursor == cursor)
        {
            return made.Json;
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(build(Info, trials, cursor));
        _made[kind] = new MadeJson(cursor, json);
        return json;
    }

    /// <summary>The trials in number order, and the cursor a page follows the study from after them.</summary>
    public (IReadOnlyList<Trial> Trials, string Cursor) Snapshot()
    {
        lock (_gate)
        {
            LastUsed = DateTimeOffset.UtcNow;
            return (_trials.Values.OrderBy(t => t.Number).ToList(), _cursor);
        }
    }

    /// <summary>
    /// The changes after <paramref name="cursor"/> (a cursor this view gave out; null: from now), then
    /// every later one; null when the view no longer remembers that cursor, and the page must load the
    /// study again. The reader completes when the view stops, or when the page fell too far behind.
    /// </summary>
    public ChannelReader<TrialEvent>? Subscribe(string? cursor)
    {
        lock (_gate)
        {
            LastUsed = DateTimeOffset.UtcNow;
            cursor ??= _cursor;
            var from = cursor == _recentFrom ? 0 : _recent.FindIndex(e => e.Cursor == cursor) + 1;
            if (from == 0 && cursor != _recentFrom && cursor != _cursor)
            {
                return null;
            }

            from = cursor == _cursor ? _recent.Count : from;

            var channel = Channel.CreateBounded<TrialEvent>(new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
            foreach (var e in _recent.Skip(from))
            {
                channel.Writer.TryWrite(e);
            }

            if (_ended)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _subscribers.Add(channel);
            }

            return channel.Reader;
        }
    }

    public void Unsubscribe(ChannelReader<TrialEvent> reader)
    {
        lock (_gate)
        {
            _subscribers.RemoveAll(c => c.Reader == reader);
            LastUsed = DateTimeOffset.UtcNow;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task WatchAsync(TunerClient client, string name, CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    using var call = client.Raw.WatchStudy(new WatchStudyRequest { Study = name, Cursor = _cursor }, cancellationToken: ct);
                    await foreach (var e in call.ResponseStream.ReadAllAsync(ct))
                    {
                        Apply(e);
                        backoff = TimeSpan.FromMilliseconds(100);
                    }
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.InvalidArgument)
                {
                    Refusal = e;
                    return;
                }
                catch (RpcException) when (!ct.IsCancellationRequested)
                {
                    // A replica that stopped or died: watch again from the cursor, on whichever replica answers.
                }

                await Task.Delay(backoff, ct);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The view was closed.
        }
        catch (ObjectDisposedException)
        {
            // Its client was closed with the dashboard.
        }
        finally
        {
            lock (_gate)
            {
                _ended = true;
                _subscribers.ForEach(c => c.Writer.TryComplete());
                _subscribers.Clear();
            }
        }
    }

    private void Apply(TrialEvent e)
    {
        lock (_gate)
        {
            _trials[e.Trial.Number] = e.Trial;
            _cursor = e.Cursor;
            _recent.Add(e);
            if (_recent.Count > MaxRecent)
            {
                _recentFrom = _recent[^(MaxRecent + 1)].Cursor;
                _recent.RemoveRange(0, _recent.Count - MaxRecent);
            }

            // A page that cannot keep up is let go: its stream ends, and it reconnects from its cursor or loads again.
            _subscribers.RemoveAll(c => !c.Writer.TryWrite(e) && c.Writer.TryComplete());
        }
    }

    private sealed record MadeJson(string Cursor, byte[] Json);
}
