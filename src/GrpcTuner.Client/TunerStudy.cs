using Google.Protobuf.WellKnownTypes;
using GrpcTuner.V1;

namespace GrpcTuner.Client;

/// <summary>A study, Optuna style: ask for a trial, report on it, tell its result.</summary>
public sealed class TunerStudy
{
    // The most ListTrials allows: the server still ends a page before it passes 3 MiB, so a large study comes in few round trips.
    private const int MaxPageSize = 10_000;

    private readonly TunerClient _client;

    internal TunerStudy(TunerClient client, Study study)
    {
        _client = client;
        Info = study;
    }

    public Study Info { get; }

    public string Name => Info.Name;

    /// <summary>Starts a trial and keeps its lease alive until it is told or disposed.</summary>
    public async Task<TunerTrial> AskAsync(CancellationToken ct = default) => (await AskAsync(1, ct).ConfigureAwait(false))[0];

    /// <summary>
    /// Starts up to <paramref name="count"/> trials. A grid study near its end returns fewer;
    /// an exhausted one fails with OUT_OF_RANGE.
    /// </summary>
    public async Task<IReadOnlyList<TunerTrial>> AskAsync(int count, CancellationToken ct = default)
    {
        var request = new AskRequest
        {
            Study = Name,
            WorkerId = _client.Options.WorkerId,
            Count = count,
            LeaseDuration = Duration.FromTimeSpan(_client.Options.Lease),
            RequestId = Guid.NewGuid().ToString("N"),
        };
        var response = await _client.Raw.AskAsync(request, cancellationToken: ct).ConfigureAwait(false);
        return response.Trials.Select(t => new TunerTrial(_client, Info, t)).ToList();
    }

    /// <summary>
    /// Optuna's study.optimize: runs the objective on <paramref name="nTrials"/> trials, <paramref name="concurrency"/>
    /// at a time, and tells each result. A <see cref="TrialPrunedException"/> tells PRUNED; any other
    /// exception tells FAIL and, once the running trials are told, ends the run with that exception.
    /// </summary>
    public async Task OptimizeAsync(Func<TunerTrial, CancellationToken, Task<double>> objective, int nTrials, int concurrency = 1, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nTrials, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var left = nTrials;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        async Task WorkAsync()
        {
            while (Interlocked.Decrement(ref left) >= 0 && !failed.IsCancellationRequested)
            {
                await using var trial = await AskAsync(failed.Token).ConfigureAwait(false);
                try
                {
                    await TellAsync(trial, await objective(trial, failed.Token).ConfigureAwait(false)).ConfigureAwait(false);
                }
                catch (TrialPrunedException e)
                {
                    await TellAsync(trial, TrialState.Pruned, e.Message).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // A cancelled objective is a FAIL too: its trial must not wait for its lease to run out.
                    await TellAsync(trial, TrialState.Fail, e.Message).ConfigureAwait(false);
                    await failed.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkAsync, CancellationToken.None))).ConfigureAwait(false);
    }

    /// <summary>Finishes a trial as COMPLETE with one value per objective.</summary>
    public Task<Trial> TellAsync(TunerTrial trial, params double[] values) => trial.TellAsync(TrialState.Complete, values);

    /// <summary>Finishes a trial as PRUNED or FAIL.</summary>
    public Task<Trial> TellAsync(TunerTrial trial, TrialState state, string reason = "") => trial.TellAsync(state, [], reason);

    /// <summary>Runs these params before any new suggestion.</summary>
    public Task<long> EnqueueAsync(IReadOnlyDictionary<string, ParamValue> values, CancellationToken ct = default) => EnqueueAsync(values, new Dictionary<string, string>(), ct);

    /// <summary>Runs these params before any new suggestion, in a trial that carries these user attributes.</summary>
    public async Task<long> EnqueueAsync(IReadOnlyDictionary<string, ParamValue> values, IReadOnlyDictionary<string, string> userAttrs, CancellationToken ct = default)
    {
        var request = new EnqueueTrialRequest { Study = Name };
        request.Params.Add(values.ToDictionary());
        request.UserAttrs.Add(userAttrs.ToDictionary());
        return (await _client.Raw.EnqueueTrialAsync(request, cancellationToken: ct).ConfigureAwait(false)).QueueLength;
    }

    /// <summary>The best complete trial, or null before the first one.</summary>
    public async Task<Trial?> BestTrialAsync(CancellationToken ct = default) =>
        (await BestTrialsAsync(ct).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The best trial, or the Pareto front for several objectives.</summary>
    public async Task<IReadOnlyList<Trial>> BestTrialsAsync(CancellationToken ct = default) =>
        (await _client.Raw.GetBestTrialsAsync(new GetBestTrialsRequest { Study = Name }, cancellationToken: ct).ConfigureAwait(false)).Trials;

    /// <summary>Every trial, page by page.</summary>
    public async Task<IReadOnlyList<Trial>> TrialsAsync(CancellationToken ct = default) =>
        (await TrialsToWatchAsync(ct).ConfigureAwait(false)).Trials;

    /// <summary>
    /// Every trial, page by page, and the cursor a WatchStudy starts from to see every change made
    /// after them: the first page's watch_cursor, the oldest, so that no later page's change is missed.
    /// </summary>
    public async Task<(IReadOnlyList<Trial> Trials, string WatchCursor)> TrialsToWatchAsync(CancellationToken ct = default)
    {
        var all = new List<Trial>();
        string? cursor = null;
        var token = "";
        do
        {
            var page = await _client.Raw.ListTrialsAsync(new ListTrialsRequest { Study = Name, PageToken = token, PageSize = MaxPageSize }, cancellationToken: ct).ConfigureAwait(false);
            all.AddRange(page.Trials);
            cursor ??= page.WatchCursor;
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return (all, cursor);
    }
}
