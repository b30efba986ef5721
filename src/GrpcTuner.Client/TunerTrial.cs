using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using GrpcTuner.V1;

namespace GrpcTuner.Client;

/// <summary>
/// A running trial. A background loop renews its lease at a third of the lease length until the
/// trial is told or disposed, so long training steps between reports do not lose it.
/// </summary>
public sealed class TunerTrial : IAsyncDisposable
{
    private readonly TunerClient _client;
    private readonly string _study;

    // The study's incarnation: a call for a study deleted and created again under its name is NOT_FOUND, not the new study's.
    private readonly string _studyId;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeats;

    internal TunerTrial(TunerClient client, Study study, Trial trial)
    {
        _client = client;
        _study = study.Name;
        _studyId = study.StudyId;
        Info = trial;
        _heartbeats = Task.Run(HeartbeatLoopAsync);
    }

    public Trial Info { get; }

    public long Number => Info.Number;

    public IReadOnlyDictionary<string, ParamValue> Params => Info.Params;

    public double GetDouble(string name) => Get(name).KindCase switch
    {
        ParamValue.KindOneofCase.FloatValue => Get(name).FloatValue,
        ParamValue.KindOneofCase.IntValue => Get(name).IntValue,
        _ => throw new InvalidOperationException($"parameter '{name}' is not a number"),
    };

    public long GetInt(string name) => Get(name).IntValue;

    public string GetString(string name) => Get(name).StringValue;

    public bool GetBool(string name) => Get(name).BoolValue;

    /// <summary>Reports an intermediate value; true means the pruner says stop (then tell PRUNED).</summary>
    public async Task<bool> ReportAsync(long step, double value, CancellationToken ct = default) =>
        (await ReportAsync(step, value, "", ct).ConfigureAwait(false)).Decision == Decision.Prune;

    /// <summary>
    /// Reports an intermediate value and where this step's checkpoint is, and returns the whole
    /// decision: CONTINUE, PRUNE, or (PBT) EXPLOIT with the donor's checkpoint and the new params.
    /// </summary>
    public Task<ReportResponse> ReportAsync(long step, double value, string checkpoint, CancellationToken ct = default) =>
        _client.Raw.ReportAsync(new ReportRequest { Study = _study, StudyId = _studyId, TrialNumber = Number, Step = step, Value = value, Checkpoint = checkpoint }, cancellationToken: ct).ResponseAsync;

    /// <summary>Finishes the trial; repeating the same call is harmless. <paramref name="retry"/> re-queues the params of a FAIL; <paramref name="attributes"/> are added to the trial's user attributes.</summary>
    public async Task<Trial> TellAsync(TrialState state, IReadOnlyList<double> values, string reason = "", bool retry = false, CancellationToken ct = default,
        IReadOnlyDictionary<string, string>? attributes = null)
    {
        await StopHeartbeatsAsync().ConfigureAwait(false);
        var request = new TellRequest { Study = _study, StudyId = _studyId, TrialNumber = Number, State = state, Reason = reason, Retry = retry };
        request.Values.AddRange(values);
        foreach (var (key, value) in attributes ?? new Dictionary<string, string>())
        {
            request.UserAttrs[key] = value;
        }

        return await _client.Raw.TellAsync(request, cancellationToken: ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopHeartbeatsAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private ParamValue Get(string name) =>
        Info.Params.TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"trial {Number} has no parameter '{name}'");

    private async Task StopHeartbeatsAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await _heartbeats.ConfigureAwait(false);
    }

    private async Task HeartbeatLoopAsync()
    {
        var interval = _client.Options.Lease / 3;
        while (!_stop.IsCancellationRequested)
        {
            // Stopping is the common end of every trial: wake without an exception (costly at thousands of trials a second).
            await Task.Delay(interval, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await _client.Raw.HeartbeatAsync(new HeartbeatRequest { Study = _study, StudyId = _studyId, TrialNumber = Number, LeaseDuration = Duration.FromTimeSpan(_client.Options.Lease) },
                    cancellationToken: _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Cancelled or StatusCode.FailedPrecondition or StatusCode.NotFound)
            {
                // Told, or no longer running: nothing is left to keep alive.
                return;
            }
            catch (RpcException)
            {
                // The server is unreachable for now; the next beat may get through before the lease ends.
            }
        }
    }
}
