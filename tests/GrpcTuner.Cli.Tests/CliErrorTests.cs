using System.Net;
using System.Net.Sockets;
using GrpcTuner.Server;
using GrpcTuner.Testing;

namespace GrpcTuner.Cli.Tests;

/// <summary>Ordinary mistakes end as one "error:" line that names the thing and the fix, exit code 1, and no stack trace (CliRunner fails on one).</summary>
[Collection("console")]
public sealed class CliErrorTests : IAsyncLifetime
{
    private ServerReplica _server = null!;

    public async Task InitializeAsync() => _server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task EveryAddressFormReachesTheServer()
    {
        var port = new Uri(_server.Address).Port;
        foreach (var address in new[] { $"127.0.0.1:{port}", $"http://127.0.0.1:{port}", $"dns:///127.0.0.1:{port}", $"localhost:{port}" })
        {
            var (code, output, error) = await CliRunner.RunAsync("study", "list", "--server", address);
            Assert.True(code == 0, $"{address}: {error}");
            Assert.Contains("no studies", output);
        }
    }

    [Fact]
    public async Task AnAddressOfNoFormSaysWhichFormsThereAre()
    {
        var (code, _, error) = await CliRunner.RunAsync("study", "list", "--server", "tuner");
        Assert.Equal(1, code);
        Assert.Equal("error: 'tuner' is not a server address: give host:port, http://host:port, https://host:port or dns:///name:port (--server or GRPCTUNER_SERVER)", error.Trim());
    }

    [Fact]
    public async Task NoServerRunningNamesTheAddressTriedAndWhatToDo()
    {
        var port = FreePort();
        var (code, _, error) = await CliRunner.RunAsync("study", "list", "--server", $"127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.StartsWith($"error: Unavailable: no server answers at http://127.0.0.1:{port} (", error.Trim());
        Assert.EndsWith("start one with 'grpctuner serve', or give its address with --server or GRPCTUNER_SERVER", error.Trim());
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task ExportAndReportIntoAMissingFolderNameThePath()
    {
        var spec = Path.Combine(AppContext.BaseDirectory, "Examples", "branin.yaml");
        Assert.Equal(0, (await CliRunner.RunAsync("study", "create", "--spec", spec, "--server", _server.Address)).Code);
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "out");
        foreach (var args in new[] { new[] { "export", "branin", "-o", missing + ".csv" }, ["report", "branin", "--output", missing + ".html"] })
        {
            var (code, _, error) = await CliRunner.RunAsync([.. args, "--server", _server.Address]);
            Assert.Equal(1, code);
            Assert.StartsWith("error: ", error);
            Assert.Contains(Path.GetDirectoryName(missing)!, error);
            Assert.Single(error.Trim().Split('\n'));
        }
    }

    [Fact]
    public async Task ServeWithHalfATlsPairOrATakenPortOrNoRedisSaysWhich()
    {
        var (code, _, error) = await CliRunner.RunAsync("serve", "--memory", "--port", "0", "--tls-cert", "/tmp/cert.pem");
        Assert.Equal(1, code);
        Assert.Equal("error: --tls-cert was given without --tls-key: TLS needs both the certificate chain and its key (GRPCTUNER_TLSCERTIFICATE, GRPCTUNER_TLSKEY)", error.Trim());

        var port = new Uri(_server.Address).Port;
        (code, var output, error) = await CliRunner.RunAsync("serve", "--memory", "--no-auth", "--port", $"{port}");
        Assert.Equal(1, code);
        Assert.Contains("address already in use", error);
        Assert.Contains("choose another port with --port", error);
        Assert.Single(error.Trim().Split('\n'));
        // Checked before the host starts, so its log does not print the failure's stack trace first.
        Assert.DoesNotContain(" at ", output);

        (code, _, error) = await CliRunner.RunAsync("serve", "--no-auth", "--port", "0", "--redis", $"127.0.0.1:{FreePort()},connectTimeout=300");
        Assert.Equal(1, code);
        Assert.StartsWith("error: cannot reach Redis at 127.0.0.1:", error);
        Assert.Contains("--redis (GRPCTUNER_REDIS)", error);
    }

    [Fact]
    public async Task AServerWithAuthenticationAndNoAdminKeySaysSoAtStartAndACallWithoutAKeyNamesTheFlag()
    {
        var journal = Path.Combine(Path.GetTempPath(), $"banner-{Guid.NewGuid():N}.journal");
        await using (var server = await ServerProcess.StartAsync("--journal", journal))
        {
            string? banner = null;
            for (var i = 0; i < 100 && banner is null; i++)
            {
                banner = server.Printed.FirstOrDefault(l => l.Contains("no admin key is configured", StringComparison.Ordinal));
                await Task.Delay(50);
            }

            Assert.True(banner is not null, $"no banner about the admin key:\n{string.Join('\n', server.Printed)}");
            Assert.Contains("--admin-key SECRET (or GRPCTUNER_ADMINKEY)", banner);
            Assert.Contains("--no-auth", banner);

            var (code, _, error) = await CliRunner.RunAsync("study", "list", "--server", server.Address);
            Assert.Equal(1, code);
            Assert.Contains("--api-key or GRPCTUNER_API_KEY", error);
        }

        File.Delete(journal);
    }

    [Fact]
    public async Task TlsMistakesNameTheFix()
    {
        using var certificates = TestCertificates.Create();
        await using var tls = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null, TlsCertificate = certificates.CertificateFile, TlsKey = certificates.KeyFile });
        var port = new Uri(tls.Address).Port;
        var (code, output, error) = await CliRunner.RunAsync("study", "list", "--server", $"https://localhost:{port}", "--ca-file", certificates.CaFile);
        Assert.True(code == 0, error);
        Assert.Equal("no studies", output.Trim());

