using System.Buffers;
using System.Buffers.Binary;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace GrpcTuner.Server.Hosting;

/// <summary>
/// Checks that the body of a call to our services is exactly one well-formed gRPC message before
/// grpc-dotnet reads it: every method takes one request message. A malformed body (cut short, a
/// length that lies, trailing bytes, a compressed flag with no encoding) is the caller's error and
/// gets INVALID_ARGUMENT; grpc-dotnet would answer UNKNOWN or INTERNAL, which read as server bugs.
/// </summary>
internal sealed class GrpcFrameGuard(RequestDelegate next, ServerOptions options)
{
    private const int HeaderLength = 5;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true
            || request.Path.Value?.StartsWith("/grpctuner.v1.", StringComparison.Ordinal) != true)
        {
            await next(context);
            return;
        }

        // Read the whole body without consuming it: grpc-dotnet then reads the same buffered bytes, with no copy.
        var reader = request.BodyReader;
        var result = await reader.ReadAsync(context.RequestAborted);
        while (!result.IsCompleted && result.Buffer.Length <= options.MaxRequestBytes + HeaderLength)
        {
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await reader.ReadAsync(context.RequestAborted);
        }

        var body = result.Buffer;
        reader.AdvanceTo(body.Start, body.End);
        if (body.Length > options.MaxRequestBytes + HeaderLength)
        {
            await RefuseAsync(context, StatusCode.ResourceExhausted, $"the request is larger than {options.MaxRequestBytes} bytes"); // as grpc-dotnet says it
            return;
        }

        if (Problem(body, request.Headers.ContainsKey("grpc-encoding")) is { } problem)
        {
            await RefuseAsync(context, StatusCode.InvalidArgument, $"the request body is not one gRPC message: {problem}");
            return;
        }

        await next(context);
    }

    private static string? Problem(ReadOnlySequence<byte> body, bool encoded)
    {
        if (body.Length < HeaderLength)
        {
            return $"{body.Length} byte(s), shorter than the 5-byte message header";
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        body.Slice(0, HeaderLength).CopyTo(header);
        if (header[0] > 1)
        {
            return $"compressed flag {header[0]}, neither 0 nor 1";
        }

        if (header[0] == 1 && !encoded)
        {
            return "the compressed flag is set but no grpc-encoding header says how";
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        return length == body.Length - HeaderLength ? null : $"the header announces {length} byte(s) but {body.Length - HeaderLength} follow";
    }

    /// <summary>A trailers-only gRPC response: the status in the headers, no body.</summary>
    private static Task RefuseAsync(HttpContext context, StatusCode status, string message)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        return context.Response.CompleteAsync();
    }
}
