using System.Diagnostics;

namespace GrpcTuner.Benchmarks;

/// <summary>Runs ../shared/peers/optuna_asktell.py (Debian's python3-optuna) in the same session, for side-by-side figures.</summary>
internal static class OptunaPeer
{
    public static async Task RunAsync(string peerScript, string redisConfiguration)
    {
        if (!File.Exists("/usr/bin/python3") || !File.Exists(peerScript))
        {
            Console.WriteLine($"peer: skipped, needs /usr/bin/python3 with python3-optuna and {peerScript}");
            return;
        }

        foreach (var args in new[]
        {
            $"--sampler random --storage redis://{redisConfiguration} --trials 2000",
            "--sampler tpe --storage memory --trials 1000",
        })
        {
            var psi = new ProcessStartInfo("/usr/bin/python3", $"{peerScript} {args}") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(psi)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Console.WriteLine($"peer ({args}): {(process.ExitCode == 0 ? output.Trim() : "failed: " + error.Trim().Split('\n').Last())}");
        }
    }
}
