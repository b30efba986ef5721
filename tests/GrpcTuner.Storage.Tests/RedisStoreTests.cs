using GrpcTuner.Core.Domain;
using GrpcTuner.Storage.Redis;
using GrpcTuner.Testing;
using StackExchange.Redis;

namespace GrpcTuner.Storage.Tests;

/// <summary>One real redis-server for the Redis tests; each test gets its own key prefix.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartAsync();
        Connection = await ConnectionMultiplexer.ConnectAsync(Server.Configuration);
    }

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Server.DisposeAsync();
    }
}

public sealed class RedisStoreContractTests(RedisFixture redis) : StoreContractTests, IClassFixture<RedisFixture>
{
    private readonly string _prefix = $"t{Guid.NewGuid():N}:";

    protected override Task<IStudyStore> CreateStoreAsync() => Task.FromResult<IStudyStore>(new RedisStudyStore(redis.Connection, _prefix));

    protected override Task<IStudyStore?> OtherReaderAsync() => Task.FromResult<IStudyStore?>(new RedisStudyStore(redis.Connection, _prefix));

    [Fact]
    public async Task AReportAppendsItsOwnValueNotTheWholeSeries()
    {
        var (study, _) = await ReportManyAsync(2000);
        var entries = await redis.Connection.GetDatabase().StreamRangeAsync($"{_prefix}{{s:{study.Id}}}:events");
        // What another replica reads to catch up: with the whole series in each change it was about 40 MB.
        var longest = entries.Max(e => e.Values.Sum(v => v.Value.ToString().Length));
        Assert.True(longest < 1000, $"longest stream entry: {longest} characters");
    }

    [Fact]
    public async Task AnotherReplicaSeesChangesAndReloadsWhenTheStreamWasTrimmedPastIt()
    {
        var replicaB = new RedisStudyStore(redis.Connection, _prefix);
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        await ClaimAsync(study, Claim(2));
        Assert.Equal(2, (await replicaB.GetTrialsAsync(study, default)).Count);

        var more = await ClaimAsync(study, Claim(2));
        await Store.UpdateTrialAsync(study, more[0], TrialTransitions.Finish("study", more[0], TrialState.Complete, [9.0], "", Trial.EmptyAttrs, DateTimeOffset.UtcNow), UpdateOptions.None, default);
        var db = redis.Connection.GetDatabase();
        var events = (await db.KeyTypeAsync($"{_prefix}{{s:{study.Id}}}:events")) == RedisType.Stream ? $"{_prefix}{{s:{study.Id}}}:events" : throw new InvalidOperationException("no events stream");
        await db.StreamTrimAsync(events, 1);
        await ClaimAsync(study, Claim(1));

        var seen = await replicaB.GetTrialsAsync(study, default);
        Assert.Equal(5, seen.Count);
        Assert.Equal([9.0], seen[2].Values);
    }

    [Fact]
    public async Task AMissingOrStaleNameIndexIsRebuiltFromTheNamesHash()
    {
        foreach (var name in new[] { "c", "a", "b" })
        {
            await Store.CreateStudyAsync(Definition(name), false, default);
        }

        var db = redis.Connection.GetDatabase();
        await db.KeyDeleteAsync($"{_prefix}study-index"); // as a deployment from before the index, or a writer that died between its two steps
        await db.SortedSetAddAsync($"{_prefix}study-index", "ghost", 0);
        Assert.Equal(["a", "b", "c"], (await Store.ListStudiesAsync(null, 10, default)).Select(s => s.Name));
        Assert.Equal(["c"], (await Store.ListStudiesAsync("b", 10, default)).Select(s => s.Name));
        Assert.Equal(3, await db.SortedSetLengthAsync($"{_prefix}study-index"));
    }

    [Fact]
    public async Task AnIndexThatOnlyLacksNamesOrOnlyHasExtraOnesIsRepairedToo()
    {
        await Store.CreateStudyAsync(Definition("a"), false, default);
        await Store.CreateStudyAsync(Definition("b"), false, default);
        var db = redis.Connection.GetDatabase();
        // As while another replica is between writing a new name and indexing it: nothing is stale.
        await db.SortedSetRemoveAsync($"{_prefix}study-index", "b");
        Assert.Equal(["a", "b"], (await Store.ListStudiesAsync(null, 10, default)).Select(s => s.Name));

        // As while another replica deletes a study: nothing is missing, one name is stale.
        await db.SortedSetAddAsync($"{_prefix}study-index", "gone", 0);
        Assert.Equal(["a", "b"], (await Store.ListStudiesAsync(null, 10, default)).Select(s => s.Name));
        Assert.Equal(2, await db.SortedSetLengthAsync($"{_prefix}study-index"));
    }

    [Fact]
    public async Task AStudyHalfwayThroughItsDeletionLeavesNoHoleInAPage()
    {
        var studies = new List<Study>();
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            studies.Add(await Store.CreateStudyAsync(Definition(name), false, default));
        }

        // Deletion removes the definition first, then the name: "b" is between the two steps.
        await redis.Connection.GetDatabase().KeyDeleteAsync($"{_prefix}{{s:{studies[1].Id}}}:meta");
        Assert.Equal(["a", "c"], (await Store.ListStudiesAsync(null, 2, default)).Select(s => s.Name));
        Assert.Equal(["d"], (await Store.ListStudiesAsync("c", 2, default)).Select(s => s.Name));
    }

    [Fact]
    public async Task EveryKeyOfAStudySharesOneHashSlot()
    {
        var study = await Store.CreateStudyAsync(Definition(), false, default);
        await ClaimAsync(study, Claim(1, "r"));
        await Store.EnqueueAsync(study, Params(0.5), default);
        var server = redis.Connection.GetServer(redis.Server.Configuration);
        var keys = server.Keys(pattern: $"{_prefix}{{s:*").Select(k => (string)k!).ToList();
        Assert.True(keys.Count >= 6, string.Join(", ", keys));
        Assert.Single(keys.Select(k => redis.Connection.HashSlot(k)).Distinct());
    }
}
