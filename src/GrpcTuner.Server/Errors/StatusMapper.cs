using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using GrpcTuner.Core.Errors;

namespace GrpcTuner.Server.Errors;

/// <summary>
/// The one table from domain errors to gRPC statuses. Field violations travel as a
/// google.rpc.BadRequest in the rich status, so clients can show every field at once.
/// </summary>
internal static class StatusMapper
{
    public static StatusCode ToCode(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        ErrorKind.NotFound => StatusCode.NotFound,
        ErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        ErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        ErrorKind.OutOfRange => StatusCode.OutOfRange,
        ErrorKind.Unavailable => StatusCode.Unavailable,
        ErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        ErrorKind.PermissionDenied => StatusCode.PermissionDenied,
        _ => StatusCode.Unknown,
    };

    public static RpcException ToRpcException(TunerException e)
    {
        var status = new Google.Rpc.Status { Code = (int)ToCode(e.Kind), Message = e.Message };
        if (e.Violations.Count > 0)
        {
            var badRequest = new BadRequest();
            badRequest.FieldViolations.AddRange(e.Violations.Select(v => new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }));
            status.Details.Add(Any.Pack(badRequest));
        }

        return status.ToRpcException();
    }
}
