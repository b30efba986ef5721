using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tasks.FashionMnist;

/// <summary>The Fashion-MNIST training set split into train and validation tensors, pixels scaled to [0, 1].</summary>
internal sealed class FashionMnistData(Tensor trainX, Tensor trainY, Tensor validX, Tensor validY)
{
    public const string DebianPackageDir = "/usr/share/datasets/fashion-mnist";

    public Tensor TrainX { get; } = trainX;

    public Tensor TrainY { get; } = trainY;

    public Tensor ValidX { get; } = validX;

    public Tensor ValidY { get; } = validY;

    /// <summary>
    /// The first <paramref name="trainSamples"/> images for training, the last <paramref name="validationSamples"/> for
    /// validation; with <paramref name="labels"/>, only the images of those classes (a smaller data set of its own).
    /// </summary>
    public static FashionMnistData Load(string dataDir, int trainSamples, int validationSamples, IReadOnlyList<int>? labels = null)
    {
        var imagesPath = Path.Combine(dataDir, "train-images-idx3-ubyte.gz");
        if (!File.Exists(imagesPath))
        {
            throw new FileNotFoundException(
                $"Fashion-MNIST is not at {dataDir}; install Debian's package with 'apt-get install -y dataset-fashion-mnist' or set data_dir in the task file", imagesPath);
        }

        var (pixels, count, rows, columns) = IdxFile.ReadImages(imagesPath);
        var classes = IdxFile.ReadLabels(Path.Combine(dataDir, "train-labels-idx1-ubyte.gz"));
        var kept = labels is null ? null : Enumerable.Range(0, count).Where(i => labels.Contains(classes[i])).Select(i => (long)i).ToArray();
        var available = kept?.Length ?? count;
        if (trainSamples + validationSamples > available)
        {
            throw new ArgumentException($"train_samples + validation_samples = {trainSamples + validationSamples} exceeds the {available} images"
                + (labels is null ? "" : $" of labels {string.Join(", ", labels)}"));
        }

        var size = rows * columns;
        var x = torch.tensor(pixels, [count, size]).to_type(ScalarType.Float32).div_(255f);
        var y = torch.tensor(classes.Select(b => (long)b).ToArray());
        if (kept is not null)
        {
            using var index = torch.tensor(kept);
            using var allX = x;
            using var allY = y;
            (x, y, count) = (allX.index_select(0, index), allY.index_select(0, index), kept.Length);
        }
        var valid = count - validationSamples;
        return new FashionMnistData(x.narrow(0, 0, trainSamples), y.narrow(0, 0, trainSamples), x.narrow(0, valid, validationSamples), y.narrow(0, valid, validationSamples));
    }
}
