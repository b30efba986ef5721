using System.Diagnostics;
using System.Runtime.CompilerServices;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;
using GrpcTuner.Core.Pareto;
using GrpcTuner.Core.Pruners;
using GrpcTuner.Core.Randomness;
using GrpcTuner.Core.Samplers;
using GrpcTuner.Core.Validation;
using GrpcTuner.Server.Telemetry;
using GrpcTuner.Storage;

namespace GrpcTuner.Server.Engine;

/// <summary>
/// What the service does, independent of gRPC: each operation reads the study from the store,
/// decides with the pure algorithms of Core, and writes the outcome with one atomic store call.
/// Nothing here is kept between calls except caches that any replica can rebuild.
/// </summary>
public sealed class StudyEngine(IStudyStore store, TimeProvider time, TunerTelemetry telemetry)
{
    /// <summary>Optimistic updates retry this often before giving up; conflicts need a racing writer each time.</summary>
    private const int MaxAttempts = 16;

    /// <summary>Extra sequence points sent with a claim, so that concurrent claims from other replicas rarely force a retry.</summary>
    private const int SequenceSlack = 32;

    /// <summary>Spare members a bounded population draws, as <see cref="SequenceSlack"/>; fewer, since a free sampler's draw costs more than a sequence point.</summary>
    private const int PopulationSlack = 4;

    private readonly StudyRuntime _runtime = new();

    public Task<Study> CreateStudyAsync(StudyDefinition definition, bool loadIfExists, CancellationToken ct)
    {
        StudyValidator.Validate(definition);
        return CreateValidatedAsync(definition, loadIfExists, ct);
    }

    /// <summary>
    /// Creates a study that first runs <paramref name="warmStart"/> (tagged warm_start=coverage): each checked against
    /// the space before anything is written, and enqueued only when the study is new, not when an existing one is loaded.
    /// </summary>
    public async Task<Study> CreateStudyAsync(StudyDefinition definition, bool loadIfExists, IReadOnlyList<IReadOnlyDictionary<string, ParamValue>> warmStart, CancellationToken ct)
    {
        StudyValidator.Validate(definition);
        var v = new Violations();
        for (var i = 0; i < warmStart.Count; i++)
        {
            TrialValidator.ValidateParams(definition.Space, warmStart[i], $"warm_start.recommendations[{i}]", v);
        }

        v.ThrowIfAny();
        var existed = await store.FindStudyAsync(definition.Name, ct).ConfigureAwait(false) is not null;
        var study = await CreateValidatedAsync(definition, loadIfExists, ct).ConfigureAwait(false);
        if (!existed)
        {
            var tag = new Dictionary<string, string> { ["warm_start"] = "coverage" };
            foreach (var ps in warmStart)
            {
                await EnqueueAsync(study, new QueuedParams(ps, tag, null), ct).ConfigureAwait(false);
            }
        }

        return study;
    }

