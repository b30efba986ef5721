using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using GrpcTuner.Client;
using GrpcTuner.V1;

namespace GrpcTuner.Testing;

/// <summary>
/// Workers in a loop of Ask then Tell (value = a function of the trial number), recording every
/// Tell the server acknowledged, every trial number Ask handed out, every refusal by status, and
/// when each acknowledgement came, so a test can check what survived a fault and what came after it.
/// </summary>
public sealed class AskTellLoad
{
    private readonly ConcurrentDictionary<long, double> _acknowledged = new();
    private readonly ConcurrentDictionary<long, string> _askedBy = new();
    private readonly ConcurrentQueue<(long Number, string Worker)> _duplicates = new();
    private readonly ConcurrentDictionary<StatusCode, int> _errors = new();
    private readonly ConcurrentQueue<(TimeSpan At, string Worker)> _acks = new();
    private readonly ConcurrentQueue<(TimeSpan At, double Ms)> _latencies = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public IReadOnlyDictionary<long, double> Acknowledged => _acknowledged;

    public IReadOnlyCollection<(long Number, string Worker)> DuplicateNumbers => _duplicates;

    public IReadOnlyDictionary<StatusCode, int> Errors => _errors;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Every Ask and Tell acknowledged after <paramref name="since"/> (time since the load started), in milliseconds.</summary>
    public IEnumerable<double> LatenciesMsAfter(TimeSpan since) => _latencies.Where(l => l.At > since).Select(l => l.Ms);

    /// <summary>Tells acknowledged after <paramref name="since"/>.</summary>
    public int AcknowledgedAfter(TimeSpan since) => _acks.Count(a => a.At > since);

    public static double ValueOf(long number) => (number % 97) / 97.0;

    /// <summary>Workers that had a Tell acknowledged after <paramref name="since"/> (time since the load started).</summary>
    public int WorkersAcknowledgedAfter(TimeSpan since) => _acks.Where(a => a.At > since).Select(a => a.Worker).Distinct().Count();

    /// <summary>Runs <paramref name="workers"/> workers until <paramref name="ct"/> is cancelled.</summary>
    /// <param name="think">Pause between Ask and Tell, as training would take.</param>
    /// <param name="rampUp">Workers start evenly spread over this time, as machines of a cluster come up, not in one instant.</param>
    public Task RunAsync(Func<string, TunerClient> connect, string study, int workers, TimeSpan think, CancellationToken ct, TimeSpan rampUp = default) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(i => Task.Run(
            () => WorkerAsync(connect, $"load-{i}", study, think, rampUp * i / workers, ct), CancellationToken.None)));

    private async Task WorkerAsync(Func<string, TunerClient> connect, string worker, string study, TimeSpan think, TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using (var client = connect(worker))
        {
            TunerStudy? handle = null;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    handle ??= await client.LoadStudyAsync(study, ct);
                    var started = Stopwatch.GetTimestamp();
                    await using var trial = await handle.AskAsync(ct);
                    _latencies.Enqueue((_clock.Elapsed, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                    if (!_askedBy.TryAdd(trial.Number, worker))
                    {
                        _duplicates.Enqueue((trial.Number, worker));
                    }

                    if (think > TimeSpan.Zero)
                    {
                        await Task.Delay(think, ct);
                    }

                    var value = ValueOf(trial.Number);
                    started = Stopwatch.GetTimestamp();
                    await trial.TellAsync(TrialState.Complete, [value]);
                    _latencies.Enqueue((_clock.Elapsed, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                    _acknowledged[trial.Number] = value;
                    _acks.Enqueue((_clock.Elapsed, worker));
                }
                catch (RpcException e) when (!ct.IsCancellationRequested)
                {
                    _errors.AddOrUpdate(e.StatusCode, 1, (_, n) => n + 1);
                    await Task.Delay(50, CancellationToken.None);
                }
                catch (Exception) when (ct.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }
}
