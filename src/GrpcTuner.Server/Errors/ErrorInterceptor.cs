using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcTuner.Core.Errors;
using Microsoft.Extensions.Logging;

namespace GrpcTuner.Server.Errors;

/// <summary>Turns domain errors into their statuses at the request boundary; anything else is a bug and is logged as one.</summary>
internal sealed class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } rpc)
        {
            throw rpc;
        }
    }

    private RpcException? Translate(Exception e, ServerCallContext context)
    {
        switch (e)
        {
            case TunerException te:
                ServerLog.RequestFailed(logger, context.Method, te.Kind, te.Message);
                return StatusMapper.ToRpcException(te);
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
            case RpcException:
                return null;
            default:
                ServerLog.UnexpectedError(logger, context.Method, e);
                return null;
        }
    }
}
