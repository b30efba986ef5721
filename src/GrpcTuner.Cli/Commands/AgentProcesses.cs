using System.Diagnostics;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Commands;

/// <summary>Trainer agents started as child processes of this program ("grpctuner agent ..."), their output prefixed and forwarded.</summary>
internal sealed class AgentProcesses : IDisposable
{
    private readonly List<Process> _processes = [];

    // The connection's API key and CA file reach the agents through their environment, not their command line, which others can read.
    public static AgentProcesses Start(int count, TunerClientOptions connection, Func<int, IReadOnlyList<string>> argsFor)
    {
        var agents = new AgentProcesses();
        // Started as "dotnet grpctuner.dll" the process path is dotnet and the assembly comes first.
        var self = Environment.ProcessPath!;
        var prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? new[] { typeof(AgentProcesses).Assembly.Location } : [];
        for (var i = 0; i < count; i++)
        {
            var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.Environment["GRPCTUNER_API_KEY"] = connection.ApiKey;
            psi.Environment["GRPCTUNER_CA_FILE"] = connection.CaFile;
            foreach (var a in prefix.Concat(["agent"]).Concat(argsFor(i)))
            {
                psi.ArgumentList.Add(a);
            }

            var process = Process.Start(psi)!;
            var tag = $"[agent {i}] ";
            process.OutputDataReceived += (_, e) => { if (e.Data is { } line) Console.WriteLine(tag + line); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine(tag + line); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            agents._processes.Add(process);
        }

        return agents;
    }

    /// <summary>Waits for every agent; at the deadline asks them to stop (SIGTERM) and waits for their clean exit.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await Task.WhenAll(_processes.Select(p => p.WaitForExitAsync(deadline.Token)));
            return true;
        }
        catch (OperationCanceledException)
        {
            foreach (var p in _processes.Where(p => !p.HasExited))
            {
                // SIGTERM, so that each agent tells its running trials FAIL "interrupted" and exits 0.
                using var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                kill.WaitForExit();
            }

            await Task.WhenAll(_processes.Select(p => p.WaitForExitAsync(CancellationToken.None)));
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }

            p.Dispose();
        }
    }
}
