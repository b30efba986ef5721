using Grpc.Core;
using GrpcTuner.Core.Access;
using GrpcTuner.Core.Errors;
using GrpcTuner.Core.Validation;
using GrpcTuner.Server.Access;
using GrpcTuner.Server.Mapping;
using GrpcTuner.Storage;
using Wire = GrpcTuner.V1;

namespace GrpcTuner.Server.Services;

/// <summary>
/// API key management. The access interceptor has admitted only admins; here each admin is kept
/// to its own namespaces: it creates, sees and revokes only keys that reach no further than it does.
/// </summary>
internal sealed class AdminGrpcService(IKeyStore keys, KeyAuthenticator authenticator, TimeProvider clock) : Wire.AdminService.AdminServiceBase
{
    private const int MaxNamespaces = 64;
    private const int MaxDescription = 256;

    public override async Task<Wire.CreateApiKeyResponse> CreateApiKey(Wire.CreateApiKeyRequest request, ServerCallContext context)
    {
        var caller = AccessInterceptor.PrincipalOf(context);
        var v = new Violations();
        v.Check(request.Namespaces.Count is >= 1 and <= MaxNamespaces, "namespaces", $"must name 1 to {MaxNamespaces} namespaces, got {request.Namespaces.Count}");
        for (var i = 0; i < request.Namespaces.Count; i++)
        {
            var ns = request.Namespaces[i];
            if (ns == Namespace.All)
            {
                v.Check(caller.ReachesEverything, $"namespaces[{i}]", "'*' (every namespace) needs a caller that reaches every namespace");
            }
            else if (v.Check(Namespace.Problem(ns) is null, $"namespaces[{i}]", Namespace.Problem(ns) ?? ""))
            {
                v.Check(caller.Reaches(ns), $"namespaces[{i}]", $"'{ns}' is not among the caller's namespaces");
            }
        }

        v.Check(request.Role is Wire.Role.Read or Wire.Role.Write or Wire.Role.Admin, "role", $"must be ROLE_READ, ROLE_WRITE or ROLE_ADMIN, got {request.Role}");
        v.Check(request.Description.Length <= MaxDescription, "description", $"must be at most {MaxDescription} characters");
        v.ThrowIfAny();

        var (id, secret) = ApiKeySecret.Generate();
        var key = new ApiKey(id, ApiKeySecret.Hash(secret), request.Namespaces.Distinct(StringComparer.Ordinal).ToList(), (Role)request.Role, request.Description, clock.GetUtcNow());
        await keys.CreateKeyAsync(key, context.CancellationToken);
        return new Wire.CreateApiKeyResponse { Key = ApiKeyMapper.ToProto(key), Secret = secret };
    }

    public override async Task<Wire.ListApiKeysResponse> ListApiKeys(Wire.ListApiKeysRequest request, ServerCallContext context)
    {
        var caller = AccessInterceptor.PrincipalOf(context);
        var response = new Wire.ListApiKeysResponse();
        response.Keys.AddRange((await keys.ListKeysAsync(context.CancellationToken)).Where(k => Within(caller, k)).Select(ApiKeyMapper.ToProto));
        return response;
    }

    public override async Task<Wire.ApiKey> RevokeApiKey(Wire.RevokeApiKeyRequest request, ServerCallContext context)
    {
        var caller = AccessInterceptor.PrincipalOf(context);
        var v = new Violations();
        v.Check(request.Id.Length is >= 1 and <= 64, "id", "must be 1 to 64 characters");
        v.ThrowIfAny();
        var notFound = new TunerException(ErrorKind.NotFound, $"API key '{request.Id}' does not exist");
        var key = await keys.FindKeyAsync(request.Id, context.CancellationToken) ?? throw notFound;
        if (!Within(caller, key))
        {
            throw notFound;
        }

        var revoked = await keys.RevokeKeyAsync(request.Id, clock.GetUtcNow(), context.CancellationToken) ?? throw notFound;
        authenticator.Forget(request.Id);
        return ApiKeyMapper.ToProto(revoked);
    }

    /// <summary>A key the caller may see and revoke: one that reaches nothing the caller does not.</summary>
    private static bool Within(Principal caller, ApiKey key) =>
        caller.ReachesEverything || (!key.Namespaces.Contains(Namespace.All) && key.Namespaces.All(caller.Reaches));
}
