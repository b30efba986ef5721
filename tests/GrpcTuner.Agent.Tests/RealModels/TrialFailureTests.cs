using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing.Models;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Agent.Tests.RealModels;

/// <summary>
/// A checkpoint that cannot load fails the trial, with the reason naming the missing keys, and
/// never the agent, which goes on to its next trial; a run in which no trial completes exits
/// non-zero with one error line.
/// </summary>
public sealed class TrialFailureTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private ServerReplica _server = null!;
    private CheckpointVariant _broken = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null });
        _broken = CheckpointVariant.Make(w => w.Where(kv => !kv.Key.StartsWith("encoder.layer.3.attention.self.", StringComparison.Ordinal)).ToDictionary());
        _dir = Directory.CreateTempSubdirectory("grpctuner-fail-").FullName;
        var lines = RealTexts.Sentences("food", 20).Select((t, i) => System.Text.Json.JsonSerializer.Serialize(new { text = t, label = i % 2 == 0 ? "a" : "b" }));
        await File.WriteAllLinesAsync(Path.Combine(_dir, "data.jsonl"), lines);
        await File.WriteAllTextAsync(Path.Combine(_dir, "task.yaml"), $"task: bert-classification\nmodel_dir: {_broken.Folder}\ntrain_file: data.jsonl\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "spec.yaml"), "name: broken\ndirections: [maximize]\nsampler: {type: random, seed: 1}\nparams:\n  - {name: learning_rate, type: float, low: 1.0e-5, high: 1.0e-3, log: true}\n");
    }

    public async Task DisposeAsync()
    {
        _broken.Dispose();
        Directory.Delete(_dir, recursive: true);
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task AnUnloadableCheckpointFailsEachTrialAndTheAgentGoesOn()
    {
        var client = _server.Client(new TunerClientOptions { WorkerId = "test" });
        var study = await client.CreateStudyAsync(new CreateStudyRequest
        {
            Name = "broken",
            Directions = { Direction.Maximize },
            SearchSpace = new SearchSpace { Params = { new ParamSpec { Name = "learning_rate", Float = new FloatDistribution { Low = 1e-5, High = 1e-3, Log = true } } } },
        });
        using var agent = AgentProcess.Start("--server", _server.Address, "--study", "broken", "--task", Path.Combine(_dir, "task.yaml"), "--max-trials", "2");
        Assert.Equal(0, await agent.WaitForExitAsync(Patience));
        var trials = await study.TrialsAsync();
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.Equal(TrialState.Fail, t.State);
            Assert.Contains("lacks 6 weights the model needs: bert.encoder.layer.3.attention.self.key.bias", t.Reason);
        });
        Assert.Contains("0 complete, 0 pruned, 2 failed", agent.Output);
        Assert.DoesNotContain("   at ", agent.Output);
    }

    [Fact]
    public async Task ARunWhereNoTrialCompletesExitsNonZeroWithOneErrorLine()
    {
        using var run = AgentProcess.StartCli("run", "--spec", Path.Combine(_dir, "spec.yaml"), "--task", Path.Combine(_dir, "task.yaml"), "--agents", "1", "--trials", "2");
        Assert.Equal(1, await run.WaitForExitAsync(Patience));
        var errors = run.ErrorLines.Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Equal("error: no trial completed; see the table above", Assert.Single(errors));
        Assert.Contains("lacks 6 weights the model needs", run.Output);
    }
}
