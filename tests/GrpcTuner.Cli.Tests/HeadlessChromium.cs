using System.Diagnostics;

namespace GrpcTuner.Cli.Tests;

/// <summary>Debian's chromium, headless: the DOM after scripts ran, a screenshot, and every console message it logged.</summary>
internal static class HeadlessChromium
{
    public const int Width = 1300, Height = 2400;

    public static string Binary { get; } = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("the report tests need Chromium: apt-get install chromium (tests/run.sh installs it)");

    /// <returns>What the command printed (the DOM for --dump-dom), and the console lines Chromium logged.</returns>
    public static async Task<(string Output, IReadOnlyList<string> Console)> RunAsync(string page, params string[] mode)
    {
        var profile = Directory.CreateTempSubdirectory("chromium-").FullName;
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])[
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
            $"--window-size={Width},{Height}", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", .. mode, new Uri(page).AbsoluteUri])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(limit.Token);
        Directory.Delete(profile, recursive: true);
        // Chromium logs every console message of the page, errors and uncaught exceptions included, as INFO:CONSOLE lines.
        var console = (await error).Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
        return (await output, console);
    }
}
