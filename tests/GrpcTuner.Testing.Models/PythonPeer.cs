using System.Diagnostics;

namespace GrpcTuner.Testing.Models;

/// <summary>Runs one of the Python references copied beside the running assembly (its Peers folder) with Debian's python3.</summary>
public static class PythonPeer
{
    public const string Python = "/usr/bin/python3";

    /// <returns>Its standard output; the test fails with its standard error when it fails.</returns>
    public static string Run(string script, IEnumerable<string> args, string? input = null, TimeSpan? timeout = null)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: tests/run.sh installs Debian's python3 packages");
        var psi = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Peers", script));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        Assert.True(process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)), $"{script} did not finish");
        Assert.True(process.ExitCode == 0, $"{script} failed: {error.Result}");
        return output.Result;
    }
}
