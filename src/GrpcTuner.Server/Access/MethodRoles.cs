using GrpcTuner.Core.Access;

namespace GrpcTuner.Server.Access;

/// <summary>The role each RPC needs. A method missing here needs admin: new methods are closed until someone decides.</summary>
internal static class MethodRoles
{
    private static readonly Dictionary<string, Role> Roles = new(StringComparer.Ordinal)
    {
        ["/grpctuner.v1.TunerService/GetStudy"] = Role.Read,
        ["/grpctuner.v1.TunerService/ListStudies"] = Role.Read,
        ["/grpctuner.v1.TunerService/GetTrial"] = Role.Read,
        ["/grpctuner.v1.TunerService/ListTrials"] = Role.Read,
        ["/grpctuner.v1.TunerService/GetBestTrials"] = Role.Read,
        ["/grpctuner.v1.TunerService/WatchStudy"] = Role.Read,
        ["/grpctuner.v1.TunerService/RecommendConfigurations"] = Role.Read,
        ["/grpctuner.v1.TunerService/CreateStudy"] = Role.Write,
        ["/grpctuner.v1.TunerService/Ask"] = Role.Write,
        ["/grpctuner.v1.TunerService/Tell"] = Role.Write,
        ["/grpctuner.v1.TunerService/Report"] = Role.Write,
        ["/grpctuner.v1.TunerService/Suggest"] = Role.Write,
        ["/grpctuner.v1.TunerService/Heartbeat"] = Role.Write,
        ["/grpctuner.v1.TunerService/EnqueueTrial"] = Role.Write,
        ["/grpctuner.v1.TunerService/AddTrials"] = Role.Write,
        ["/grpctuner.v1.TunerService/DeleteStudy"] = Role.Admin,
    };

    /// <summary>Whether the method belongs to a service that needs a key at all (health and reflection do not).</summary>
    public static bool IsGuarded(string method) =>
        method.StartsWith("/grpctuner.v1.TunerService/", StringComparison.Ordinal) || method.StartsWith("/grpctuner.v1.AdminService/", StringComparison.Ordinal);

    public static Role For(string method) => Roles.GetValueOrDefault(method, Role.Admin);
}
