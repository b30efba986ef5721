using System.Globalization;
using GrpcTuner.Agent.Tasks.FashionMnist;
using GrpcTuner.Agent.Tasks.Text;
using GrpcTuner.Agent.Training;
using GrpcTuner.V1;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GrpcTuner.Agent.Tasks;

/// <summary>
/// Reads a task file (YAML or JSON) naming what to train:
/// <code>
/// task: fashion-mnist
/// data_dir: /usr/share/datasets/fashion-mnist   # default: where Debian's package puts it
/// train_samples: 12000
/// validation_samples: 2000
/// labels: [0, 2, 4]                            # optional: only these classes (0 to 9)
/// </code>
/// or
/// <code>
/// task: bert-classification
/// model_dir: models/minilm             # a Hugging Face folder: config.json, weights, tokenizer files
/// train_file: data/train.jsonl         # JSONL {"text", "label"} or {"text", "text_pair", "label"}, or CSV
/// validation_file: data/valid.jsonl    # or validation_fraction: 0.1
/// test_file: data/test.jsonl           # optional: scored once, by the finished model
/// initialization: pretrained           # or random: the same architecture from scratch
/// </code>
/// where, instead of the files, <c>dataset: fortunes</c> with <c>fortune_categories: [computers,
/// food, ...]</c> (and optionally <c>per_class: N</c>) builds the data from Debian's fortunes
/// package; or <c>task: causal-lm</c> with model_dir, train_file and validation_file or
/// validation_fraction for a LLaMA-family decoder (JSONL {"text"} or plain-text lines).
/// Any task file may add <c>defaults:</c>, hyperparameter values for whatever the study does not
/// tune (for example <c>gradient_checkpointing: true</c>, <c>group_by_length: true</c>).
/// Relative paths are relative to the task file.
/// </summary>
public static class TaskFile
{
    private static readonly string[] Tasks = ["fashion-mnist", "bert-classification", "causal-lm"];

    /// <summary>Fashion-MNIST classes to keep: distinct, 0 to 9; null keeps all.</summary>
    private static int[]? Labels(Fields file)
    {
        if (file.List("labels") is not { } items)
        {
            return null;
        }

        var labels = items.Select(l => int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 9
            ? n
            : throw new InvalidDataException($"{file.Path}: labels: '{l}' is not a Fashion-MNIST class (0 to 9)")).ToArray();
        return labels.Length > 0 && labels.Distinct().Count() == labels.Length
            ? labels
            : throw new InvalidDataException($"{file.Path}: labels: must list distinct classes, at least one");
    }

