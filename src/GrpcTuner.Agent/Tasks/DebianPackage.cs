using System.Diagnostics;

namespace GrpcTuner.Agent.Tasks;

/// <summary>Installs a Debian package that a task's data comes in, with sudo when not root.</summary>
internal static class DebianPackage
{
    public static async Task InstallAsync(string package, CancellationToken ct)
    {
        Console.WriteLine($"installing Debian package {package} (the task's data)...");
        var asRoot = Environment.UserName == "root";
        foreach (var args in new[] { "update -qq", $"install -y -qq {package}" })
        {
            var psi = new ProcessStartInfo(asRoot ? "apt-get" : "sudo", asRoot ? args : $"apt-get {args}") { RedirectStandardOutput = true };
            psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start apt-get");
            await process.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"'apt-get {args}' failed with exit code {process.ExitCode}; install {package} by hand");
            }
        }
    }
}
