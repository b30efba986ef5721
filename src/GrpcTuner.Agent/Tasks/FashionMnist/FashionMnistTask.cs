using System.Globalization;
using GrpcTuner.Agent.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tasks.FashionMnist;

/// <summary>
/// Image classification on Fashion-MNIST with a multi-layer perceptron: the real-data demo that
/// runs in minutes on a CPU. Metric: validation accuracy (maximize); a trial that runs to its end
/// also records its accuracy on the official test set as test_accuracy. Its own hyperparameters:
/// hidden_size (default 128) and dropout (default 0.1). <paramref name="labels"/> keeps only some classes,
/// which makes data sets of their own (Coverage-based Search needs several).
/// </summary>
public sealed class FashionMnistTask(string dataDir, int trainSamples, int validationSamples, IReadOnlyList<int>? labels = null) : ITrainingTask
{
    private readonly Lazy<FashionMnistData> _data = new(() => FashionMnistData.Load(dataDir, trainSamples, validationSamples, labels));

    public IReadOnlyCollection<string> TaskParameters { get; } = ["hidden_size", "dropout"];

    public Task PrepareAsync(CancellationToken ct) =>
        File.Exists(Path.Combine(dataDir, "train-images-idx3-ubyte.gz")) || dataDir != FashionMnistData.DebianPackageDir
            ? Task.CompletedTask
            : DebianPackage.InstallAsync("dataset-fashion-mnist", ct);

    public TrainingOutcome Run(TrialContext context, CancellationToken ct)
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
        var device = context.Device;
        double Accuracy(Tensor x, Tensor y)
        {
            using var scope = torch.NewDisposeScope();
            return model.forward(x.to(device)).argmax(1).eq(y.to(device)).to_type(ScalarType.Float32).mean().item<float>();
        }

        var outcome = new EpochTrainer(context, model, optimizer, data.TrainX.shape[0]).Run(
            index => nn.functional.cross_entropy(model.forward(data.TrainX.index_select(0, index).to(device)), data.TrainY.index_select(0, index).to(device)),
            () => Accuracy(data.ValidX, data.ValidY),
            "accuracy",
            ct);
        if (outcome.Pruned || data.Test is not { } test)
        {
            return outcome;
        }

        model.eval();
        double testAccuracy;
        using (torch.no_grad())
        {
            testAccuracy = Accuracy(test.X, test.Y);
        }

        return outcome with { Attributes = new Dictionary<string, string> { ["test_accuracy"] = testAccuracy.ToString("R", CultureInfo.InvariantCulture) } };
    }
}
