using GrpcTuner.Agent.Tasks.FashionMnist;
using GrpcTuner.Agent.Training;
using GrpcTuner.V1;

namespace GrpcTuner.Agent.Tests;

public class TrainingTests
{
    [Fact]
    public async Task FashionMnistTrainingLearnsAndTheSameSeedGivesTheSameMetrics()
    {
        Assert.True(File.Exists(Path.Combine(FashionMnistData.DebianPackageDir, "train-images-idx3-ubyte.gz")),
            "Fashion-MNIST is missing: install it with 'apt-get install -y dataset-fashion-mnist' (tests/run.sh does)");
        var task = new FashionMnistTask(FashionMnistData.DebianPackageDir, 3000, 1000);
        var first = await RunAsync(task, seed: 3);
        var second = await RunAsync(task, seed: 3);
        var other = await RunAsync(task, seed: 4);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        // Ten balanced classes: chance is 0.1; two short epochs of an MLP reach far above it.
        Assert.True(first[^1] > 0.7, $"validation accuracy {first[^1]} after 2 epochs");
    }

    [Fact]
    public async Task APruneDecisionStopsTrainingAtThatEpoch()
    {
        var task = new FashionMnistTask(FashionMnistData.DebianPackageDir, 1000, 500);
        var reports = 0;
        var context = new TrialContext(0, HyperParameters.Parse(Params(seed: 1, epochs: 5), task.TaskParameters), TorchSharp.torch.CPU,
            (epoch, _, _) => Task.FromResult(++reports == 2 ? ReportDecision.Stop : ReportDecision.Continue), _ => { });
        var outcome = task.Run(context, CancellationToken.None);
        Assert.True(outcome.Pruned);
        Assert.Equal(2, outcome.Epochs);
        Assert.Equal(2, reports);
    }

    private static async Task<List<double>> RunAsync(FashionMnistTask task, int seed)
    {
        var metrics = new List<double>();
        var context = new TrialContext(0, HyperParameters.Parse(Params(seed, epochs: 2), task.TaskParameters), TorchSharp.torch.CPU,
            (_, metric, _) => { metrics.Add(metric); return Task.FromResult(ReportDecision.Continue); }, _ => { });
        var outcome = task.Run(context, CancellationToken.None);
        Assert.False(outcome.Pruned);
        return metrics;
    }

    private static Dictionary<string, ParamValue> Params(int seed, int epochs) => new()
    {
        ["learning_rate"] = new() { FloatValue = 3e-3 },
        ["per_device_batch_size"] = new() { IntValue = 64 },
        ["num_epochs"] = new() { IntValue = epochs },
        ["seed"] = new() { IntValue = seed },
        ["hidden_size"] = new() { IntValue = 64 },
        ["dropout"] = new() { FloatValue = 0.1 },
    };
}
