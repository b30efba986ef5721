using GrpcTuner.Core.Errors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GrpcTuner.Server.Engine;

/// <summary>
/// Fails trials whose lease ran out, on every replica; the store's conditional update makes each
/// expiry happen once however many replicas reap at the same moment.
/// </summary>
internal sealed class LeaseReaper(StudyEngine engine, ServerOptions options, TimeProvider time, ILogger<LeaseReaper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ReapInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var reaped = await engine.ReapAsync(stoppingToken).ConfigureAwait(false);
                if (reaped > 0)
                {
                    ServerLog.Reaped(logger, reaped);
                }
            }
            catch (TunerException e)
            {
                // The store is unreachable for now: a line says so; a trace would tell an operator nothing more.
                ServerLog.ReapFailed(logger, e.Message, options.ReapInterval);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ServerLog.UnexpectedError(logger, "lease reaping", e);
            }
        }
    }
}
