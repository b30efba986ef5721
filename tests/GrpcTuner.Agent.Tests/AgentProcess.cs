using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using GrpcTuner.Testing.Models;

namespace GrpcTuner.Agent.Tests;

/// <summary>A real grpctuner-agent (or grpctuner) process, its output captured line by line.</summary>
internal sealed partial class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private AgentProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string Output => string.Join('\n', _lines);

    /// <summary>What the process wrote to standard error, line by line.</summary>
    public IReadOnlyList<string> ErrorLines => _lines.Where(l => l.StartsWith("stderr: ", StringComparison.Ordinal)).Select(l => l["stderr: ".Length..]).ToList();

    public static AgentProcess Start(params string[] args) => StartProgram(RepoPrograms.Agent, args);

    /// <summary>The grpctuner command line, as a user runs it.</summary>
    public static AgentProcess StartCli(params string[] args) => StartProgram(RepoPrograms.Cli, args);

    private static AgentProcess StartProgram(string executable, string[] args)
    {
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var agent = new AgentProcess(Process.Start(psi)!);
        agent._process.OutputDataReceived += (_, e) => { if (e.Data is { } l) agent._lines.Enqueue(l); };
        agent._process.ErrorDataReceived += (_, e) => { if (e.Data is { } l) agent._lines.Enqueue("stderr: " + l); };
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        return agent;
    }

    public async Task WaitForLineAsync(string contains, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!_lines.Any(l => l.Contains(contains, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < until, $"no line containing '{contains}' within {timeout}; output:\n{Output}");
            Assert.False(_process.HasExited, $"the agent exited early; output:\n{Output}");
            await Task.Delay(50);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the agent did not exit within {timeout}; output:\n{Output}");
        }

        // No stack trace ever reaches a user: every failure, in a trial or around it, is one line.
        Assert.DoesNotContain(ErrorLines, l => StackTraceLine().IsMatch(l));
        return _process.ExitCode;
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"^\s+at \S+.*\(")]
    private static partial Regex StackTraceLine();
}
