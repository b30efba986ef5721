using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using GrpcTuner.V1;

namespace GrpcTuner.Client;

/// <summary>
/// A running trial. A background loop renews its lease at a third of the lease length until the
/// trial is told or disposed, so long training steps between reports do not lose it. Define-by-run:
/// Suggest* gives a parameter as the objective asks for it; a value the server proposed for that
/// distribution is taken without a call and recorded with the next call. One trial is not for
/// several threads at once.
/// </summary>
public sealed class TunerTrial : IAsyncDisposable
{
    private readonly TunerClient _client;
    private readonly string _study;

    // The study's incarnation: a call for a study deleted and created again under its name is NOT_FOUND, not the new study's.
    private readonly string _studyId;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeats;

    // What this trial's objective was given, by name, and the proposals taken since the last call.
    private readonly Dictionary<string, (Distribution Distribution, ParamValue Value)> _suggested = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Distribution> _taken = new(StringComparer.Ordinal);

    internal TunerTrial(TunerClient client, Study study, Trial trial)
    {
        _client = client;
        _study = study.Name;
        _studyId = study.StudyId;
        Info = trial;
        _heartbeats = Task.Run(HeartbeatLoopAsync);
    }

    public Trial Info { get; }

    /// <summary>What the trial cost so far (totals); when set, it goes with every Report and the Tell.</summary>
    public Compute? Compute { get; set; }

    public long Number => Info.Number;

    /// <summary>The declared parameters, and those suggested so far.</summary>
    public IReadOnlyDictionary<string, ParamValue> Params =>
        _suggested.Count == 0 ? Info.Params : Info.Params.Concat(_suggested.Where(s => !Info.Params.ContainsKey(s.Key)).Select(s => KeyValuePair.Create(s.Key, s.Value.Value))).ToDictionary();

    /// <summary>A float parameter in [low, high], on a log scale or a step grid, as Optuna's suggest_float.</summary>
    public async Task<double> SuggestFloatAsync(string name, double low, double high, double? step = null, bool log = false, CancellationToken ct = default)
    {
        var f = new FloatDistribution { Low = low, High = high, Log = log };
        if (step is { } s)
        {
            f.Step = s;
        }

        return (await SuggestAsync(name, new Distribution { Float = f }, ct).ConfigureAwait(false)).FloatValue;
    }

    /// <summary>An int parameter in [low, high] on a step grid, optionally on a log scale, as Optuna's suggest_int.</summary>
    public async Task<long> SuggestIntAsync(string name, long low, long high, long step = 1, bool log = false, CancellationToken ct = default) =>
        (await SuggestAsync(name, new Distribution { Int = new IntDistribution { Low = low, High = high, Step = step, Log = log } }, ct).ConfigureAwait(false)).IntValue;

    /// <summary>One of <paramref name="choices"/>, as Optuna's suggest_categorical.</summary>
    public Task<ParamValue> SuggestCategoricalAsync(string name, IEnumerable<ParamValue> choices, CancellationToken ct = default)
    {
        var c = new CategoricalDistribution();
        c.Choices.AddRange(choices);
        return SuggestAsync(name, new Distribution { Categorical = c }, ct);
    }

    /// <summary>The value of a parameter for a distribution: the one given before, a proposal made for it, or a new one from the server.</summary>
    public async Task<ParamValue> SuggestAsync(string name, Distribution distribution, CancellationToken ct = default)
    {
        if (_suggested.TryGetValue(name, out var known) && known.Distribution.Equals(distribution))
        {
            return known.Value;
        }

        if (!_suggested.ContainsKey(name) && !Info.Params.ContainsKey(name) && Info.Proposals.TryGetValue(name, out var proposal) && distribution.Equals(proposal.Distribution))
        {
            _taken[name] = distribution;
            _suggested[name] = (distribution, proposal.Value);
            return proposal.Value;
        }

        var request = new SuggestRequest { Study = _study, StudyId = _studyId, TrialNumber = Number, WorkerId = _client.Options.WorkerId, Name = name, Distribution = distribution, Suggested = Taken() };
        var value = (await _client.Raw.SuggestAsync(request, cancellationToken: ct).ConfigureAwait(false)).Value;
        _taken.Clear();
        _suggested[name] = (distribution, value);
        return value;
    }

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
    public async Task<ReportResponse> ReportAsync(long step, double value, string checkpoint, CancellationToken ct = default)
    {
        var request = new ReportRequest { Study = _study, StudyId = _studyId, TrialNumber = Number, Step = step, Value = value, Checkpoint = checkpoint, Suggested = Taken(), Compute = Compute };
        var response = await _client.Raw.ReportAsync(request, cancellationToken: ct).ConfigureAwait(false);
        _taken.Clear();
        return response;
    }

    /// <summary>Finishes the trial; repeating the same call is harmless. <paramref name="retry"/> re-queues the params of a FAIL; <paramref name="attributes"/> are added to the trial's user attributes.</summary>
    public async Task<Trial> TellAsync(TrialState state, IReadOnlyList<double> values, string reason = "", bool retry = false, CancellationToken ct = default,
        IReadOnlyDictionary<string, string>? attributes = null)
    {
        await StopHeartbeatsAsync().ConfigureAwait(false);
        var request = new TellRequest { Study = _study, StudyId = _studyId, TrialNumber = Number, State = state, Reason = reason, Retry = retry, Suggested = Taken(), Compute = Compute };
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
        Info.Params.TryGetValue(name, out var v) ? v
        : _suggested.TryGetValue(name, out var s) ? s.Value
        : throw new KeyNotFoundException($"trial {Number} has no parameter '{name}'");

    private SuggestedParams? Taken()
    {
        if (_taken.Count == 0)
        {
            return null;
        }

        var taken = new SuggestedParams();
        taken.Params.Add(_taken);
        return taken;
    }

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