        (code, _, error) = await CliRunner.RunAsync("study", "list", "--server", $"https://localhost:{port}");
        Assert.Equal(1, code);
        Assert.StartsWith($"error: TLS: the certificate of the server at https://localhost:{port} is not trusted (", error);
        Assert.Contains("give the CA that signed it with --ca-file or GRPCTUNER_CA_FILE", error);

        (code, _, error) = await CliRunner.RunAsync("study", "list", "--server", $"http://localhost:{port}");
        Assert.Equal(1, code);
        Assert.Contains("did not answer plaintext HTTP/2: if it serves TLS, give its address as https://host:port", error);

        (code, _, error) = await CliRunner.RunAsync("study", "list", "--server", $"https://127.0.0.1:{new Uri(_server.Address).Port}", "--ca-file", certificates.CaFile);
        Assert.Equal(1, code);
        Assert.Contains("did not answer TLS", error);
        Assert.Contains("if it serves plaintext, give its address as http://host:port", error);

        (code, _, error) = await CliRunner.RunAsync("study", "list", "--server", $"https://localhost:{port}", "--ca-file", certificates.KeyFile);
        Assert.Equal(1, code);
        Assert.StartsWith($"error: the CA file {certificates.KeyFile} (--ca-file, GRPCTUNER_CA_FILE) is not a certificate in PEM or DER", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task ServeReadsTheVariablesGrpctunerServerReads()
    {
        Environment.SetEnvironmentVariable("GRPCTUNER_TLSCERTIFICATE", "/tmp/cert.pem");
        try
        {
            var (code, _, error) = await CliRunner.RunAsync("serve", "--memory", "--port", "0");
            Assert.Equal(1, code);
            Assert.StartsWith("error: --tls-cert was given without --tls-key", error.Trim());
        }
        finally
        {
            Environment.SetEnvironmentVariable("GRPCTUNER_TLSCERTIFICATE", null);
        }
    }

    [Fact]
    public async Task ADamagedJournalStopsTheServerWithTheLineAndJournalRepairKeepsTheRest()
    {
        var journal = Path.Combine(Path.GetTempPath(), $"damaged-{Guid.NewGuid():N}.journal");
        await using (var store = new GrpcTuner.Storage.Embedded.EmbeddedStudyStore(journal))
        {
            var space = new GrpcTuner.Core.Domain.SearchSpace([new GrpcTuner.Core.Domain.ParamSpec("x", new GrpcTuner.Core.Domain.FloatDistribution(0, 1))]);
            await store.CreateStudyAsync(new GrpcTuner.Core.Domain.StudyDefinition("kept", space, [GrpcTuner.Core.Domain.Direction.Minimize],
                new GrpcTuner.Core.Domain.SamplerSettings(GrpcTuner.Core.Domain.SamplerKind.Random, 1), GrpcTuner.Core.Domain.PrunerSettings.None, 0, GrpcTuner.Core.Domain.Trial.EmptyAttrs), false, default);
        }

        // A second record, then damage to it: one changed character.
        var lines = (await File.ReadAllLinesAsync(journal)).ToList();
        lines.Add(lines[0].Replace("\"kept\"", "\"lost\"", StringComparison.Ordinal).Replace("kept", "lust", StringComparison.Ordinal));
        await File.WriteAllLinesAsync(journal, lines);
        try
        {
            var (code, _, error) = await CliRunner.RunAsync("serve", "--no-auth", "--port", "0", "--journal", journal);
            Assert.Equal(1, code);
            Assert.StartsWith($"error: {journal}:2: the record does not match its checksum: the journal is damaged", error.Trim());
            Assert.Contains($"'grpctuner journal repair {journal}'", error);

            (code, var output, _) = await CliRunner.RunAsync("journal", "check", journal);
            Assert.Equal(1, code);
            Assert.StartsWith($"{journal}:2: the record does not match its checksum", output);
            (code, output, _) = await CliRunner.RunAsync("journal", "repair", journal);
            Assert.Equal(0, code);
            Assert.Contains($"kept 1 record(s) in {journal}", output);
            (code, output, _) = await CliRunner.RunAsync("journal", "check", journal);
            Assert.Equal(0, code);
            Assert.Contains("every record is intact", output);
        }
        finally
        {
            foreach (var f in Directory.GetFiles(Path.GetDirectoryName(journal)!, Path.GetFileName(journal) + "*"))
            {
                File.Delete(f);
            }
        }
    }

    [Fact]
    public async Task TheStandaloneServerRefusesAMisspeltFlagInsteadOfStartingWithoutIt()
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "grpctuner-server"), ["--admin-kye", "secret", "--port", "0"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var server = System.Diagnostics.Process.Start(psi)!;
        var error = await server.StandardError.ReadToEndAsync();
        await server.WaitForExitAsync();
        Assert.Equal(1, server.ExitCode);
        Assert.Equal("error: unknown option --admin-kye; did you mean --admin-key? (--help lists them)", error.Trim());
    }

    [Fact]
    public async Task TheAgentWithAMissingTaskFileSaysSo()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.yaml");
        var (code, _, error) = await CliRunner.RunAsync("agent", "--study", "branin", "--task", missing, "--server", _server.Address);
        Assert.Equal(1, code);
        Assert.Equal($"error: task file {missing} does not exist", error.Trim());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
