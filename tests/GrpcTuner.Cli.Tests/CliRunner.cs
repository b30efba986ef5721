using System.Text.RegularExpressions;
using GrpcTuner.Agent.Commands;

namespace GrpcTuner.Cli.Tests;

/// <summary>Runs grpctuner commands in-process, capturing what they print. Console output is global, so callers share the "console" collection.</summary>
internal static partial class CliRunner
{
    public static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(new StringWriter(), args);

    public static async Task<(int Code, string Output, string Error)> RunAsync(TextWriter output, params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var error = new StringWriter();
        // A server's logger writes from its own thread, and may still be writing as the command returns:
        // every write and the final read go through one lock per writer, so reading never meets a write.
        var (syncOut, syncErr) = (TextWriter.Synchronized(output), TextWriter.Synchronized(error));
        Console.SetOut(syncOut);
        Console.SetError(syncErr);
        try
        {
            var code = await CommandLine.InvokeAsync(CliApp.Build(), args);
            var printed = Read(syncErr, error);
            // No stack trace ever reaches a user: an exception that escapes as one fails the test that caused it.
            Assert.False(StackTraceLine().IsMatch(printed) && !args.Contains("--verbose"), $"a stack trace reached stderr:\n{printed}");
            return (code, Read(syncOut, output), printed);
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    /// <summary>The text so far; a synchronized writer takes its own monitor for every write, so holding it excludes them.</summary>
    private static string Read(TextWriter synchronized, TextWriter inner)
    {
        lock (synchronized)
        {
            return inner.ToString() ?? "";
        }
    }

    [GeneratedRegex(@"^\s+at \S+.*\(", RegexOptions.Multiline)]
    private static partial Regex StackTraceLine();
}
