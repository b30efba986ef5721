using System.Diagnostics;

namespace GrpcTuner.Benchmarks;

/// <summary>Runs a peer program in the same run as ours, and returns its last line of output (null when it failed).</summary>
internal static class PeerProcess
{
    public static string? Run(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // This workplace pins OpenBLAS to an old kernel through these two variables; they slow a
        // current OpenBLAS, so the peer runs without them (Debian's python3-torch uses the system
        // BLAS: install libopenblas0-pthread, or it falls back to the slow reference BLAS).
        psi.Environment.Remove("OPENBLAS_CORETYPE");
        psi.Environment.Remove("OPENBLAS_L2_SIZE");
        // Our side may run under jemalloc, as the agent does (Jemalloc); the peer runs with its own default, glibc.
        foreach (var name in GrpcTuner.Agent.Training.Jemalloc.Variables)
        {
            psi.Environment.Remove(name);
        }

        using var peer = Process.Start(psi)!;
        var output = peer.StandardOutput.ReadToEndAsync();
        var error = peer.StandardError.ReadToEndAsync();
        peer.WaitForExit();
        if (peer.ExitCode != 0)
        {
            Console.Error.WriteLine($"peer: {error.Result.Trim().Split('\n').Last()}");
            return null;
        }

        return output.Result.Trim().Split('\n').Last();
    }
}
