using GrpcTuner.Server;
using GrpcTuner.Testing;

namespace GrpcTuner.Cli.Tests;

/// <summary><c>grpctuner keys</c> and <c>--api-key</c> against a server with authentication on.</summary>
[Collection("console")]
public sealed class KeysCommandTests : IAsyncLifetime
{
    private const string AdminKey = "cli-admin-key";
    private ServerReplica _server = null!;

    public async Task InitializeAsync() => _server = await ServerReplica.StartAsync(new ServerOptions { JournalPath = null, AdminKey = AdminKey });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AnAdminCreatesAKeyThatWorksUntilRevoked()
    {
        var (code, secret, error) = await CliRunner.RunAsync("keys", "create", "-n", "team", "--role", "read", "--description", "ci", "--server", _server.Address, "--api-key", AdminKey);
        Assert.True(code == 0, error);
        secret = secret.Trim();
        var id = secret.Split('_')[1];
        Assert.Contains($"key {id}: read on team", error);

        (code, var listed, _) = await CliRunner.RunAsync("keys", "list", "--server", _server.Address, "--api-key", AdminKey);
        Assert.Equal(0, code);
        Assert.Contains($"{id}\tread on team\tci", listed);

        (code, var studies, error) = await CliRunner.RunAsync("study", "list", "--server", _server.Address, "--api-key", secret);
        Assert.True(code == 0, error);
        Assert.Equal("no studies", studies.Trim());

        (code, _, error) = await CliRunner.RunAsync("study", "list", "--server", _server.Address, "--api-key", "wrong");
        Assert.Equal(1, code);
        Assert.Equal("error: Unauthenticated: the API key is unknown or revoked: give a key with --api-key or GRPCTUNER_API_KEY (an admin makes one with 'grpctuner keys create')", error.Trim());

        (code, _, _) = await CliRunner.RunAsync("keys", "revoke", id, "--server", _server.Address, "--api-key", AdminKey);
        Assert.Equal(0, code);
        (code, _, error) = await CliRunner.RunAsync("study", "list", "--server", _server.Address, "--api-key", secret);
        Assert.Equal(1, code);
        Assert.Equal("error: Unauthenticated: the API key is unknown or revoked: give a key with --api-key or GRPCTUNER_API_KEY (an admin makes one with 'grpctuner keys create')", error.Trim());
    }
}
