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

    /// <summary>Violations carried in full; a request with thousands of bad fields gets the first ones and a count.</summary>
    public const int MaxViolations = 100;

    /// <summary>
    /// Status text travels in an HTTP/2 trailer, and clients refuse response headers over 64 KiB
    /// (then they see UNAVAILABLE, not the error), so the message is kept well under that.
    /// </summary>
    public const int MaxMessageLength = 4096;

    public static RpcException ToRpcException(TunerException e)
    {
        var violations = e.Violations.Take(MaxViolations).ToList();
        var message = e.Violations.Count > MaxViolations
            ? $"{string.Join("; ", violations.Take(10).Select(v => $"{v.Field}: {v.Description}"))}; and {e.Violations.Count - 10} more"
            : e.Message;
        var status = new Google.Rpc.Status { Code = (int)ToCode(e.Kind), Message = Truncate(message, MaxMessageLength) };
        if (violations.Count > 0)
        {
            var badRequest = new BadRequest();
            badRequest.FieldViolations.AddRange(violations.Select(v => new BadRequest.Types.FieldViolation { Field = Truncate(v.Field, 256), Description = Truncate(v.Description, 256) }));
            status.Details.Add(Any.Pack(badRequest));
        }

        return status.ToRpcException();
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");
}
