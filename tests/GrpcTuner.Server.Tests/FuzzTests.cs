using Grpc.Core;
using GrpcTuner.Client;
using GrpcTuner.Testing;
using GrpcTuner.V1;
using Xunit.Abstractions;

namespace GrpcTuner.Server.Tests;

/// <summary>Random, mutated and garbage requests against a replica in its own process: it must not crash, never answer bad input with INTERNAL, UNKNOWN or UNAVAILABLE, and keep its memory bounded.</summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public async Task FiveThousandWildRequestsGetOnlyCleanRefusals()
    {
        var journal = Path.Combine(Path.GetTempPath(), $"fuzz-{Guid.NewGuid():N}.journal");
        await using var server = await ServerProcess.StartAsync("--no-auth", "--journal", journal);
        using (var client = new TunerClient(server.Address))
        {
            var study = await client.CreateStudyAsync(TwoReplicasFixture.Study("fuzz"));
            await study.TellAsync(await study.AskAsync(), 0.5);
            await study.AskAsync();
        }

        var fuzzer = new RequestFuzzer(seed: 7, knownStudy: "fuzz");
        await fuzzer.RunAsync(server.Address, 500);
        var warm = server.ResidentBytes;
        await fuzzer.RunAsync(server.Address, 4500);
        var end = server.ResidentBytes;

        output.WriteLine($"resident memory {warm / 1048576} MB after 500 requests, {end / 1048576} MB after 5,000");
        foreach (var ((kind, status), count) in fuzzer.Statuses.OrderBy(s => s.Key.Kind).ThenBy(s => s.Key.Status))
        {
            output.WriteLine($"{kind,-8} {status,-20} {count}");
        }

        Assert.False(server.HasExited, "the server died");
        using (var client = new TunerClient(server.Address))
        {
            // Still serving (the fuzz may well have deleted "fuzz": with authentication off, that is allowed).
            Assert.NotNull(await client.Raw.ListStudiesAsync(new ListStudiesRequest()));
        }

        Assert.True(fuzzer.Suspicious.Count == 0, string.Join("\n", fuzzer.Suspicious));
        Assert.True(end - warm < 300L * 1024 * 1024, $"resident memory grew by {(end - warm) / 1048576} MB");
        File.Delete(journal);
    }
}
