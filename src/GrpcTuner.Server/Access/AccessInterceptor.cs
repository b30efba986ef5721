using Grpc.Core;
using Grpc.Core.Interceptors;
using GrpcTuner.Core.Access;
using GrpcTuner.Core.Errors;
using GrpcTuner.V1;

namespace GrpcTuner.Server.Access;

/// <summary>
/// Authenticates every guarded call, checks the method's role, and checks that each study the
/// request names is in one of the caller's namespaces. A study elsewhere is NOT_FOUND with the
/// very message of a missing one, so a key cannot learn what other namespaces hold.
/// </summary>
internal sealed class AccessInterceptor(KeyAuthenticator authenticator) : Interceptor
{
    private const string PrincipalKey = "grpctuner.principal";

    /// <summary>The caller of a guarded call, as this interceptor admitted it.</summary>
    public static Principal PrincipalOf(ServerCallContext context) =>
        FindPrincipal(context) ?? throw new InvalidOperationException("the call passed no access check");

    /// <summary>The caller, or null for a call no access check admitted (authentication off admits every call as root).</summary>
    public static Principal? FindPrincipal(ServerCallContext context) =>
        context.UserState.TryGetValue(PrincipalKey, out var p) ? (Principal)p : null;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AdmitAsync(request, context).ConfigureAwait(false);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AdmitAsync(request, context).ConfigureAwait(false);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    private async Task AdmitAsync(object request, ServerCallContext context)
    {
        if (!MethodRoles.IsGuarded(context.Method))
        {
            return;
        }

        var role = MethodRoles.For(context.Method);
        // Key management must never act on a revoked key a cache still holds, whichever replica revoked it.
        var principal = await authenticator.AuthenticateAsync(context.RequestHeaders.GetValue("authorization"), context.CancellationToken, fresh: role == Core.Access.Role.Admin).ConfigureAwait(false);
        if (!principal.Has(role))
        {
            throw new TunerException(ErrorKind.PermissionDenied, $"{context.Method.TrimStart('/')} needs the {role.ToString().ToLowerInvariant()} role; this key has {principal.Role.ToString().ToLowerInvariant()}");
        }

        if (request is IStudyScoped scoped)
        {
            foreach (var study in scoped.ScopedStudies)
            {
                if (principal.CanSee(study))
                {
                    continue;
                }

                throw request is CreateStudyRequest created && created.Name == study
                    ? new TunerException(ErrorKind.PermissionDenied, $"this key cannot create studies in namespace '{Namespace.Of(study)}'")
                    : TunerException.StudyNotFound(study);
            }
        }

        context.UserState[PrincipalKey] = principal;
    }
}
