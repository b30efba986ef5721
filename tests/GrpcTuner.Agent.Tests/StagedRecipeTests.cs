using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Agent.Tests;

/// <summary>The seed-sweep recipe through 'grpctuner run': a sweep over seeds, then PBT from the best of them, with real agents on Fashion-MNIST.</summary>
public sealed class StagedRecipeTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);
    private readonly string _dir = Directory.CreateTempSubdirectory("staged-").FullName;
    private ServerReplica _server = null!;

    public async Task InitializeAsync() =>
        _server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null, ReapInterval = TimeSpan.FromMilliseconds(200) });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task TheSecondStagesMembersStartFromTheBestSeedsParamsAndCheckpoints()
    {
        var spec = Path.Combine(_dir, "recipe.yaml");
        await File.WriteAllTextAsync(spec, """
            name: recipe
            directions: [maximize]
            sampler: {type: random, seed: 11}
            params:
              - {name: seed, type: int, low: 0, high: 100000}
              - {name: learning_rate, type: float, low: 0.001, high: 0.01, log: true}
              - {name: hidden_size, type: int, low: 32, high: 32}
              - {name: num_epochs, type: int, low: 2, high: 2}
            stages:
              - {name: seeds, trials: 4}
              - name: pbt
                from_best: 2
                pruner: {type: pbt, perturbation_interval: 1, resample_probability: 0}
                params: [{name: num_epochs, type: int, low: 4, high: 4}]
            """);
        var task = Path.Combine(_dir, "task.yaml");
        await File.WriteAllTextAsync(task, "task: fashion-mnist\ntrain_samples: 2000\nvalidation_samples: 500\n");
        var checkpoints = Path.Combine(_dir, "checkpoints");

        using var run = AgentProcess.StartCli("run", "--spec", spec, "--task", task, "--agents", "2", "--server", _server.Address, "--checkpoint-dir", checkpoints);
        var code = await run.WaitForExitAsync(Patience);
        Assert.True(code == 0, $"exit code {code}:\n{run.Output}");

        var client = _server.Client(new TunerClientOptions { WorkerId = "test" });
        var first = await client.LoadStudyAsync("recipe-seeds");
        var seeds = await first.TrialsAsync();
        var best = seeds.Where(t => t.State == TrialState.Complete).OrderByDescending(t => t.Values[0]).Take(2).ToList();
        Assert.Equal(4, seeds.Count);
        var members = await (await client.LoadStudyAsync("recipe-pbt")).TrialsAsync();
        Assert.Equal(2, members.Count);
        Assert.Equal(best.Select(t => CheckpointLayout.TrialFolder(first.Info, t.Number)).Order(), members.Select(m => m.UserAttrs[WarmStart.CheckpointAttr]).Order());
        foreach (var member in members)
        {
            var origin = best.Single(t => member.UserAttrs[WarmStart.CheckpointAttr] == CheckpointLayout.TrialFolder(first.Info, t.Number));
            Assert.Equal(TrialState.Complete, member.State);
            // Measured on Fashion-MNIST's official test split, which tuning never sees.
            Assert.InRange(double.Parse(member.UserAttrs["test_accuracy"], System.Globalization.CultureInfo.InvariantCulture), 0.5, 1.0);
            Assert.Equal(origin.Params["seed"], member.Params["seed"]);
            Assert.Equal(4, member.Params["num_epochs"].IntValue);
            // Two epochs were trained in the first stage: the member goes on with the third and fourth.
            Assert.Equal([2L, 3L], member.IntermediateValues.Select(v => v.Step));
            Assert.Contains($"trial {member.Number} resumes after epoch 2 from {Path.Combine(checkpoints, CheckpointLayout.TrialFolder(first.Info, origin.Number))}", run.Output);
        }

        Assert.Contains("starts from trials", run.Output);
    }
}
