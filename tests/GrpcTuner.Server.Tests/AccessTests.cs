using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using GrpcTuner.Client;
using GrpcTuner.Testing;
using GrpcTuner.V1;
using Microsoft.Extensions.Logging;
using ConnectionMultiplexer = StackExchange.Redis.ConnectionMultiplexer;

namespace GrpcTuner.Server.Tests;

/// <summary>Two replicas with authentication on, sharing a real Redis, and an admin key from configuration.</summary>
public sealed class SecuredReplicasFixture : ReplicasOnRedis
{
    public const string AdminKey = "test-admin-key-not-a-secret";

    protected override ServerOptions Options(string redis) => new() { Redis = redis, AdminKey = AdminKey };
}

public sealed class AccessTests(SecuredReplicasFixture fx) : IClassFixture<SecuredReplicasFixture>
{
    private readonly string _team = $"team{Guid.NewGuid():N}"[..16];
    private readonly string _other = $"other{Guid.NewGuid():N}"[..16];

    private TunerClient Admin(ServerReplica? on = null) => (on ?? fx.A).Client(new TunerClientOptions { ApiKey = SecuredReplicasFixture.AdminKey });

    private TunerClient With(string? key, ServerReplica? on = null) => (on ?? fx.A).Client(new TunerClientOptions { ApiKey = key, MaxAttempts = 1 });

    private async Task<string> KeyAsync(Role role, params string[] namespaces)
    {
        using var admin = Admin();
        var request = new CreateApiKeyRequest { Role = role, Description = "test" };
        request.Namespaces.AddRange(namespaces);
        return (await admin.Admin.CreateApiKeyAsync(request)).Secret;
    }

