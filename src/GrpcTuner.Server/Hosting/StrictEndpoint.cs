using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace GrpcTuner.Server.Hosting;

/// <summary>
/// The gRPC endpoint of a service implementation, bound so that a request whose bytes are not the
/// message they claim to be is INVALID_ARGUMENT. Bound the default way, grpc-dotnet lets the
/// parse error escape as UNKNOWN "Exception was thrown by handler", which tells a client nothing
/// and reads as a server bug.
/// </summary>
public sealed class StrictEndpoint<TImpl>(TImpl impl)
    where TImpl : class
{
    public TImpl Impl { get; } = impl;
}

/// <summary>Adds every method that a generated <c>BindService</c> declares, with strict request parsing, calling <typeparamref name="TImpl"/>'s method of the same name.</summary>
internal sealed class StrictMethodProvider<TImpl>(Action<ServiceBinderBase> bind) : IServiceMethodProvider<StrictEndpoint<TImpl>>
    where TImpl : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<StrictEndpoint<TImpl>> context) => bind(new Binder(context));

    private static Method<TRequest, TResponse> Strict<TRequest, TResponse>(Method<TRequest, TResponse> method)
    {
        var parse = method.RequestMarshaller.ContextualDeserializer;
        var request = Marshallers.Create(method.RequestMarshaller.ContextualSerializer, c =>
        {
            try
            {
                return parse(c);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the request is not a valid {typeof(TRequest).Name} message: {e.Message}"));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, request, method.ResponseMarshaller);
    }

    private static T Implementation<T>(string name)
        where T : Delegate =>
        typeof(TImpl).GetMethod(name, BindingFlags.Public | BindingFlags.Instance)?.CreateDelegate<T>()
            ?? throw new InvalidOperationException($"{typeof(TImpl).Name} does not implement {name}");

    private sealed class Binder(ServiceMethodProviderContext<StrictEndpoint<TImpl>> context) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var call = Implementation<Func<TImpl, TRequest, ServerCallContext, Task<TResponse>>>(method.Name);
            context.AddUnaryMethod(Strict(method), [], (endpoint, request, c) => call(endpoint.Impl, request, c));
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var call = Implementation<Func<TImpl, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(method.Name);
            context.AddServerStreamingMethod(Strict(method), [], (endpoint, request, stream, c) => call(endpoint.Impl, request, stream, c));
        }
    }
}