    private async Task<Study> CreateValidatedAsync(StudyDefinition definition, bool loadIfExists, CancellationToken ct)
    {
        // A caller that gave up while its request was validated gets nothing created behind its back.
        ct.ThrowIfCancellationRequested();
        return await store.CreateStudyAsync(definition, loadIfExists, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of the studies <paramref name="visible"/> admits, in name order after <paramref name="after"/>, reading
    /// store pages until the page is full or the store runs out; the name to continue after, when there are more.
    /// </summary>
    public async Task<(IReadOnlyList<Study> Page, string? Next)> ListStudiesAsync(Func<Study, bool> visible, string? after, int size, CancellationToken ct)
    {
        var found = new List<Study>();
        while (found.Count <= size)
        {
            var studies = await store.ListStudiesAsync(after, size + 1, ct).ConfigureAwait(false);
            found.AddRange(studies.Where(visible));
            if (studies.Count <= size)
            {
                break;
            }

            after = studies[^1].Name;
        }

        return found.Count > size ? (found.Take(size).ToList(), found[size - 1].Name) : (found, null);
    }

    /// <summary>The study of that name, which must be the incarnation <paramref name="id"/> names when one is given.</summary>
    public async Task<Study> GetStudyAsync(string name, string? id, CancellationToken ct)
    {
        var study = await GetStudyAsync(name, ct).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(id) && study.Id != id)
        {
            throw new TunerException(ErrorKind.NotFound,
                $"study '{name}' with study_id {id} does not exist: it was deleted, and the study of that name now is another one (study_id {study.Id})");
        }

        return study;
    }

    public async Task<Study> GetStudyAsync(string name, CancellationToken ct)
    {
        if (!Names.IsValid(name))
        {
            throw TunerException.Invalid("study", Names.Rule);
        }

        return await store.FindStudyAsync(name, ct).ConfigureAwait(false) ?? throw TunerException.StudyNotFound(name);
    }

    public async Task DeleteStudyAsync(string name, CancellationToken ct)
    {
        var study = await GetStudyAsync(name, ct).ConfigureAwait(false);
        if (!await store.DeleteStudyAsync(name, ct).ConfigureAwait(false))
        {
            throw TunerException.StudyNotFound(name);
        }

        _runtime.Forget(study.Id);
    }

    public async Task<IReadOnlyList<Trial>> AskAsync(string studyName, string workerId, int count, TimeSpan lease, string? requestId, CancellationToken ct)
    {
        using var span = TunerTelemetry.Traces.StartActivity("Ask");
        span?.SetTag("grpctuner.study", studyName);
        span?.SetTag("grpctuner.count", count);
        var study = await GetStudyAsync(studyName, ct).ConfigureAwait(false);
        var algorithms = _runtime.For(study);
        var history = await store.GetTrialsAsync(study, ct).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var claim = algorithms.Sampler is not null
                ? FreeClaim(study, algorithms, history, workerId, count, lease, requestId, ct)
                : SequenceClaim(algorithms, workerId, count, lease, requestId);
            switch (await store.ClaimTrialsAsync(study, claim, ct).ConfigureAwait(false))
            {
                case ClaimResult.Claimed claimed:
                    if (claim.Window is { } window)
                    {
                        InterlockedMax(ref algorithms.SequenceHint, window.Start + claimed.Trials.Count);
                    }

                    telemetry.Entered(TrialState.Running, claimed.Trials.Count);
                    span?.SetTag("grpctuner.trials", string.Join(",", claimed.Trials.Select(t => t.Number)));
                    return claimed.Trials;
                case ClaimResult.Retry retry:
                    InterlockedMax(ref algorithms.SequenceHint, retry.Next);
                    break;
                case ClaimResult.Exhausted exhausted:
                    throw new TunerException(ErrorKind.OutOfRange, algorithms.Sequence is not null
                        ? $"study '{studyName}' has handed out all {exhausted.Size} grid points and its queue is empty"
                        : $"study '{studyName}' has started all {exhausted.Size} members of its population (pruner.pbt.population_size) and its queue is empty");
            }
        }

        throw new TunerException(ErrorKind.Unavailable, $"study '{studyName}' is too contended to claim a sequence point now; retry");
    }

    /// <summary>Finishes a trial; <c>studyId</c>, when given, is the study incarnation it was asked from.</summary>
    public async Task<Trial> TellAsync(string studyName, string? studyId, long number, TrialState state, IReadOnlyList<double> values, string reason,
        IReadOnlyDictionary<string, string> attrs, bool retry, IReadOnlyDictionary<string, Distribution> suggested, Compute? compute, CancellationToken ct)
    {
        using var span = TunerTelemetry.Traces.StartActivity("Tell");
        span?.SetTag("grpctuner.study", studyName);
        span?.SetTag("grpctuner.trial", number);
        span?.SetTag("grpctuner.state", state.Label());
        var study = await GetStudyAsync(studyName, studyId, ct).ConfigureAwait(false);
        if (state == TrialState.Complete)
        {
            var v = new Violations();
            TrialValidator.ValidateValues(study.Definition.Directions, values, "values", v);
            v.ThrowIfAny();
        }
        else if (values.Count > 0)
        {
            throw TunerException.Invalid("values", $"must be empty unless state is TRIAL_STATE_COMPLETE, got {values.Count} value(s)");
        }

        if (retry && state != TrialState.Fail)
        {
            throw TunerException.Invalid("retry", "only a FAIL can be retried");
        }

        var history = retry ? await store.GetTrialsAsync(study, ct).ConfigureAwait(false) : null;
        var changed = false;
        var told = await UpdateAsync(study, number, t =>
            {
                var finished = TrialTransitions.Finish(studyName, Take(study, t, suggested), state, values, reason, attrs, time.GetUtcNow(), compute);
                changed = !ReferenceEquals(finished, t);
                return finished;
            },
            t => history is not null && TrialTransitions.RetryDepth(t, history) < study.Definition.MaxRetries
                ? new UpdateOptions(TrialTransitions.Rerun(t))
                : UpdateOptions.None,
            ct).ConfigureAwait(false);
        if (changed)
        {
            telemetry.Entered(state); // a repeated Tell changes nothing and is not counted twice
        }

        return told;
    }

