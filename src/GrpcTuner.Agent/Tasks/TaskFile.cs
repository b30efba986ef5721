using System.Globalization;
using GrpcTuner.Agent.Tasks.FashionMnist;
using GrpcTuner.Agent.Tasks.Text;
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
/// or
/// <code>
/// task: bert-classification
/// model_dir: models/bert-tiny          # config.json, model.safetensors, vocab.txt
/// train_file: data/train.jsonl         # JSONL {"text", "label"} or CSV with text,label
/// validation_file: data/valid.jsonl    # or validation_fraction: 0.1
/// </code>
/// or the same keys with <c>task: causal-lm</c> for a LLaMA-family decoder (tokenizer.model, or
/// vocab.json and merges.txt, in model_dir; JSONL {"text"} or plain-text lines).
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
        // Relative paths in a task file are relative to the file, so a task travels with its data.
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string? PathOf(string key) => Get(key) is { } p ? Path.GetFullPath(p, folder) : null;
        string Required(string key) => PathOf(key) ?? throw new InvalidDataException($"{path}: '{key}' is required for task '{Get("task")}'");
        return Get("task") switch
        {
            "fashion-mnist" => new FashionMnistTask(PathOf("data_dir") ?? FashionMnistData.DebianPackageDir, Int("train_samples", 12_000), Int("validation_samples", 2_000)),
            "bert-classification" => new BertClassificationTask(Required("model_dir"), Required("train_file"), PathOf("validation_file"),
                Get("validation_fraction") is { } f ? double.Parse(f, CultureInfo.InvariantCulture) : 0.1),
            "causal-lm" => new CausalLmTask(Required("model_dir"), Required("train_file"), PathOf("validation_file"),
                Get("validation_fraction") is { } f ? double.Parse(f, CultureInfo.InvariantCulture) : 0.1),
            var other => throw new InvalidDataException($"{path}: task '{other}' is not one of: fashion-mnist, bert-classification, causal-lm"),
        };
    }
}