    public static ITrainingTask Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"task file {path} does not exist", path);
        }

        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(File.ReadAllText(path)));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{path}:{e.Start.Line}:{e.Start.Column}: {e.Message}", e);
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InvalidDataException($"{path}: expected a mapping with at least 'task'");
        }

        var file = new Fields(path, root);
        ITrainingTask task = file.Text("task") switch
        {
            "fashion-mnist" => new FashionMnistTask(file.PathOf("data_dir") ?? FashionMnistData.DebianPackageDir, file.Int("train_samples", 12_000), file.Int("validation_samples", 2_000),
                Labels(file)),
            "bert-classification" => BertClassification(file),
            "causal-lm" => new CausalLmTask(file.Required("model_dir"), file.Required("train_file"), file.PathOf("validation_file"), file.Double("validation_fraction", 0.1)),
            null => throw new InvalidDataException($"{path}: 'task' is required, one of: {string.Join(", ", Tasks)}"),
            var other => throw new InvalidDataException($"{path}: task '{other}' is not one of: {string.Join(", ", Tasks)}"),
        };
        return file.Defaults() is { Count: > 0 } defaults ? new DefaultedTask(task, defaults) : task;
    }

    private static BertClassificationTask BertClassification(Fields file)
    {
        var init = file.Text("initialization") ?? "pretrained";
        if (init is not ("pretrained" or "random"))
        {
            throw new InvalidDataException($"{file.Path}: initialization '{init}' is not one of: pretrained, random");
        }

        var model = file.Required("model_dir");
        switch (file.Text("dataset"))
        {
            case null:
                var (train, validation, test) = (file.Required("train_file"), file.PathOf("validation_file"), file.PathOf("test_file"));
                var fraction = file.Double("validation_fraction", 0.1);
                return new BertClassificationTask(model, () => ClassificationData.FromFiles(train, validation, fraction, test), init == "random");
            case "fortunes":
                var categories = file.List("fortune_categories") ?? throw new InvalidDataException($"{file.Path}: dataset 'fortunes' needs fortune_categories, a list of files in {FortunesDataset.Folder}");
                var perClass = file.Text("per_class") is null ? (int?)null : file.Int("per_class", 0);
                return new BertClassificationTask(model, () =>
                {
                    var (tr, va, te) = FortunesDataset.Build(FortunesDataset.Folder, categories, perClass);
                    return new ClassificationData(tr, va, te);
                }, init == "random", ct => Directory.Exists(FortunesDataset.Folder) ? Task.CompletedTask : DebianPackage.InstallAsync(FortunesDataset.Package, ct));
            case var other:
                throw new InvalidDataException($"{file.Path}: dataset '{other}' is not known; use train_file, or dataset: fortunes");
        }
    }

    /// <summary>The task file's top-level keys, read with errors that name the file and the key.</summary>
    private sealed class Fields(string path, YamlMappingNode root)
    {
        // Relative paths in a task file are relative to the file, so a task travels with its data.
        private readonly string _folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;

        public string Path => path;

        public string? Text(string key) => Node(key) switch
        {
            null => null,
            YamlScalarNode s => s.Value,
            _ => throw new InvalidDataException($"{path}: '{key}' must be a single value"),
        };

        public IReadOnlyList<string>? List(string key) => Node(key) switch
        {
            null => null,
            YamlSequenceNode seq => seq.Children.Select(c => (c as YamlScalarNode)?.Value ?? throw new InvalidDataException($"{path}: '{key}' must be a list of names")).ToList(),
            YamlScalarNode s => s.Value!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            _ => throw new InvalidDataException($"{path}: '{key}' must be a list of names"),
        };

        public int Int(string key, int fallback) => Text(key) is { } s
            ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidDataException($"{path}: '{key}' must be an integer, got '{s}'")
            : fallback;

        public double Double(string key, double fallback) => Text(key) is { } s
            ? double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidDataException($"{path}: '{key}' must be a number, got '{s}'")
            : fallback;

        public string? PathOf(string key) => Text(key) is { } p ? System.IO.Path.GetFullPath(p, _folder) : null;

        public string Required(string key) => PathOf(key) ?? throw new InvalidDataException($"{path}: '{key}' is required for task '{Text("task")}'");

        /// <summary>The 'defaults' mapping: hyperparameter values for what a study does not tune.</summary>
        public Dictionary<string, ParamValue> Defaults()
        {
            var values = new Dictionary<string, ParamValue>(StringComparer.Ordinal);
            switch (Node("defaults"))
            {
                case null:
                    return values;
                case YamlMappingNode map:
                    foreach (var (key, value) in map.Children)
                    {
                        var (name, text) = (((YamlScalarNode)key).Value!, (value as YamlScalarNode)?.Value ?? throw new InvalidDataException($"{path}: defaults.{key} must be a single value"));
                        values[name] = bool.TryParse(text, out var b) ? new ParamValue { BoolValue = b }
                            : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? new ParamValue { IntValue = i }
                            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? new ParamValue { FloatValue = d }
                            : new ParamValue { StringValue = text };
                    }

                    return values;
                default:
                    throw new InvalidDataException($"{path}: 'defaults' must map hyperparameter names to values");
            }
        }

        private YamlNode? Node(string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;
    }
}
