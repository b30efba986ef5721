using Google.Protobuf.WellKnownTypes;
using GrpcTuner.Core.Access;
using Wire = GrpcTuner.V1;

namespace GrpcTuner.Server.Mapping;

/// <summary>API keys between the domain and the wire; the wire never carries a hash.</summary>
internal static class ApiKeyMapper
{
    public static Wire.ApiKey ToProto(ApiKey k)
    {
        var proto = new Wire.ApiKey
        {
            Id = k.Id,
            Role = (Wire.Role)k.Role,
            Description = k.Description,
            CreateTime = Timestamp.FromDateTimeOffset(k.CreatedAt),
        };
        proto.Namespaces.AddRange(k.Namespaces);
        if (k.RevokedAt is { } revoked)
        {
            proto.RevokeTime = Timestamp.FromDateTimeOffset(revoked);
        }

        return proto;
    }
}