    /// <summary>Records a report; says whether to prune, or (PBT) which donor to exploit with which params.</summary>
    public async Task<ReportOutcome> ReportAsync(string studyName, string? studyId, long number, long step, double value, TimeSpan? lease, string checkpoint,
        IReadOnlyDictionary<string, Distribution> suggested, Compute? compute, CancellationToken ct)
    {
        var study = await GetStudyAsync(studyName, studyId, ct).ConfigureAwait(false);
        var algorithms = _runtime.For(study);
        var kind = study.Definition.Pruner.Kind;
        // Only PBT decides inside the update; pruners judge the stored history after it.
        var history = kind == PrunerKind.Pbt ? await store.GetTrialsAsync(study, ct).ConfigureAwait(false) : null;
        Trial? donor = null;
        var updated = await UpdateAsync(study, number, t =>
        {
            var reported = TrialTransitions.Report(studyName, Take(study, t, suggested), step, value, time.GetUtcNow(), lease, checkpoint, compute);
            donor = null;
            if (kind == PrunerKind.Pbt && algorithms.Pbt!.Decide(reported, history!) is { } exploit)
            {
                donor = exploit.Donor;
                return TrialTransitions.Exploit(reported, step, exploit.Donor, exploit.Params);
            }

            return reported;
        }, _ => UpdateOptions.None, ct).ConfigureAwait(false);
        var prune = algorithms.Pruner is not NopPruner && algorithms.Pruner.ShouldPrune(updated, await store.GetTrialsAsync(study, ct).ConfigureAwait(false));
        return new ReportOutcome(prune, updated.LeaseDeadline!.Value, donor, donor is null ? null : updated.Params);
    }

    /// <summary>
    /// Define-by-run: the value of one parameter of a running trial, recorded on it. A proposal that
    /// fits is taken; otherwise the sampler chooses from the trials that have the parameter.
    /// </summary>
    public async Task<ParamValue> SuggestAsync(string studyName, string? studyId, long number, string workerId, string name, Distribution distribution,
        IReadOnlyDictionary<string, Distribution> suggested, CancellationToken ct)
    {
        var study = await GetStudyAsync(studyName, studyId, ct).ConfigureAwait(false);
        // Read before the update, which recomputes on a conflict: a value chosen from an older history is still a valid one.
        var history = await store.GetTrialsAsync(study, ct).ConfigureAwait(false);
        var grid = study.Definition.Sampler.Kind == SamplerKind.Grid;
        ParamValue value = default;
        await UpdateAsync(study, number, t =>
        {
            SuggestTransitions.RequireWorker(studyName, t, workerId);
            var updated = Take(study, t, suggested);
            if (SuggestTransitions.Recorded(studyName, updated, study.Definition.Space, name, distribution, grid) is { } recorded)
            {
                value = recorded;
                return updated;
            }

            value = updated.Proposals.TryGetValue(name, out var proposal) && proposal.Fits(distribution)
                ? proposal.Value
                : IndependentSuggestion.Choose(study.Definition, number, name, distribution, history);
            return SuggestTransitions.Record(updated, name, distribution, value);
        }, _ => UpdateOptions.None, ct).ConfigureAwait(false);
        return value;
    }

    public async Task<DateTimeOffset> HeartbeatAsync(string studyName, string? studyId, long number, TimeSpan? lease, CancellationToken ct)
    {
        var study = await GetStudyAsync(studyName, studyId, ct).ConfigureAwait(false);
        var trial = await GetTrialAsync(study, number, ct).ConfigureAwait(false);
        var deadline = time.GetUtcNow() + (lease ?? trial.LeaseDuration);
        if (!await store.ExtendLeaseAsync(study, number, deadline, ct).ConfigureAwait(false))
        {
            var current = (await store.GetTrialsAsync(study, ct).ConfigureAwait(false))[(int)number];
            TrialTransitions.RequireRunning(studyName, current, "heart-beaten");
            throw new TunerException(ErrorKind.FailedPrecondition, $"trial {number} of study '{studyName}' holds no lease");
        }

        return deadline;
    }