    private static async Task<RpcException> Refused(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    [Fact]
    public async Task WithoutAValidKeyEveryTunerAndAdminCallIsUnauthenticatedButHealthAnswers()
    {
        foreach (var key in new[] { null, "", "gtk_0000000000000000_forged", "not-even-shaped-like-a-key" })
        {
            using var client = With(key);
            Assert.Equal(StatusCode.Unauthenticated, (await Refused(() => client.Raw.GetStudyAsync(new GetStudyRequest { Study = "any" }).ResponseAsync)).StatusCode);
            Assert.Equal(StatusCode.Unauthenticated, (await Refused(() => client.Raw.ListStudiesAsync(new ListStudiesRequest()).ResponseAsync)).StatusCode);
            Assert.Equal(StatusCode.Unauthenticated, (await Refused(() => client.Admin.ListApiKeysAsync(new ListApiKeysRequest()).ResponseAsync)).StatusCode);
            var watch = client.Raw.WatchStudy(new WatchStudyRequest { Study = "any" });
            Assert.Equal(StatusCode.Unauthenticated, (await Refused(() => watch.ResponseStream.MoveNext())).StatusCode);
        }

        using var channel = GrpcChannel.ForAddress(fx.A.Address);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task AStudyInAnotherNamespaceIsNotFoundExactlyLikeAMissingOne()
    {
        using var admin = Admin();
        await admin.CreateStudyAsync(TwoReplicasFixture.Study($"{_other}/secret"));
        using var team = With(await KeyAsync(Role.Write, _team));
        var mine = await team.CreateStudyAsync(TwoReplicasFixture.Study($"{_team}/mine"));
        await mine.TellAsync(await mine.AskAsync(), 1.0);

        var hidden = await Refused(() => team.Raw.GetStudyAsync(new GetStudyRequest { Study = $"{_other}/secret" }).ResponseAsync);
        var missing = await Refused(() => team.Raw.GetStudyAsync(new GetStudyRequest { Study = $"{_other}/nothing" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(missing.Status.Detail.Replace("nothing", "secret", StringComparison.Ordinal), hidden.Status.Detail);
        Assert.Equal(StatusCode.NotFound, (await Refused(() => team.Raw.AskAsync(new AskRequest { Study = $"{_other}/secret", WorkerId = "w" }).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Refused(() => team.Raw.ListTrialsAsync(new ListTrialsRequest { Study = $"{_other}/secret" }).ResponseAsync)).StatusCode);
        var watch = team.Raw.WatchStudy(new WatchStudyRequest { Study = $"{_other}/secret" });
        Assert.Equal(StatusCode.NotFound, (await Refused(() => watch.ResponseStream.MoveNext())).StatusCode);
        var warm = TwoReplicasFixture.Study($"{_team}/warm");
        warm.WarmStart = new CoverageSearchSpec { Studies = { $"{_team}/mine", $"{_other}/secret" } };
        Assert.Equal(StatusCode.NotFound, (await Refused(() => team.Raw.CreateStudyAsync(warm).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(() => team.Raw.CreateStudyAsync(TwoReplicasFixture.Study($"{_other}/mine")).ResponseAsync)).StatusCode);

        var listed = await team.Raw.ListStudiesAsync(new ListStudiesRequest { PageSize = 1000 });
        Assert.Equal([$"{_team}/mine"], listed.Studies.Select(s => s.Name).Where(n => n.StartsWith(_team, StringComparison.Ordinal) || n.StartsWith(_other, StringComparison.Ordinal)));
        Assert.DoesNotContain(listed.Studies, s => !s.Name.StartsWith($"{_team}/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RolesNest()
    {
        using var admin = Admin();
        await admin.CreateStudyAsync(TwoReplicasFixture.Study($"{_team}/roles"));
        using var reader = With(await KeyAsync(Role.Read, _team));
        using var writer = With(await KeyAsync(Role.Write, _team));

        Assert.Equal($"{_team}/roles", (await reader.Raw.GetStudyAsync(new GetStudyRequest { Study = $"{_team}/roles" })).Name);
        var denied = await Refused(() => reader.Raw.AskAsync(new AskRequest { Study = $"{_team}/roles", WorkerId = "w" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("needs the write role; this key has read", denied.Status.Detail);
        Assert.Single((await writer.Raw.AskAsync(new AskRequest { Study = $"{_team}/roles", WorkerId = "w" })).Trials);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(() => writer.Raw.DeleteStudyAsync(new DeleteStudyRequest { Study = $"{_team}/roles" }).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(() => writer.Admin.ListApiKeysAsync(new ListApiKeysRequest()).ResponseAsync)).StatusCode);
        await admin.Raw.DeleteStudyAsync(new DeleteStudyRequest { Study = $"{_team}/roles" });
    }

    [Fact]
    public async Task ANamespacedAdminManagesOnlyKeysWithinItsNamespaces()
    {
        var foreign = await KeyAsync(Role.Read, _other);
        using var teamAdmin = With(await KeyAsync(Role.Admin, _team));

        var created = await teamAdmin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Namespaces = { _team }, Role = Role.Read });
        Assert.StartsWith($"gtk_{created.Key.Id}_", created.Secret);
        var beyond = await Refused(() => teamAdmin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Namespaces = { _team, _other }, Role = Role.Read }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, beyond.StatusCode);
        Assert.Contains(beyond.FieldViolations(), f => f.Field == "namespaces[1]");
        Assert.Equal(StatusCode.InvalidArgument, (await Refused(() => teamAdmin.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Namespaces = { "*" }, Role = Role.Read }).ResponseAsync)).StatusCode);

        var visible = (await teamAdmin.Admin.ListApiKeysAsync(new ListApiKeysRequest())).Keys;
        Assert.All(visible, k => Assert.Equal([_team], k.Namespaces));
        Assert.Contains(visible, k => k.Id == created.Key.Id);
        var foreignId = foreign.Split('_')[1];
        Assert.Equal(StatusCode.NotFound, (await Refused(() => teamAdmin.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { Id = foreignId }).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task ARevokedKeyIsRefusedByEveryReplicaWithinTheCacheLifetime()
    {
        var secret = await KeyAsync(Role.Read, _team);
        using var onB = With(secret, fx.B);
        await onB.Raw.ListStudiesAsync(new ListStudiesRequest()); // B now holds the key in its cache
        using var admin = Admin();
        var revoked = await admin.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { Id = secret.Split('_')[1] });
        Assert.NotNull(revoked.RevokeTime);

        using var onA = With(secret);
        Assert.Equal(StatusCode.Unauthenticated, (await Refused(() => onA.Raw.ListStudiesAsync(new ListStudiesRequest()).ResponseAsync)).StatusCode);
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                await onB.Raw.ListStudiesAsync(new ListStudiesRequest());
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                break;
            }

            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8), "replica B still accepts a key revoked on A");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task OnlyTheHashOfASecretIsStored()
    {
        var secret = await KeyAsync(Role.Read, _team);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fx.Redis.Configuration);
        var stored = await redis.GetDatabase().HashGetAllAsync("gt:api-keys");
        var record = Assert.Single(stored, e => e.Name == secret.Split('_')[1]);
        // The random part may itself hold '_' (base64url): it is everything after the id.
        var random = secret[(secret.IndexOf('_', "gtk_".Length) + 1)..];
        Assert.Equal(43, random.Length);
        Assert.DoesNotContain(random, record.Value.ToString());
        Assert.Contains(GrpcTuner.Core.Access.ApiKeySecret.Hash(secret), record.Value.ToString());
    }

    [Fact]
    public async Task TurningAuthenticationOffIsAnnouncedAsAWarning()
    {
        var logged = new LogCollector();
        await using var app = await TunerServer.BuildAsync(new ServerOptions { NoAuth = true, Port = 0, JournalPath = null }, logging: l => l.AddProvider(logged));
        await app.StartAsync();
        Assert.Contains(logged.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Authentication is OFF", StringComparison.Ordinal));
        using var anonymous = new TunerClient(TunerServer.Addresses(app)[0], new TunerClientOptions { ApiKey = null });
        Assert.NotNull(await anonymous.Raw.ListStudiesAsync(new ListStudiesRequest()));
        await app.StopAsync();
    }

    private sealed class LogCollector : ILoggerProvider
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Collector(this);

        public void Dispose()
        {
        }

        private sealed class Collector(LogCollector owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Entries)
                {
                    owner.Entries.Add((logLevel, formatter(state, exception)));
                }
            }
        }
    }
}
