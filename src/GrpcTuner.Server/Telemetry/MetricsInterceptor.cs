using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrpcTuner.Server.Telemetry;

/// <summary>Counts and times every RPC by method and final status; outermost, so it sees the status the caller gets.</summary>
internal sealed class MetricsInterceptor(TunerTelemetry telemetry) : Interceptor
{
    // "/grpctuner.v1.TunerService/Ask" -> "Ask": few distinct values, so the label stays cheap; cut once per method.
    private static readonly ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        MeasureAsync(context, () => continuation(request, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        MeasureAsync(context, async () =>
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return true;
        });

    private async Task<T> MeasureAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var status = StatusCode.Unknown;
        try
        {
            var result = await call().ConfigureAwait(false);
            status = StatusCode.OK;
            return result;
        }
        catch (RpcException e)
        {
            status = e.StatusCode;
            throw;
        }
        finally
        {
            var name = Names.GetOrAdd(context.Method, m => m[(m.LastIndexOf('/') + 1)..]);
            telemetry.Request(name, status.ToString(), Stopwatch.GetElapsedTime(started));
        }
    }
}
