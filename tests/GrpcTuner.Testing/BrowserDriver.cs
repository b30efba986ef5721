using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

using Xunit;

namespace GrpcTuner.Testing;

/// <summary>
/// Debian's chromium driven by playwright-core (Browser/driver.mjs, pinned by its package-lock.json):
/// a command in, an answer out, so a test or a benchmark can act on the server between two looks at the page.
/// </summary>
public sealed class BrowserDriver : IAsyncDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly Process _process;
    private readonly Task<string> _errors;

    private BrowserDriver(Process process)
    {
        _process = process;
        _errors = process.StandardError.ReadToEndAsync();
    }

    public static async Task<BrowserDriver> StartAsync()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "GrpcTuner.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"no GrpcTuner.sln above {AppContext.BaseDirectory}");
        var folder = Path.Combine(root.FullName, "tests", "GrpcTuner.Testing", "Browser");
        Assert.True(File.Exists("/usr/bin/node"), "the dashboard tests need Node.js: apt-get install nodejs npm (tests/run.sh installs them)");
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "playwright-core")),
            $"the dashboard tests need playwright-core: npm ci in {folder} (tests/run.sh runs it)");
        Assert.True(File.Exists(Chromium), $"the dashboard tests need Chromium at {Chromium}: apt-get install chromium (tests/run.sh installs it)");
        var start = new ProcessStartInfo("/usr/bin/node", ["driver.mjs"])
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CHROMIUM"] = Chromium;
        var driver = new BrowserDriver(Process.Start(start)!);
        var hello = await driver.ReadAsync();
        Assert.True(hello?["ready"]?.GetValue<bool>() == true, $"the browser did not start: {hello}");
        return driver;
    }

    /// <summary>Sends one command; a command the browser could not carry out fails the test with its error.</summary>
    public async Task<JsonObject> SendAsync(object command)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _process.StandardInput.FlushAsync();
        var answer = await ReadAsync() ?? throw new InvalidOperationException($"the browser driver ended: {await _errors}");
        Assert.True(answer["ok"]!.GetValue<bool>(), $"{JsonSerializer.Serialize(command)}: {answer["error"]}");
        return answer;
    }

    public async Task<JsonNode?> EvalAsync(string js) => (await SendAsync(new { op = "eval", js }))["value"];

    /// <summary>Console warnings and errors, page errors, failed requests and HTTP errors since the last call.</summary>
    public async Task<IReadOnlyList<string>> ProblemsAsync() =>
        (await SendAsync(new { op = "problems" }))["value"]!.AsArray().Select(p => $"{p!["kind"]}: {p["text"]} ({p["url"]})").ToList();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await _process.StandardInput.WriteLineAsync("{\"op\":\"close\"}");
            _process.StandardInput.Close();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private async Task<JsonObject?> ReadAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var line = await _process.StandardOutput.ReadLineAsync(limit.Token);
        return line is null ? null : JsonNode.Parse(line)!.AsObject();
    }
}
