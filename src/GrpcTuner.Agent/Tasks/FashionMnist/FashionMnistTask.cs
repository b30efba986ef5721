using System.Diagnostics;
using GrpcTuner.Agent.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tasks.FashionMnist;

/// <summary>
/// Image classification on Fashion-MNIST with a multi-layer perceptron: the real-data demo that
/// runs in minutes on a CPU. Metric: validation accuracy (maximize). Its own hyperparameters:
/// hidden_size (default 128) and dropout (default 0.1).
/// </summary>
public sealed class FashionMnistTask(string dataDir, int trainSamples, int validationSamples) : ITrainingTask
{
    private readonly Lazy<FashionMnistData> _data = new(() => FashionMnistData.Load(dataDir, trainSamples, validationSamples));

    public IReadOnlyCollection<string> TaskParameters { get; } = ["hidden_size", "dropout"];

    public Task PrepareAsync(CancellationToken ct) =>
        File.Exists(Path.Combine(dataDir, "train-images-idx3-ubyte.gz")) || dataDir != FashionMnistData.DebianPackageDir
            ? Task.CompletedTask
            : DebianPackage.InstallAsync("dataset-fashion-mnist", ct);

    public async Task<TrainingOutcome> RunAsync(TrialContext context, CancellationToken ct)
    {
        var hp = context.HyperParameters;
        var hidden = (int)HyperParameters.Integer(hp.Extra, "hidden_size", 128, 8, 8192);
        var dropout = HyperParameters.Number(hp.Extra, "dropout", 0.1, 0, 0.9);
        var data = _data.Value;
        torch.manual_seed(hp.Seed);
        using var model = nn.Sequential(
            ("fc1", nn.Linear(data.TrainX.shape[1], hidden)),
            ("act", nn.ReLU()),
            ("drop", nn.Dropout(dropout)),
            ("fc2", nn.Linear(hidden, 10)));
        model.to(context.Device);
        using var optimizer = optim.AdamW(model.parameters(), hp.LearningRate, weight_decay: hp.WeightDecay);
        var n = data.TrainX.shape[0];
        var batchesPerEpoch = (int)((n + hp.BatchSize - 1) / hp.BatchSize);
        var stepsPerEpoch = (batchesPerEpoch + hp.GradientAccumulationSteps - 1) / hp.GradientAccumulationSteps;
        var totalSteps = stepsPerEpoch * hp.NumEpochs;
        var warmup = hp.WarmupFor(totalSteps);
        var step = 0;
        var metric = 0.0;
        var shuffle = new Generator((ulong)hp.Seed);
        for (var epoch = 0; epoch < hp.NumEpochs; epoch++)
        {
            model.train();
            var clock = Stopwatch.StartNew();
            using var order = torch.randperm(n, generator: shuffle);
            for (var b = 0; b < batchesPerEpoch; b++)
            {
                ct.ThrowIfCancellationRequested();
                using (torch.NewDisposeScope())
                {
                    var index = order.narrow(0, b * hp.BatchSize, Math.Min(hp.BatchSize, n - (b * hp.BatchSize)));
                    var x = data.TrainX.index_select(0, index).to(context.Device);
                    var y = data.TrainY.index_select(0, index).to(context.Device);
                    var loss = nn.functional.cross_entropy(model.forward(x), y) / hp.GradientAccumulationSteps;
                    loss.backward();
                }

                if ((b + 1) % hp.GradientAccumulationSteps == 0 || b == batchesPerEpoch - 1)
                {
                    var factor = LearningRateSchedule.Factor(hp.LrScheduler, step++, warmup, totalSteps);
                    foreach (var group in optimizer.ParamGroups)
                    {
                        group.LearningRate = hp.LearningRate * factor;
                    }

                    optimizer.step();
                    optimizer.zero_grad();
                }
            }

            var samplesPerSecond = n / clock.Elapsed.TotalSeconds;
            metric = Evaluate(model, data, context.Device);
            context.Log($"trial {context.TrialNumber} epoch {epoch + 1}/{hp.NumEpochs} accuracy={metric:F4} samples/s={samplesPerSecond:F0}");
            if (await context.ReportAsync(epoch, metric).ConfigureAwait(false))
            {
                return new TrainingOutcome(true, metric, epoch + 1);
            }
        }

        return new TrainingOutcome(false, metric, hp.NumEpochs);
    }

    private static double Evaluate(Sequential model, FashionMnistData data, Device device)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var predicted = model.forward(data.ValidX.to(device)).argmax(1);
        return predicted.eq(data.ValidY.to(device)).to_type(ScalarType.Float32).mean().item<float>();
    }
}
