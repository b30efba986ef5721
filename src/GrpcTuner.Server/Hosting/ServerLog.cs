using GrpcTuner.Core.Errors;
using Microsoft.Extensions.Logging;

namespace GrpcTuner.Server;

/// <summary>The server's log messages, with fixed event ids.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "{Method} refused ({Kind}): {Message}")]
    public static partial void RequestFailed(ILogger logger, string method, ErrorKind kind, string message);

    [LoggerMessage(2, LogLevel.Error, "{Method} failed unexpectedly")]
    public static partial void UnexpectedError(ILogger logger, string method, Exception exception);

    [LoggerMessage(3, LogLevel.Information, "Reaped {Count} trial(s) whose lease expired")]
    public static partial void Reaped(ILogger logger, int count);

    [LoggerMessage(4, LogLevel.Warning, "Reaping failed ({Reason}); trying again in {Interval}")]
    public static partial void ReapFailed(ILogger logger, string reason, TimeSpan interval);

    [LoggerMessage(5, LogLevel.Information, "Serving on {Addresses} with the {Store} store")]
    public static partial void Started(ILogger logger, string addresses, string store);

    [LoggerMessage(9, LogLevel.Information, "Prometheus metrics at {Address}/metrics (HTTP/1.1)")]
    public static partial void Metrics(ILogger logger, string address);

    [LoggerMessage(6, LogLevel.Warning, "Authentication is OFF (--no-auth): anyone who can reach {Addresses} can read, change and delete every study")]
    public static partial void AuthenticationOff(ILogger logger, string addresses);

    [LoggerMessage(7, LogLevel.Warning, "Authentication is on and no admin key is configured: only keys already in the store are accepted. To make the first key, start with --admin-key SECRET (or GRPCTUNER_ADMINKEY) and run 'grpctuner keys create --api-key SECRET'; on a laptop, --no-auth turns authentication off")]
    public static partial void NoAdminKey(ILogger logger);
}
