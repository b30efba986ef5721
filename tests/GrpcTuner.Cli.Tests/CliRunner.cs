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
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = await CommandLine.InvokeAsync(CliApp.Build(), args);
            var printed = error.ToString();
            // No stack trace ever reaches a user: an exception that escapes as one fails the test that caused it.
            Assert.False(StackTraceLine().IsMatch(printed) && !args.Contains("--verbose"), $"a stack trace reached stderr:\n{printed}");
            return (code, output.ToString() ?? "", printed);
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [GeneratedRegex(@"^\s+at \S+.*\(", RegexOptions.Multiline)]
    private static partial Regex StackTraceLine();
}
