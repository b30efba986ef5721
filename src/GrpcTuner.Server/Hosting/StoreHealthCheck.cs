using GrpcTuner.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GrpcTuner.Server.Hosting;

/// <summary>The replica is healthy while its store can serve: Redis answers a PING, the journal's last write succeeded.</summary>
internal sealed class StoreHealthCheck(IStudyStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.ProbeAsync(cancellationToken).ConfigureAwait(false) is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy();
}
