using System.Diagnostics;
using System.Net.Sockets;

namespace GrpcTuner.Testing;

/// <summary>
/// A server replica as its own process (the grpctuner-server next to the test assembly), so a
/// test can kill -9 it as a crashed machine would die: no shutdown hook runs.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, int port)
    {
        _process = process;
        Address = $"http://127.0.0.1:{port}";
    }

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

    public static async Task<ServerProcess> StartAsync(params string[] args)
    {
        var binary = Path.Combine(AppContext.BaseDirectory, "grpctuner-server");
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException($"{binary} is missing: the test project must reference src/GrpcTuner.Server");
        }

        var port = RedisServer.FreePort();
        var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args.Concat(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "127.0.0.1"]))
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", port);
                return new ServerProcess(process, port);
            }
            catch (SocketException) when (DateTime.UtcNow < until && !process.HasExited)
            {
                await Task.Delay(100);
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
    }
}
