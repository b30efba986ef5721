using System.Globalization;
using GrpcTuner.Agent.Tasks.FashionMnist;
using GrpcTuner.Agent.Training;
using YamlDotNet.RepresentationModel;

namespace GrpcTuner.Agent.Tasks;

/// <summary>
/// Reads a task file (YAML or JSON) naming what to train:
/// <code>
/// task: fashion-mnist
/// data_dir: /usr/share/datasets/fashion-mnist   # default: where Debian's package puts it
/// train_samples: 12000
/// validation_samples: 2000
/// </code>
/// </summary>
public static class TaskFile
{
    public static ITrainingTask Load(string path)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(path)));
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InvalidDataException($"{path}: expected a mapping with at least 'task'");
        }

        string? Get(string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var v) ? ((YamlScalarNode)v).Value : null;
        int Int(string key, int fallback) => Get(key) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : fallback;
        return Get("task") switch
        {
            "fashion-mnist" => new FashionMnistTask(Get("data_dir") ?? FashionMnistData.DebianPackageDir, Int("train_samples", 12_000), Int("validation_samples", 2_000)),
            var other => throw new InvalidDataException($"{path}: task '{other}' is not one of: fashion-mnist"),
        };
    }
}
