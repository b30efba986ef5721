using System.Diagnostics;

namespace GrpcTuner.Cli.Tests;

/// <summary>A program run to its end, as a user runs it: its exit code and everything it printed.</summary>
internal static class ChildProcess
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(string program, IEnumerable<string> args, string? folder = null,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (folder is not null)
        {
            psi.WorkingDirectory = folder;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await output, await error);
    }
}
