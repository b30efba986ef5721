using System.Diagnostics;
using System.Diagnostics.Metrics;
using GrpcTuner.Core.Domain;

namespace GrpcTuner.Server.Telemetry;

/// <summary>
/// The server's meters and trace source, one name for both ("GrpcTuner.Server"). Trial counts are
/// transitions counted by the replica that made them, so a Prometheus sum over replicas is the
/// study-wide rate; no replica ever scans all studies to report a gauge.
/// </summary>
public sealed class TunerTelemetry : IDisposable
{
    public const string Name = "GrpcTuner.Server";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _trials;
    private readonly Counter<long> _leaseExpiries;
    private readonly Histogram<double> _samplingDuration;

    public TunerTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        _requests = _meter.CreateCounter<long>("grpctuner.requests", description: "RPCs answered, by method and status code");
        _requestDuration = _meter.CreateHistogram<double>("grpctuner.request.duration", unit: "s", description: "Time to answer an RPC, by method and status code",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _trials = _meter.CreateCounter<long>("grpctuner.trials", description: "Trials that entered a state (running, complete, pruned, fail), counted by the replica that moved them");
        _leaseExpiries = _meter.CreateCounter<long>("grpctuner.lease.expiries", description: "Running trials failed because their lease ran out");
        _samplingDuration = _meter.CreateHistogram<double>("grpctuner.sampling.duration", unit: "s", description: "Time the sampler spent suggesting the trials of one Ask, by sampler",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] });
    }

    /// <summary>Spans for Ask and Tell, and for the sampling inside Ask.</summary>
    public static ActivitySource Traces { get; } = new(Name);

    public void Request(string method, string status, TimeSpan elapsed)
    {
        var tags = new TagList { { "rpc", method }, { "status", status } };
        _requests.Add(1, tags);
        _requestDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void Entered(TrialState state, int count = 1) => _trials.Add(count, new KeyValuePair<string, object?>("state", state.Label()));

    public void LeaseExpired() => _leaseExpiries.Add(1);

    public void Sampled(SamplerKind sampler, TimeSpan elapsed) =>
        _samplingDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("sampler", sampler.ToString().ToLowerInvariant()));

    public void Dispose() => _meter.Dispose();
}
