using GrpcTuner.Agent.Tasks.FashionMnist;
using GrpcTuner.Agent.Training;
using GrpcTuner.V1;
using TorchSharp;

namespace GrpcTuner.Agent.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("checkpoint-").FullName;

    [Fact]
    public async Task AnInterruptedRunResumedFromItsCheckpointEndsExactlyAsAnUninterruptedOne()
    {
        var task = new FashionMnistTask(FashionMnistData.DebianPackageDir, 2000, 500);
        var straight = await RunAsync(task, checkpointDir: null, resumeFrom: null, stopAfter: null);
        Assert.Equal(4, straight.Count);
        Assert.Equal(straight, await RunAsync(task, Path.Combine(_dir, "probe"), resumeFrom: null, stopAfter: null));

        var folder = Path.Combine(_dir, "trial-0");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(task, folder, resumeFrom: null, stopAfter: 2));
        Assert.True(File.Exists(Path.Combine(folder, "epoch-00002", "optimizer.bin")));
        Assert.True(Directory.Exists(Path.Combine(folder, "epoch-00001")), "the checkpoint before the last is kept for readers");
        var resumed = await RunAsync(task, Path.Combine(_dir, "trial-1"), resumeFrom: folder, stopAfter: null);

        // Weights, optimizer moments, schedule step, shuffling and dropout all continue where they were.
        Assert.Equal(straight.Skip(2), resumed);
    }

    private static async Task<List<double>> RunAsync(FashionMnistTask task, string? checkpointDir, string? resumeFrom, int? stopAfter)
    {
        using var stop = new CancellationTokenSource();
        var metrics = new List<double>();
        var hp = HyperParameters.Parse(new Dictionary<string, ParamValue>
        {
            ["num_epochs"] = new() { IntValue = 4 },
            ["seed"] = new() { IntValue = 9 },
            ["lr_scheduler"] = new() { StringValue = "cosine" },
            ["warmup_ratio"] = new() { FloatValue = 0.1 },
            ["dropout"] = new() { FloatValue = 0.3 },
            ["hidden_size"] = new() { IntValue = 32 },
        }, task.TaskParameters);
        var context = new TrialContext(0, hp, torch.CPU, (_, metric, _) =>
        {
            metrics.Add(metric);
            if (metrics.Count == stopAfter)
            {
                stop.Cancel();
            }

            return Task.FromResult(ReportDecision.Continue);
        }, _ => { }, checkpointDir, resumeFrom);
        task.Run(context, stop.Token);
        return metrics;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
