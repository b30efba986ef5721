using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace GrpcTuner.Testing;

/// <summary>
/// A real redis-server on a free loopback port, without persistence unless asked, stopped on
/// dispose. Fails with an install hint when redis-server is missing: tests never skip silently.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _dir;
    private readonly IReadOnlyList<string> _args;
    private Process _process;

    private RedisServer(Process process, int port, string dir, IReadOnlyList<string> args)
    {
        _process = process;
        Port = port;
        _dir = dir;
        _args = args;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(params string[] extraArgs)
    {
        var port = FreePort();
        var dir = Directory.CreateTempSubdirectory("grpctuner-redis-").FullName;
        var args = new List<string> { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "no" };
        args.AddRange(extraArgs);
        var server = new RedisServer(Launch(args), port, dir, args);
        await server.WaitUntilServingAsync();
        return server;
    }

    /// <summary>kill -9, as a crash or an OOM kill would; what the append-only file holds is all that survives.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts the server again on the same port and folder, so it reloads its append-only file.</summary>
    public async Task StartAgainAsync()
    {
        _process.Dispose();
        _process = Launch(_args);
        await WaitUntilServingAsync();
    }

    private static Process Launch(IReadOnlyList<string> args)
    {
        var exe = FindExecutable("redis-server")
            ?? throw new InvalidOperationException("redis-server is not installed; install it with 'apt-get install -y redis-server' (the test command in README.md does this).");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private async Task WaitUntilServingAsync()
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync($"{Configuration},connectTimeout=500");
                await probe.GetDatabase().PingAsync();
                return;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisServerException && DateTime.UtcNow < until && !_process.HasExited)
            {
                // RedisServerException: LOADING while the append-only file is read back.
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindExecutable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin")
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
