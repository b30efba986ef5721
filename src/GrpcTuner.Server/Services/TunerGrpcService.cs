using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;
using GrpcTuner.Core.Validation;
using GrpcTuner.Server.Access;
using GrpcTuner.Server.Engine;
using GrpcTuner.Server.Mapping;
using Microsoft.Extensions.Hosting;
using Wire = GrpcTuner.V1;

namespace GrpcTuner.Server.Services;

/// <summary>The gRPC endpoints: check what only the wire can get wrong, map, call the engine, map back.</summary>
internal sealed class TunerGrpcService(StudyEngine engine, CoverageRecommender coverage, ServerOptions options, IHostApplicationLifetime lifetime, KeyAuthenticator authenticator)
    : Wire.TunerService.TunerServiceBase
{
    private const int MaxAskCount = 1000;
    private const int MaxAddTrials = 10_000;
    private const int MaxReasonLength = 1024;
    // gRPC clients refuse messages over 4 MiB unless told otherwise: a page of long learning curves must still arrive.
    private const int MaxPageBytes = 3 * 1024 * 1024;
    private static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(60);

    public override async Task<Wire.Study> CreateStudy(Wire.CreateStudyRequest request, ServerCallContext context)
    {
        var definition = StudyMapper.ToDomain(request);
        if (request.WarmStart is null)
        {
            return Loaded(await engine.CreateStudyAsync(definition, request.LoadIfExists, context.CancellationToken), definition, request);
        }

        var recommended = await RecommendAsync(request.WarmStart, "warm_start", context.CancellationToken);
        var study = await engine.CreateStudyAsync(definition, request.LoadIfExists, recommended.Select(r => r.Params).ToList(), context.CancellationToken);
        return Loaded(study, definition, request);
    }

    /// <summary>
    /// The study CreateStudy returns: with load_if_exists, an existing study of another definition is
    /// FAILED_PRECONDITION naming the first difference, never silently used in place of the one asked for.
    /// </summary>
    private static Wire.Study Loaded(Study study, StudyDefinition asked, Wire.CreateStudyRequest request)
    {
        var stored = StudyMapper.ToProto(study);
        if (request.LoadIfExists && DefinitionDifference.First(stored, StudyMapper.ToProto(study with { Definition = asked }), request.Sampler?.HasSeed == true) is { } difference)
        {
            throw new TunerException(ErrorKind.FailedPrecondition,
                $"study '{study.Name}' exists with another definition: {difference}; load it as it is (load_study, or GetStudy), or give this one another name");
        }

        return stored;
    }

    public override async Task<Wire.RecommendConfigurationsResponse> RecommendConfigurations(Wire.RecommendConfigurationsRequest request, ServerCallContext context)
    {
        var response = new Wire.RecommendConfigurationsResponse();
        foreach (var (ps, covered) in await RecommendAsync(request.Spec ?? new Wire.CoverageSearchSpec(), "spec", context.CancellationToken))
        {
            var r = new Wire.Recommendation { DatasetsCovered = covered };
            foreach (var (name, value) in ps)
            {
                r.Params[name] = ValueMapper.ToProto(value);
            }

            response.Recommendations.Add(r);
        }

        return response;
    }

    private Task<IReadOnlyList<(IReadOnlyDictionary<string, GrpcTuner.Core.Domain.ParamValue> Params, int Covered)>> RecommendAsync(Wire.CoverageSearchSpec spec, string field, CancellationToken ct) =>
        coverage.RecommendAsync(spec.Studies, spec.K == 0 ? 4 : spec.K, spec.HasTolerance ? spec.Tolerance : GrpcTuner.Core.Coverage.CoverageSearch.DefaultTolerance, field, ct);

    public override async Task<Wire.Study> GetStudy(Wire.GetStudyRequest request, ServerCallContext context)
    {
        var (study, total) = await engine.StudyWithComputeAsync(request.Study, context.CancellationToken);
        var message = StudyMapper.ToProto(study);
        message.ComputeTotal = TrialMapper.ToProto(total);
        return message;
    }

    public override async Task<Wire.ListStudiesResponse> ListStudies(Wire.ListStudiesRequest request, ServerCallContext context)
    {
        var size = PageSize(request.PageSize, 100, 1000);
        var after = request.PageToken.Length == 0 ? null : DecodeToken(request.PageToken);
        var caller = AccessInterceptor.PrincipalOf(context);
        // Only the caller's namespaces.
        var (page, next) = await engine.ListStudiesAsync(s => caller.CanSee(s.Name), after, size, context.CancellationToken);
        var response = new Wire.ListStudiesResponse();
        response.Studies.AddRange(page.Select(StudyMapper.ToProto));
        if (next is not null)
        {
            response.NextPageToken = EncodeToken(next);
        }

        return response;
    }

    public override async Task<Wire.DeleteStudyResponse> DeleteStudy(Wire.DeleteStudyRequest request, ServerCallContext context)
    {
        await engine.DeleteStudyAsync(request.Study, context.CancellationToken);
        return new Wire.DeleteStudyResponse();
    }

    public override async Task<Wire.AskResponse> Ask(Wire.AskRequest request, ServerCallContext context)
    {
        var v = new Violations();
        v.Check(request.WorkerId.Length is >= 1 and <= 128, "worker_id", "must be 1 to 128 characters");
        var count = request.Count == 0 ? 1 : request.Count;
        v.Check(count is >= 1 and <= MaxAskCount, "count", $"must be in [1, {MaxAskCount}], got {request.Count}");
        v.Check(request.RequestId.Length <= 128, "request_id", "must be at most 128 characters");
        var lease = TrialMapper.Lease(request.LeaseDuration, DefaultLease, "lease_duration", v);
        v.ThrowIfAny();
        var trials = await engine.AskAsync(request.Study, request.WorkerId, count, lease!.Value,
            request.RequestId.Length == 0 ? null : request.RequestId, context.CancellationToken);
        var response = new Wire.AskResponse();
        response.Trials.AddRange(trials.Select(TrialMapper.ToProto));
        return response;
    }

    public override async Task<Wire.Trial> Tell(Wire.TellRequest request, ServerCallContext context)
    {
        var v = new Violations();
        CheckNumber(request.TrialNumber, v);
        var state = TrialMapper.FinishedState(request.State, "state", v);
        v.Check(request.Reason.Length <= MaxReasonLength, "reason", $"must be at most {MaxReasonLength} characters");
        var attrs = new Dictionary<string, string>(request.UserAttrs);
        AttrValidator.Validate(attrs, "user_attrs", v);
        var suggested = TrialMapper.Suggested(request.Suggested, v);
        var compute = TrialMapper.Compute(request.Compute, "compute", v);
        v.ThrowIfAny();
        var trial = await engine.TellAsync(request.Study, request.StudyId, request.TrialNumber, state!.Value, request.Values.ToArray(), request.Reason, attrs, request.Retry,
            suggested, compute, context.CancellationToken);
        return TrialMapper.ToProto(trial);
    }

    public override async Task<Wire.SuggestResponse> Suggest(Wire.SuggestRequest request, ServerCallContext context)
    {
        var v = new Violations();
        CheckNumber(request.TrialNumber, v);
        v.Check(request.WorkerId.Length is >= 1 and <= 128, "worker_id", $"must be 1 to 128 characters, got {request.WorkerId.Length}");
        v.Check(Names.IsValid(request.Name), "name", Names.Rule);
        var distribution = SearchSpaceMapper.ToDomain(request.Distribution, "distribution", v);
        if (distribution is not null)
        {
            StudyValidator.ValidateDistribution(distribution, "distribution", v);
        }

        var suggested = TrialMapper.Suggested(request.Suggested, v);
        v.ThrowIfAny();
        var value = await engine.SuggestAsync(request.Study, request.StudyId, request.TrialNumber, request.WorkerId, request.Name, distribution!, suggested, context.CancellationToken);
        return new Wire.SuggestResponse { Value = ValueMapper.ToProto(value) };
    }

    public override async Task<Wire.ReportResponse> Report(Wire.ReportRequest request, ServerCallContext context)
    {
        var v = new Violations();
        CheckNumber(request.TrialNumber, v);
        v.Check(request.Step >= 0, "step", $"must be >= 0, got {request.Step}");
        v.Check(double.IsFinite(request.Value), "value", $"must be finite, got {request.Value}");
        v.Check(request.Checkpoint.Length <= MaxReasonLength, "checkpoint", $"must be at most {MaxReasonLength} characters");
        var lease = TrialMapper.Lease(request.LeaseDuration, null, "lease_duration", v);
        var suggested = TrialMapper.Suggested(request.Suggested, v);
        var compute = TrialMapper.Compute(request.Compute, "compute", v);
        v.ThrowIfAny();
        var outcome = await engine.ReportAsync(request.Study, request.StudyId, request.TrialNumber, request.Step, request.Value, lease, request.Checkpoint,
            suggested, compute, context.CancellationToken);
        var response = new Wire.ReportResponse
        {
            Decision = outcome.Prune ? Wire.Decision.Prune : outcome.Donor is null ? Wire.Decision.Continue : Wire.Decision.Exploit,
            LeaseDeadline = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(outcome.Deadline),
        };
        if (outcome.Donor is { } donor)
        {
            response.Exploit = new Wire.Exploit { DonorTrial = donor.Number, DonorCheckpoint = donor.Checkpoint };
            foreach (var (name, value) in outcome.NewParams!)
            {
                response.Exploit.Params[name] = ValueMapper.ToProto(value);
            }
        }

        return response;
    }

    public override async Task<Wire.HeartbeatResponse> Heartbeat(Wire.HeartbeatRequest request, ServerCallContext context)
    {
        var v = new Violations();
        CheckNumber(request.TrialNumber, v);
        var lease = TrialMapper.Lease(request.LeaseDuration, null, "lease_duration", v);
        v.ThrowIfAny();
        var deadline = await engine.HeartbeatAsync(request.Study, request.StudyId, request.TrialNumber, lease, context.CancellationToken);
        return new Wire.HeartbeatResponse { LeaseDeadline = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(deadline) };
    }

    public override async Task<Wire.EnqueueTrialResponse> EnqueueTrial(Wire.EnqueueTrialRequest request, ServerCallContext context)
    {
        var v = new Violations();
        var values = ValueMapper.ToDomain(request.Params, "params", v);
        v.ThrowIfAny();
        var length = await engine.EnqueueAsync(request.Study, values, new Dictionary<string, string>(request.UserAttrs), context.CancellationToken);
        return new Wire.EnqueueTrialResponse { QueueLength = length };
    }

    public override async Task<Wire.AddTrialsResponse> AddTrials(Wire.AddTrialsRequest request, ServerCallContext context)
    {
        var v = new Violations();
        v.Check(request.Trials.Count is >= 1 and <= MaxAddTrials, "trials", $"must hold 1 to {MaxAddTrials} trials, got {request.Trials.Count}");
        var trials = request.Trials.Select((t, i) => TrialMapper.FrozenToDomain(t, $"trials[{i}]", v)).ToList();
        v.ThrowIfAny();
        var response = new Wire.AddTrialsResponse();
        response.Numbers.AddRange(await engine.AddTrialsAsync(request.Study, trials, context.CancellationToken));
        return response;
    }

    public override async Task<Wire.Trial> GetTrial(Wire.GetTrialRequest request, ServerCallContext context)
    {
        var v = new Violations();
        CheckNumber(request.TrialNumber, v);
        v.ThrowIfAny();
        return TrialMapper.ToProto(await engine.GetTrialAsync(request.Study, request.TrialNumber, context.CancellationToken));
    }

    public override async Task<Wire.ListTrialsResponse> ListTrials(Wire.ListTrialsRequest request, ServerCallContext context)
    {
        var v = new Violations();
        var size = PageSize(request.PageSize, 1000, 10_000);
        var states = request.States.Select((s, i) => TrialMapper.AnyState(s, $"states[{i}]", v)).ToHashSet();
        long start = 0;
        v.Check(request.PageToken.Length == 0 || long.TryParse(DecodeToken(request.PageToken), NumberStyles.None, CultureInfo.InvariantCulture, out start),
            "page_token", "is not a token this service returned");
        v.ThrowIfAny();
        var (trials, cursor) = await engine.ListTrialsAsync(request.Study, context.CancellationToken);
        var response = new Wire.ListTrialsResponse { WatchCursor = cursor };
        var index = (int)Math.Min(start, trials.Count);
        var bytes = 0;
        for (; index < trials.Count && response.Trials.Count < size; index++)
        {
            if (states.Count == 0 || states.Contains(trials[index].State))
            {
                var trial = TrialMapper.ToSharedProto(trials[index]);
                bytes += CodedOutputStream.ComputeMessageSize(trial);
                if (bytes > MaxPageBytes && response.Trials.Count > 0)
                {
                    break;
                }

                response.Trials.Add(trial);
            }
        }

        if (index < trials.Count)
        {
            response.NextPageToken = EncodeToken(index.ToString(CultureInfo.InvariantCulture));
        }

        return response;
    }

    public override async Task<Wire.GetBestTrialsResponse> GetBestTrials(Wire.GetBestTrialsRequest request, ServerCallContext context)
    {
        var (best, hypervolume) = await engine.BestTrialsAsync(request.Study, request.ReferencePoint.Count > 0 ? request.ReferencePoint.ToArray() : null, context.CancellationToken);
        var response = new Wire.GetBestTrialsResponse();
        response.Trials.AddRange(best.Select(TrialMapper.ToProto));
        if (hypervolume is { } hv)
        {
            response.Hypervolume = hv;
        }

        return response;
    }

    public override async Task WatchStudy(Wire.WatchStudyRequest request, IServerStreamWriter<Wire.TrialEvent> responseStream, ServerCallContext context)
    {
        if (request.Cursor.Length > 0 && !long.TryParse(request.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw TunerException.Invalid("cursor", "is not a cursor this service returned");
        }

        var cursor = request.Cursor.Length == 0 ? null : request.Cursor;
        // A watch never ends by itself: a stopping server ends it, or it would hold SIGTERM for the whole shutdown grace;
        // so does the revocation of its key, which the store announces to every replica.
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        using var revocation = RevocationWatch.Start(authenticator, context, watching);
        try
        {
            await foreach (var e in engine.WatchAsync(request.Study, cursor, options.WatchPollInterval, watching.Token))
            {
                cursor = e.Cursor;
                await responseStream.WriteAsync(new Wire.TrialEvent { Cursor = e.Cursor, Trial = TrialMapper.ToProto(e.Trial) }, watching.Token);
            }
        }
        // A stopping host may cancel the call too: the shutdown is checked first, so that a watcher still
        // there learns to resume elsewhere instead of seeing its watch end as if complete.
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"this replica is shutting down: resume the watch from cursor '{cursor}' on another replica"));
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher went away; that is how a watch ends.
        }
        catch (OperationCanceledException) when (revocation.Revoked)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the API key of this watch was revoked"));
        }
    }

    private static void CheckNumber(long number, Violations v) => v.Check(number >= 0, "trial_number", $"must be >= 0, got {number}");

    private static int PageSize(int requested, int fallback, int max)
    {
        if (requested < 0 || requested > max)
        {
            throw TunerException.Invalid("page_size", $"must be in [0, {max}], got {requested}");
        }

        return requested == 0 ? fallback : requested;
    }

    private static string EncodeToken(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    private static string DecodeToken(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw TunerException.Invalid("page_token", "is not a token this service returned");
        }
    }
}