    public async Task<long> EnqueueAsync(string studyName, IReadOnlyDictionary<string, ParamValue> values, IReadOnlyDictionary<string, string> attrs, CancellationToken ct)
    {
        var study = await GetStudyAsync(studyName, ct).ConfigureAwait(false);
        var space = study.Definition.Space;
        // Names outside the space wait as fixed values for the Suggest whose distribution contains them.
        var declared = new Dictionary<string, ParamValue>(StringComparer.Ordinal);
        var proposals = new Dictionary<string, Proposal>(StringComparer.Ordinal);
        var v = new Violations();
        foreach (var (name, value) in values)
        {
            if (space.Find(name) is not null)
            {
                declared[name] = value;
            }
            else if (v.Check(Names.IsValid(name), $"params[{name}]", Names.Rule))
            {
                proposals[name] = new Proposal(value, null);
            }
        }

        TrialValidator.ValidateParams(space, declared, "params", v);
        AttrValidator.Validate(attrs, "user_attrs", v);
        v.ThrowIfAny();
        return await EnqueueAsync(study, new QueuedParams(declared, attrs, null) { Proposals = proposals }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Queues params; in a bounded PBT population they take a member's place, as Ray Tune counts
    /// points_to_evaluate among num_samples (a failed member's retry is queued by the store and takes none).
    /// </summary>
    private async Task<long> EnqueueAsync(Study study, QueuedParams entry, CancellationToken ct)
    {
        if (Population(study) is not { } size)
        {
            return await store.EnqueueAsync(study, entry, ct).ConfigureAwait(false);
        }

        return await store.EnqueueCountedAsync(study, entry, size, ct).ConfigureAwait(false)
            ?? throw new TunerException(ErrorKind.OutOfRange, $"study '{study.Name}' has all {size} members of its population (pruner.pbt.population_size) started or queued");
    }

    private static long? Population(Study study) => study.Definition.Pruner.Kind == PrunerKind.Pbt ? study.Definition.Pruner.Pbt?.Population : null;

    public async Task<IReadOnlyList<long>> AddTrialsAsync(string studyName, IReadOnlyList<Trial> trials, CancellationToken ct)
    {
        var study = await GetStudyAsync(studyName, ct).ConfigureAwait(false);
        var v = new Violations();
        for (var i = 0; i < trials.Count; i++)
        {
            var t = trials[i];
            var field = $"trials[{i}]";
            TrialValidator.ValidateParams(study.Definition.Space, t.Params.Where(p => !t.Distributions.ContainsKey(p.Key)).ToDictionary(StringComparer.Ordinal), $"{field}.params", v);
            TrialValidator.ValidateDefineByRun(study.Definition.Space, t, field, v);
            if (t.State == TrialState.Complete)
            {
                TrialValidator.ValidateValues(study.Definition.Directions, t.Values, $"{field}.values", v);
            }
            else
            {
                v.Check(t.Values.Count == 0, $"{field}.values", "must be empty unless state is TRIAL_STATE_COMPLETE");
            }

            v.Check(t.Intermediate.Count <= IntermediateSeries.MaxPerTrial, $"{field}.intermediate_values", $"at most {IntermediateSeries.MaxPerTrial} (distinct steps), not {t.Intermediate.Count}");
            for (var k = 0; k < t.Intermediate.Count; k++)
            {
                v.Check(t.Intermediate[k].Step >= 0, $"{field}.intermediate_values[{k}].step", "must be >= 0");
                v.Check(double.IsFinite(t.Intermediate[k].Value), $"{field}.intermediate_values[{k}].value", "must be finite");
            }

            AttrValidator.Validate(t.UserAttrs, $"{field}.user_attrs", v);
        }

        v.ThrowIfAny();
        return await store.AddTrialsAsync(study, trials, ct).ConfigureAwait(false);
    }

    public async Task<Trial> GetTrialAsync(string studyName, long number, CancellationToken ct)
    {
        var study = await GetStudyAsync(studyName, ct).ConfigureAwait(false);
        var trials = await store.GetTrialsAsync(study, ct).ConfigureAwait(false);
        return number >= 0 && number < trials.Count ? trials[(int)number] : throw TunerException.TrialNotFound(studyName, number);
    }

    /// <summary>The study and what its trials cost in all, as their workers reported it.</summary>
    public async Task<(Study Study, Compute Total)> StudyWithComputeAsync(string studyName, CancellationToken ct)
    {
        var study = await GetStudyAsync(studyName, ct).ConfigureAwait(false);
        var trials = await store.GetTrialsAsync(study, ct).ConfigureAwait(false);
        return (study, Compute.Sum(trials.Where(t => t.Compute is not null).Select(t => t.Compute!)));
    }

    /// <summary>Every trial, and the change cursor read just before them: a watch from it misses no change after the list.</summary>
    public async Task<(IReadOnlyList<Trial> Trials, string Cursor)> ListTrialsAsync(string studyName, CancellationToken ct)
    {
        var study = await GetStudyAsync(studyName, ct).ConfigureAwait(false);
        var cursor = await store.EventCursorAsync(study, ct).ConfigureAwait(false);
        return (await store.GetTrialsAsync(study, ct).ConfigureAwait(false), cursor);
    }

    /// <summary>The best trial or Pareto front, and its hypervolume up to <paramref name="reference"/> when one is given.</summary>
    public async Task<(IReadOnlyList<Trial> Best, double? Hypervolume)> BestTrialsAsync(string studyName, IReadOnlyList<double>? reference, CancellationToken ct)
    {
        var study = await GetStudyAsync(studyName, ct).ConfigureAwait(false);
        var directions = study.Definition.Directions;
        if (reference is not null)
        {
            var v = new Violations();
            TrialValidator.ValidateValues(directions, reference, "reference_point", v);
            v.ThrowIfAny();
        }

        var best = BestTrials.Select(await store.GetTrialsAsync(study, ct).ConfigureAwait(false), directions);
        return (best, reference is null ? null : Hypervolume.Compute(best.Select(t => t.Values).ToList(), directions, reference, ct));
    }

    /// <summary>Every trial change after <paramref name="cursor"/>, polling the store while nothing changes.</summary>
    public async IAsyncEnumerable<TrialEvent> WatchAsync(string studyName, string? cursor, TimeSpan pollInterval, [EnumeratorCancellation] CancellationToken ct)
    {
        var study = await GetStudyAsync(studyName, ct).ConfigureAwait(false);
        while (!ct.IsCancellationRequested)
        {
            var page = await store.ReadEventsAsync(study, cursor, 500, ct).ConfigureAwait(false);
            foreach (var e in page.Events)
            {
                yield return e;
            }

            cursor = page.Cursor;
            if (page.Events.Count == 0)
            {
                await Task.Delay(pollInterval, time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Fails the running trials of every study whose lease ran out, re-queuing their params while retries remain. Returns how many.</summary>
    public async Task<int> ReapAsync(CancellationToken ct)
    {
        var reaped = 0;
        string? after = null;
        while (true)
        {
            var studies = await store.ListStudiesAsync(after, 100, ct).ConfigureAwait(false);
            // A page's studies at once: their lease reads go to Redis as one pipelined batch.
            reaped += (await Task.WhenAll(studies.Select(study => ReapStudyAsync(study, ct))).ConfigureAwait(false)).Sum();

            if (studies.Count < 100)
            {
                return reaped;
            }

            after = studies[^1].Name;
        }
    }

    private async Task<int> ReapStudyAsync(Study study, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var expired = await store.ExpiredLeasesAsync(study, now, 1000, ct).ConfigureAwait(false);
        if (expired.Count == 0)
        {
            return 0;
        }

        var reaped = 0;
        var history = await store.GetTrialsAsync(study, ct).ConfigureAwait(false);
        foreach (var number in expired)
        {
            if (number >= history.Count || history[(int)number] is not { State: TrialState.Running } trial)
            {
                continue;
            }

            var (failed, retry) = TrialTransitions.Expire(trial, study.Definition.MaxRetries, history, now);
            // Only if the lease is still expired at the store: a heartbeat that came in between wins,
            // and of several replicas reaping at once exactly one succeeds.
            var result = await store.UpdateTrialAsync(study, trial, failed, new UpdateOptions(retry, now), ct).ConfigureAwait(false);
            if (result is UpdateResult.Applied)
            {
                reaped++;
                telemetry.LeaseExpired();
                telemetry.Entered(TrialState.Fail);
            }
        }

        return reaped;
    }

    /// <summary>The trial with the proposals its worker took recorded (checked against the study's space).</summary>
    private static Trial Take(Study study, Trial trial, IReadOnlyDictionary<string, Distribution> suggested) =>
        suggested.Count == 0 ? trial : SuggestTransitions.Take(study.Name, trial, study.Definition.Space, suggested);

    private async Task<Trial> GetTrialAsync(Study study, long number, CancellationToken ct) =>
        await store.GetTrialAsync(study, number, ct).ConfigureAwait(false) ?? throw TunerException.TrialNotFound(study.Name, number);

    /// <summary>Applies a transition with optimistic concurrency: recompute from the current record until the store accepts it.</summary>
    private async Task<Trial> UpdateAsync(Study study, long number, Func<Trial, Trial> transition, Func<Trial, UpdateOptions> options, CancellationToken ct)
    {
        var trial = await GetTrialAsync(study, number, ct).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var updated = transition(trial);
            if (ReferenceEquals(updated, trial))
            {
                return trial;
            }

            switch (await store.UpdateTrialAsync(study, trial, updated, options(trial), ct).ConfigureAwait(false))
            {
                case UpdateResult.Applied:
                    return updated;
                case UpdateResult.Conflict conflict:
                    trial = conflict.Current;
                    break;
                default:
                    throw TunerException.TrialNotFound(study.Name, number);
            }
        }

        throw new TunerException(ErrorKind.Unavailable, $"trial {number} of study '{study.Name}' kept changing; retry");
    }

    private TrialClaim FreeClaim(Study study, StudyRuntime.Algorithms algorithms, IReadOnlyList<Trial> history, string workerId, int count, TimeSpan lease, string? requestId,
        CancellationToken ct)
    {
        var seed = study.Definition.Sampler.Seed;
        var declared = study.Definition.Space;
        var space = IntersectionSearchSpace.Extend(declared, IntersectionSearchSpace.Of(history));
        var sampler = algorithms.SamplerFor(space);
        // A bounded PBT population counts its members as a sequence does its points, so that
        // replicas asking at once never start more; members are interchangeable, so a few spare
        // ones let a claim succeed when others started members since this replica last looked.
        var population = Population(study);
        var start = Interlocked.Read(ref algorithms.SequenceHint);
        var drawn = population is { } size ? (int)Math.Clamp(size - start, count, count + PopulationSlack) : count;
        var suggestions = new QueuedParams[drawn];
        using (TunerTelemetry.Traces.StartActivity("Sample"))
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < drawn; i++)
            {
                ct.ThrowIfCancellationRequested();
                // Keyed by worker and history length: reproducible for the same history, and
                // different for workers asking at the same moment.
                var rng = Rng.For(seed, workerId, history.Count, i);
                suggestions[i] = space.Params.Count == 0 ? new QueuedParams(Trial.EmptyParams, Trial.EmptyAttrs, null) : Split(declared, space, sampler.Sample(history, rng, ct));
            }

            telemetry.Sampled(study.Definition.Sampler.Kind, Stopwatch.GetElapsedTime(started));
        }

        return new TrialClaim(requestId, workerId, time.GetUtcNow(), lease, count, suggestions, population is null ? null : new SequenceWindow(start, population));
    }

    /// <summary>A suggestion as a trial starts with it: declared parameters as params, define-by-run ones as proposals.</summary>
    private static QueuedParams Split(SearchSpace declared, SearchSpace space, IReadOnlyDictionary<string, ParamValue> suggestion)
    {
        if (ReferenceEquals(declared, space))
        {
            return new QueuedParams(suggestion, Trial.EmptyAttrs, null);
        }

        var values = new Dictionary<string, ParamValue>(declared.Params.Count, StringComparer.Ordinal);
        var proposals = new Dictionary<string, Proposal>(suggestion.Count - declared.Params.Count, StringComparer.Ordinal);
        foreach (var (name, value) in suggestion)
        {
            if (declared.Find(name) is not null)
            {
                values[name] = value;
            }
            else
            {
                proposals[name] = new Proposal(value, space.Find(name)!.Distribution);
            }
        }

        return new QueuedParams(values, Trial.EmptyAttrs, null) { Proposals = proposals };
    }

    private TrialClaim SequenceClaim(StudyRuntime.Algorithms algorithms, string workerId, int count, TimeSpan lease, string? requestId)
    {
        var sequence = algorithms.Sequence!;
        var start = Interlocked.Read(ref algorithms.SequenceHint);
        var end = sequence.Size is { } size ? Math.Min(size, start + count + SequenceSlack) : start + count + SequenceSlack;
        var points = new List<QueuedParams>((int)Math.Max(0, end - start));
        for (var index = start; index < end; index++)
        {
            points.Add(new QueuedParams(sequence.PointAt(index), Trial.EmptyAttrs, null));
        }

        return new TrialClaim(requestId, workerId, time.GetUtcNow(), lease, count, points, new SequenceWindow(start, sequence.Size));
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

/// <summary>What a worker is told after a report: prune, or exploit a donor (PBT) with new params, or neither.</summary>
public sealed record ReportOutcome(bool Prune, DateTimeOffset Deadline, Trial? Donor, IReadOnlyDictionary<string, ParamValue>? NewParams);
