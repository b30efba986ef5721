using System.Collections.Concurrent;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Dashboard;

/// <summary>
/// The studies pages are looking at, one view per study and API key, shared by every page of that
/// key. A view no page has followed for <see cref="Idle"/> is closed with its watch.
/// </summary>
internal sealed class StudyViews(TimeSpan idle) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(TunerClient Client, string Study), Lazy<Task<StudyView>>> _views = new();
    private readonly Lock _sweeping = new();

    public TimeSpan Idle => idle;

    /// <summary>The view of a study for a key's client, loading it on first use; a server refusal is the caller's RpcException.</summary>
    public async Task<StudyView> GetAsync(TunerClient client, string study, CancellationToken ct)
    {
        await SweepAsync();
        var key = (client, study);
        while (true)
        {
            // Loaded apart from the request that asked first: other pages wait on the same load.
            var entry = _views.GetOrAdd(key, k => new Lazy<Task<StudyView>>(() => StudyView.LoadAsync(k.Client, k.Study, CancellationToken.None)));
            StudyView view;
            try
            {
                view = await entry.Value.WaitAsync(ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                _views.TryRemove(KeyValuePair.Create(key, entry));
                throw;
            }

            if (view.Live)
            {
                return view;
            }

            // The study went away, the key was revoked or its client closed since: ask the server again, which says which.
            if (_views.TryRemove(KeyValuePair.Create(key, entry)))
            {
                await view.DisposeAsync();
            }
        }
    }

    /// <summary>Closes the views no page follows and none asked for within <see cref="Idle"/>.</summary>
    public async Task SweepAsync()
    {
        List<StudyView> closed = [];
        lock (_sweeping)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var (key, entry) in _views)
            {
                if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully && entry.Value.Result is { Subscribers: 0 } view
                    && now - view.LastUsed > idle && _views.TryRemove(KeyValuePair.Create(key, entry)))
                {
                    closed.Add(view);
                }
            }
        }

        foreach (var view in closed)
        {
            await view.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var entry in _views.Values)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
            {
                await entry.Value.Result.DisposeAsync();
            }
        }

        _views.Clear();
    }
}
