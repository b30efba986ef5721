using Google.Rpc;
using Grpc.Core;

namespace GrpcTuner.Client;

/// <summary>Reads the details the server puts in its error statuses.</summary>
public static class RpcErrors
{
    /// <summary>The fields an INVALID_ARGUMENT names, as (field, description).</summary>
    public static IReadOnlyList<(string Field, string Description)> FieldViolations(this RpcException e) =>
        e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => (v.Field, v.Description)).ToList() ?? [];
}
