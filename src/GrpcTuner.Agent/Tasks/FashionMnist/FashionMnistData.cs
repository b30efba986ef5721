using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tasks.FashionMnist;

/// <summary>
/// The Fashion-MNIST training set split into train and validation tensors, and its official test
/// set where the folder has it (null otherwise), pixels scaled to [0, 1].
/// </summary>
internal sealed class FashionMnistData(Tensor trainX, Tensor trainY, Tensor validX, Tensor validY, (Tensor X, Tensor Y)? test)
{
    public const string DebianPackageDir = "/usr/share/datasets/fashion-mnist";

    public Tensor TrainX { get; } = trainX;

    public Tensor TrainY { get; } = trainY;

    public Tensor ValidX { get; } = validX;

    public Tensor ValidY { get; } = validY;

    /// <summary>The 10,000 test images (of the kept classes), never seen while tuning; null where the folder has none.</summary>
    public (Tensor X, Tensor Y)? Test { get; } = test;

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

        var (x, y) = Read(imagesPath, Path.Combine(dataDir, "train-labels-idx1-ubyte.gz"), labels);
        var count = (int)x.shape[0];
        if (trainSamples + validationSamples > count)
        {
            throw new ArgumentException($"train_samples + validation_samples = {trainSamples + validationSamples} exceeds the {count} images"
                + (labels is null ? "" : $" of labels {string.Join(", ", labels)}"));
        }

        var testImages = Path.Combine(dataDir, "t10k-images-idx3-ubyte.gz");
        var test = File.Exists(testImages) ? Read(testImages, Path.Combine(dataDir, "t10k-labels-idx1-ubyte.gz"), labels) : ((Tensor, Tensor)?)null;
        var valid = count - validationSamples;
        return new FashionMnistData(x.narrow(0, 0, trainSamples), y.narrow(0, 0, trainSamples), x.narrow(0, valid, validationSamples), y.narrow(0, valid, validationSamples), test);
    }

    /// <summary>Images as rows of pixels in [0, 1] and their classes, only those of <paramref name="labels"/> when given.</summary>
    private static (Tensor X, Tensor Y) Read(string imagesPath, string labelsPath, IReadOnlyList<int>? labels)
    {
        var (pixels, count, rows, columns) = IdxFile.ReadImages(imagesPath);
        var classes = IdxFile.ReadLabels(labelsPath);
        var x = torch.tensor(pixels, [count, rows * columns]).to_type(ScalarType.Float32).div_(255f);
        var y = torch.tensor(classes.Select(b => (long)b).ToArray());
        if (labels is null)
        {
            return (x, y);
        }

        using var index = torch.tensor(Enumerable.Range(0, count).Where(i => labels.Contains(classes[i])).Select(i => (long)i).ToArray());
        using var allX = x;
        using var allY = y;
        return (allX.index_select(0, index), allY.index_select(0, index));
    }
}
