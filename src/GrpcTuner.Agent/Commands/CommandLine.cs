using System.CommandLine;
using Grpc.Core;
using GrpcTuner.Client;

namespace GrpcTuner.Agent.Commands;

/// <summary>
/// Runs a command line the way every program of ours does: an ordinary mistake (a missing file, an
/// unreachable server, a refused key, a bad value) ends as one "error:" line that names the thing and
/// what to do, exit code 1; the stack trace only with --verbose.
/// </summary>
public static class CommandLine
{
    public static Option<bool> Verbose { get; } = new("--verbose") { Description = "On an error, print its stack trace too", Recursive = true };

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        if (!root.Options.Contains(Verbose))
        {
            root.Options.Add(Verbose);
        }

        var parse = root.Parse(args);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"error: {Describe(e, ServerOf(parse))}");
            if (parse.GetValue(Verbose))
            {
                await Console.Error.WriteLineAsync(e.ToString());
            }

            return 1;
        }
    }

    /// <summary>One line for an exception: what failed, and for the usual causes the flag or variable that fixes it.</summary>
    public static string Describe(Exception e, string? server)
    {
        var at = server is null ? "" : $" at {ServerAddressOrAsGiven(server)}";
        return e switch
        {
            AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerException!, server),
            RpcException r when r.Status.Detail.Contains("remote certificate is invalid", StringComparison.Ordinal) =>
                $"TLS: the certificate of the server{at} is not trusted ({Last(r.Status.Detail)}): give the CA that signed it with --ca-file or GRPCTUNER_CA_FILE",
            RpcException r when r.Status.Detail.Contains("SSL connection could not be established", StringComparison.Ordinal) =>
                $"TLS: the server{at} did not answer TLS ({Last(r.Status.Detail)}): if it serves plaintext, give its address as http://host:port",
            // Unavailable or Internal, depending on when the connection broke.
            RpcException r when r.Status.Detail.Contains("did not complete the HTTP/2 handshake", StringComparison.Ordinal) =>
                $"{r.StatusCode}: the server{at} did not answer plaintext HTTP/2: if it serves TLS, give its address as https://host:port (with --ca-file or GRPCTUNER_CA_FILE for a CA of your own)",
            RpcException { StatusCode: StatusCode.Unavailable } r =>
                $"Unavailable: no server answers{at} ({r.Status.Detail}): start one with 'grpctuner serve', or give its address with --server or GRPCTUNER_SERVER",
            RpcException { StatusCode: StatusCode.Unauthenticated } r =>
                $"Unauthenticated: {r.Status.Detail}: give a key with --api-key or GRPCTUNER_API_KEY (an admin makes one with 'grpctuner keys create')",
            RpcException { StatusCode: StatusCode.PermissionDenied } r =>
                $"PermissionDenied: {r.Status.Detail}: use a key whose role allows it (see 'grpctuner keys create --help')",
            RpcException { StatusCode: StatusCode.DeadlineExceeded } r =>
                $"DeadlineExceeded: the server{at} did not answer in time ({r.Status.Detail})",
            RpcException r when r.FieldViolations() is { Count: > 0 } fields =>
                $"{r.StatusCode}: {string.Join("; ", fields.Select(f => $"{f.Field}: {f.Description}"))}",
            RpcException r => $"{r.StatusCode}: {r.Status.Detail}",
            OperationCanceledException => "interrupted",
            IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException or FormatException or NotSupportedException or BadImageFormatException => e.Message,
            _ => $"{e.Message} ({e.GetType().Name}; --verbose prints where)",
        };
    }

    /// <summary>The innermost cause a gRPC detail ends with, as the fix depends on it and the chain before it repeats itself.</summary>
    private static string Last(string detail) => detail[(detail.LastIndexOf(". ", StringComparison.Ordinal) + 1)..].Trim();

    private static string? ServerOf(ParseResult parse)
    {
        try
        {
            return parse.CommandResult.Command.Options.Any(o => o.Name == "--server") ? parse.GetValue<string?>("--server") : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string ServerAddressOrAsGiven(string server)
    {
        try
        {
            return ServerAddress.Normalize(server);
        }
        catch (ArgumentException)
        {
            return server;
        }
    }
}
