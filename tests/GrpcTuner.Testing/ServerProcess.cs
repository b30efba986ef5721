using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace GrpcTuner.Testing;

/// <summary>
/// A server replica as its own process (the grpctuner-server next to the test assembly), so a
/// test can kill -9 it as a crashed machine would die: no shutdown hook runs. What it prints is
/// kept, and disposing it fails the test when a stack trace was among it: a server's log tells an
/// operator what went wrong in a line, not in a trace.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _printed;

    private ServerProcess(Process process, int port, ConcurrentQueue<string> printed)
    {
        _process = process;
        _printed = printed;
        Address = $"http://127.0.0.1:{port}";
    }

    /// <summary>Every line the process wrote to stdout or stderr so far.</summary>
    public IReadOnlyList<string> Printed => [.. _printed];

    public string Address { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Resident memory of the process now (VmRSS), in bytes.</summary>
    public long ResidentBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    /// <summary>
    /// Starts the built server on a free port. The port is free when chosen but may be taken before
    /// the server binds it (by another test's client connection, say): then it starts again, up to three times.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(params string[] args)
    {
        var binary = Path.Combine(AppContext.BaseDirectory, "grpctuner-server");
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException($"{binary} is missing: the test project must reference src/GrpcTuner.Server");
        }

        for (var attempt = 1; ; attempt++)
        {
            var port = RedisServer.FreePort();
            var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args.Concat(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "127.0.0.1"]))
            {
                psi.ArgumentList.Add(a);
            }

            var process = Process.Start(psi)!;
            var printed = new ConcurrentQueue<string>();
            process.OutputDataReceived += (_, e) => printed.Enqueue(e.Data ?? "");
            process.ErrorDataReceived += (_, e) => printed.Enqueue(e.Data ?? "");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (await ReadyAsync(process, port))
            {
                return new ServerProcess(process, port, printed);
            }

            await process.WaitForExitAsync();
            if (attempt == 3 || !printed.Any(l => l.Contains("address already in use", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"grpctuner-server exited with {process.ExitCode} before serving:\n{string.Join('\n', printed)}");
            }
        }
    }

    /// <summary>Whether the server accepts connections on <paramref name="port"/> within 30 s; false when it exits first.</summary>
    private static async Task<bool> ReadyAsync(Process process, int port)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", port);
                return true;
            }
            catch (SocketException) when (DateTime.UtcNow < until && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (SocketException) when (process.HasExited)
            {
                return false;
            }
        }
    }

    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
        if (_printed.Any(line => StackTraceLine().IsMatch(line)))
        {
            throw new InvalidOperationException($"the server printed a stack trace:\n{string.Join('\n', _printed)}");
        }
    }

    [GeneratedRegex(@"^\s+at \S+.*\(")]
    private static partial Regex StackTraceLine();
}
