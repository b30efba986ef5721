using System.Buffers.Binary;
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

        var limit = options.MaxRequestBytes + HeaderLength;
        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            if (body.Length + read > limit)
            {
                await RefuseAsync(context, 8, $"the request is larger than {options.MaxRequestBytes} bytes"); // RESOURCE_EXHAUSTED, as grpc-dotnet says it
                return;
            }

            body.Write(buffer, 0, read);
        }

        if (Problem(body.GetBuffer().AsSpan(0, (int)body.Length), request.Headers.ContainsKey("grpc-encoding")) is { } problem)
        {
            await RefuseAsync(context, 3, $"the request body is not one gRPC message: {problem}");
            return;
        }

        body.Position = 0;
        request.Body = body;
        await next(context);
    }

    private static string? Problem(ReadOnlySpan<byte> body, bool encoded)
    {
        if (body.Length < HeaderLength)
        {
            return $"{body.Length} byte(s), shorter than the 5-byte message header";
        }

        if (body[0] > 1)
        {
            return $"compressed flag {body[0]}, neither 0 nor 1";
        }

        if (body[0] == 1 && !encoded)
        {
            return "the compressed flag is set but no grpc-encoding header says how";
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(body[1..]);
        return length == body.Length - HeaderLength ? null : $"the header announces {length} byte(s) but {body.Length - HeaderLength} follow";
    }

    /// <summary>A trailers-only gRPC response: the status in the headers, no body.</summary>
    private static Task RefuseAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        return context.Response.CompleteAsync();
    }
}
