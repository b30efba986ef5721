using GrpcTuner.Client;
using GrpcTuner.Server;
using GrpcTuner.Testing;
using GrpcTuner.V1;

namespace GrpcTuner.Agent.Tests;

/// <summary>Real agents (separate processes) against a real server on the embedded store, training Fashion-MNIST on the CPU.</summary>
public sealed class AgentEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private ServerReplica _server = null!;
    private string _task = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerReplica.StartAsync(new ServerOptions { NoAuth = true, JournalPath = null, ReapInterval = TimeSpan.FromMilliseconds(200) });
        _task = Path.GetTempFileName();
        await File.WriteAllTextAsync(_task, "task: fashion-mnist\ntrain_samples: 4000\nvalidation_samples: 1000\n");
    }

    public async Task DisposeAsync()
    {
        File.Delete(_task);
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task AnUnknownStudyOrNoServerIsOneErrorLineWithTheFix()
    {
        using (var unknown = AgentProcess.Start("--server", _server.Address, "--study", "no-such-study", "--task", _task))
        {
            Assert.Equal(1, await unknown.WaitForExitAsync(Patience));
            Assert.Equal(["error: NotFound: study 'no-such-study' does not exist"], unknown.ErrorLines);
        }

        using (var threads = AgentProcess.Start("--server", _server.Address, "--study", "no-such-study", "--task", _task, "--threads", "-1"))
        {
            Assert.Equal(1, await threads.WaitForExitAsync(Patience));
            Assert.Equal(["error: --threads: must be >= 1 (or 0 for the default), got -1"], threads.ErrorLines);
        }

        var port = RedisServer.FreePort();
        using var nowhere = AgentProcess.Start("--server", $"127.0.0.1:{port}", "--study", "e2e", "--task", _task);
        Assert.Equal(1, await nowhere.WaitForExitAsync(Patience));
        var line = Assert.Single(nowhere.ErrorLines);
        Assert.StartsWith($"error: Unavailable: no server answers at http://127.0.0.1:{port} (", line);
        Assert.EndsWith("or give its address with --server or GRPCTUNER_SERVER", line);
    }

    [Fact]
    public async Task TwoAgentsCompleteAStudyAndPrunedTrialsStopAtTheirDecision()
    {
        var study = await CreateStudyAsync("e2e", epochs: 4, asha: true);
        using var a = Agent("a", study, "--max-trials", "4");
        using var b = Agent("b", study, "--max-trials", "4");
        Assert.Equal(0, await a.WaitForExitAsync(Patience));
        Assert.Equal(0, await b.WaitForExitAsync(Patience));

        var trials = await study.TrialsAsync();
        Assert.Equal(8, trials.Count);
        Assert.Contains(trials, t => t.State == TrialState.Complete);
        Assert.All(trials, t => Assert.True(t.State is TrialState.Complete or TrialState.Pruned, $"trial {t.Number} is {t.State}: {t.Reason}"));
        foreach (var t in trials)
        {
            // Every epoch is reported; a pruned trial's last report is the one answered PRUNE.
            var epochs = t.IntermediateValues.Count;
            Assert.Equal(t.State == TrialState.Complete ? 4 : epochs, epochs);
            if (t.State == TrialState.Pruned)
            {
                Assert.Equal($"pruned after epoch {epochs}", t.Reason);
            }

            // What the trial cost, as the agent measured it: an epoch's examples per epoch run, on the CPU.
            Assert.Equal((epochs, "cpu", 1), (t.Compute.Epochs, t.Compute.DeviceKind, t.Compute.DeviceCount));
            Assert.True(t.Compute.Samples > 0 && t.Compute.Samples % epochs == 0 && t.Compute.WallSeconds > 0 && t.Compute.CpuSeconds > 0, t.Compute.ToString());
        }

        using var reader = _server.Client(new TunerClientOptions { WorkerId = "reader" });
        Assert.Equal(trials.Sum(t => t.Compute.Samples), (await reader.Raw.GetStudyAsync(new GetStudyRequest { Study = study.Name })).ComputeTotal.Samples);

        Assert.Contains("summary w0:", a.Output);
        // Every agent lifts oneMKL's vendor check before its first matrix product (MklVendorCheck): on an
        // AMD CPU that is the line saying so, on an Intel one MKL needed no lifting.
        Assert.Matches("oneMKL: MKL (chooses its kernels by the CPU's features|found an Intel CPU)", a.Output);
        // tests/run.sh installs Debian's libjemalloc2: the agent started itself again under it, as one process.
        Assert.Contains("allocator: jemalloc (/usr/lib/x86_64-linux-gnu/libjemalloc.so.2, dirty_decay_ms:-1,muzzy_decay_ms:-1)", a.Output);
    }

    [Fact]
    public async Task AKilledAgentsTrialExpiresAndTheOtherAgentRunsItAgain()
    {
        var study = await CreateStudyAsync("killed", epochs: 30, asha: false);
        using (var doomed = Agent("doomed", study, "--lease-seconds", "2"))
        {
            await doomed.WaitForLineAsync("trial 0 epoch 1/30", Patience);
            doomed.Signal("KILL");
            await doomed.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        var failed = await WaitForStateAsync(study, 0, TrialState.Fail);
        Assert.Equal("lease expired", failed.Reason);
        // The re-run keeps its params; a smaller data set only keeps its 30 epochs quick.
        await File.WriteAllTextAsync(_task, "task: fashion-mnist\ntrain_samples: 1000\nvalidation_samples: 500\n");
        using var survivor = Agent("survivor", study, "--max-trials", "1");
        Assert.Equal(0, await survivor.WaitForExitAsync(Patience));
        var rerun = (await study.TrialsAsync()).Single(t => t.Number == 1);
        Assert.Equal(0, rerun.RetriedFrom);
        Assert.Equal(TrialState.Complete, rerun.State);
        Assert.Equal(failed.Params, rerun.Params);
    }

    [Fact]
    public async Task SigtermTellsTheRunningTrialInterruptedAndExitsZero()
    {
        var study = await CreateStudyAsync("sigterm", epochs: 30, asha: false);
        using var agent = Agent("stopped", study);
        await agent.WaitForLineAsync("trial 0 epoch 1/30", Patience);
        agent.Signal("TERM");
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var trial = (await study.TrialsAsync()).Single();
        Assert.Equal(TrialState.Fail, trial.State);
        Assert.Equal("interrupted", trial.Reason);
        Assert.Contains("told FAIL so it can run again", agent.Output);
    }

    [Fact]
    public async Task PbtMakesTheLaggingTrialLoadTheLeadersCheckpointAndRecordsIt()
    {
        var client = _server.Client(new TunerClientOptions { WorkerId = "test" });
        var request = new CreateStudyRequest
        {
            Name = "pbt-agents",
            Directions = { Direction.Maximize },
            Sampler = new SamplerConfig { Seed = 1, Random = new RandomSamplerConfig() },
            Pruner = new PrunerConfig { Pbt = new PbtConfig { PerturbationInterval = 1, QuantileFraction = 0.5, ResampleProbability = 0 } },
            SearchSpace = new SearchSpace
            {
                Params =
                {
                    new ParamSpec { Name = "learning_rate", Float = new FloatDistribution { Low = 1e-5, High = 1e-1, Log = true } },
                    new ParamSpec { Name = "num_epochs", Int = new IntDistribution { Low = 8, High = 8 } },
                },
            },
        };
        var study = await client.CreateStudyAsync(request);
        // A good configuration and a hopeless one: the hopeless one must end up exploiting the good one.
        foreach (var lr in new[] { 3e-3, 1e-5 })
        {
            await study.EnqueueAsync(new Dictionary<string, ParamValue> { ["learning_rate"] = new() { FloatValue = lr }, ["num_epochs"] = new() { IntValue = 8 } });
        }

        var checkpoints = Directory.CreateTempSubdirectory("pbt-ck-").FullName;
        try
        {
            using var good = Agent("good", study, "--max-trials", "1", "--checkpoint-dir", checkpoints);
            await good.WaitForLineAsync("trial 0 epoch 1/8", Patience);
            using var bad = Agent("bad", study, "--max-trials", "1", "--checkpoint-dir", checkpoints);
            Assert.Equal(0, await good.WaitForExitAsync(Patience));
            Assert.Equal(0, await bad.WaitForExitAsync(Patience));

            var lagging = (await study.TrialsAsync()).Single(t => t.Number == 1);
            Assert.Equal(TrialState.Complete, lagging.State);
            var first = Assert.IsType<LineageEntry>(lagging.Lineage.FirstOrDefault());
            Assert.Equal(0, first.Parent);
            Assert.StartsWith(Path.Combine(checkpoints, CheckpointLayout.TrialFolder(study.Info, 0), "epoch-"), first.Checkpoint);
            Assert.Equal(1e-5, first.OldParams["learning_rate"].FloatValue, 12);
            Assert.Contains(first.NewParams["learning_rate"].FloatValue, new[] { 3e-3 * 1.2, 3e-3 * 0.8 }.Select(v => Math.Round(v, 12)).ToArray(), new ToleranceComparer());
            Assert.Contains("exploits", bad.Output);
        }
        finally
        {
            Directory.Delete(checkpoints, recursive: true);
        }
    }

    [Fact]
    public async Task AStudyCreatedAgainUnderItsNameNeverResumesTheOldOnesCheckpoints()
    {
        var client = _server.Client(new TunerClientOptions { WorkerId = "test" });
        var checkpoints = Directory.CreateTempSubdirectory("recreated-ck-").FullName;
        try
        {
            for (var round = 0; round < 2; round++)
            {
                if (round == 1)
                {
                    await client.Raw.DeleteStudyAsync(new DeleteStudyRequest { Study = "recreated" });
                }

                var study = await CreateStudyAsync("recreated", epochs: 1, asha: false);
                using var agent = Agent($"round{round}", study, "--max-trials", "1", "--checkpoint-dir", checkpoints);
                Assert.Equal(0, await agent.WaitForExitAsync(Patience));
                Assert.Contains("trial 0 epoch 1/1", agent.Output);
                Assert.DoesNotContain("resumes", agent.Output);
            }

            Assert.Equal(2, Directory.GetDirectories(checkpoints).Length);
        }
        finally
        {
            Directory.Delete(checkpoints, recursive: true);
        }
    }

    private sealed class ToleranceComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-9;

        public int GetHashCode(double obj) => 0;
    }

    private AgentProcess Agent(string name, TunerStudy study, params string[] extra) =>
        AgentProcess.Start(["--server", _server.Address, "--study", study.Name, "--task", _task, "--name", name, .. extra]);

    private async Task<TunerStudy> CreateStudyAsync(string name, int epochs, bool asha)
    {
        var client = _server.Client(new TunerClientOptions { WorkerId = "test" });
        var request = new CreateStudyRequest
        {
            Name = name,
            Directions = { Direction.Maximize },
            MaxRetries = 1,
            Sampler = new SamplerConfig { Seed = 5, Tpe = new TpeSamplerConfig { NStartupTrials = 4 } },
            SearchSpace = new SearchSpace
            {
                Params =
                {
                    new ParamSpec { Name = "learning_rate", Float = new FloatDistribution { Low = 1e-4, High = 3e-2, Log = true } },
                    new ParamSpec { Name = "hidden_size", Int = new IntDistribution { Low = 16, High = 128, Log = true } },
                    new ParamSpec { Name = "num_epochs", Int = new IntDistribution { Low = epochs, High = epochs } },
                },
            },
        };
        if (asha)
        {
            request.Pruner = new PrunerConfig { SuccessiveHalving = new SuccessiveHalvingPrunerConfig { MinResource = 1, ReductionFactor = 2 } };
        }

        return await client.CreateStudyAsync(request);
    }

    private static async Task<Trial> WaitForStateAsync(TunerStudy study, long number, TrialState state)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var trial = (await study.TrialsAsync()).Single(t => t.Number == number);
            if (trial.State == state || DateTime.UtcNow > until)
            {
                Assert.Equal(state, trial.State);
                return trial;
            }

            await Task.Delay(100);
        }
    }
}
