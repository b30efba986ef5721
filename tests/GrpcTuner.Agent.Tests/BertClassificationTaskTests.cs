using GrpcTuner.Agent.Models.Bert;
using GrpcTuner.Agent.Tasks;
using GrpcTuner.Agent.Training;
using GrpcTuner.V1;
using TorchSharp;

namespace GrpcTuner.Agent.Tests;

/// <summary>The agent's BERT task end to end on files: a Hugging Face folder, a vocab.txt and JSONL data.</summary>
public sealed class BertClassificationTaskTests : IDisposable
{
    private static readonly string[] Words = ["the", "movie", "was", "plot", "actor", "scene", "long", "very", "quite", "film", "story", "ending"];
    private readonly string _dir = Directory.CreateTempSubdirectory("bert-task-").FullName;

    public BertClassificationTaskTests()
    {
        var model = Path.Combine(_dir, "model");
        torch.manual_seed(1);
        using (var bert = new BertForSequenceClassification(new BertConfig
        {
            VocabSize = 5 + Words.Length + 1, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64,
            MaxPositionEmbeddings = 32, NumLabels = 2, HiddenDropoutProb = 0, AttentionProbsDropoutProb = 0,
        }))
        {
            bert.SavePretrained(model);
        }

        File.WriteAllLines(Path.Combine(model, "vocab.txt"), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Words, "good"]);
        var rng = new Random(3);
        File.WriteAllLines(Path.Combine(_dir, "data.jsonl"), Enumerable.Range(0, 600).Select(i =>
        {
            var words = Enumerable.Range(0, 6).Select(_ => Words[rng.Next(Words.Length)]).ToList();
            if (i % 2 == 1)
            {
                words[rng.Next(words.Count)] = "good";
            }

            return $"{{\"text\": \"{string.Join(' ', words)}\", \"label\": \"{(i % 2 == 1 ? "pos" : "neg")}\"}}";
        }));
        File.WriteAllText(Path.Combine(_dir, "task.yaml"), "task: bert-classification\nmodel_dir: model\ntrain_file: data.jsonl\nvalidation_fraction: 0.2\n");
    }

    [Theory]
    [InlineData("full", 1e-3)]
    [InlineData("lora", 5e-3)]
    public async Task BothMethodsLearnFromTheFiles(string method, double learningRate)
    {
        var task = TaskFile.Load(Path.Combine(_dir, "task.yaml"));
        await task.PrepareAsync(CancellationToken.None);
        var metrics = new List<double>();
        var hp = HyperParameters.Parse(new Dictionary<string, ParamValue>
        {
            ["method"] = new() { StringValue = method },
            ["learning_rate"] = new() { FloatValue = learningRate },
            ["num_epochs"] = new() { IntValue = 8 },
            ["per_device_batch_size"] = new() { IntValue = 16 },
            ["lora_target_modules"] = new() { StringValue = "query,key,value,dense" },
            ["max_seq_length"] = new() { IntValue = 16 },
        }, task.TaskParameters);
        var context = new TrialContext(0, hp, torch.CPU, (_, m, _) => { metrics.Add(m); return Task.FromResult(ReportDecision.Continue); }, _ => { });
        var outcome = task.Run(context, CancellationToken.None);
        Assert.Equal(8, metrics.Count);
        Assert.True(outcome.Metric > 0.9, $"{method}: validation accuracy by epoch {string.Join(", ", metrics.Select(m => m.ToString("F3")))}");
    }

    [Fact]
    public async Task AMissingModelFolderIsNamed()
    {
        File.WriteAllText(Path.Combine(_dir, "bad.yaml"), "task: bert-classification\nmodel_dir: nowhere\ntrain_file: data.jsonl\n");
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => TaskFile.Load(Path.Combine(_dir, "bad.yaml")).PrepareAsync(CancellationToken.None));
        Assert.Contains("nowhere", e.Message);
    }

    [Fact]
    public void SentencePairsTrainOnTheSecondSentenceToo()
    {
        // Only the second sentence carries the label: a task that ignored text_pair would stay at chance.
        var rng = new Random(8);
        File.WriteAllLines(Path.Combine(_dir, "pairs.jsonl"), Enumerable.Range(0, 600).Select(i =>
        {
            string Sentence() => string.Join(' ', Enumerable.Range(0, 5).Select(_ => Words[rng.Next(Words.Length)]));
            var (a, b) = (Sentence(), Sentence());
            return System.Text.Json.JsonSerializer.Serialize(new { text = a, text_pair = i % 2 == 1 ? b + " good" : b, label = i % 2 == 1 ? "pos" : "neg" });
        }));
        File.WriteAllText(Path.Combine(_dir, "pairs.yaml"), "task: bert-classification\nmodel_dir: model\ntrain_file: pairs.jsonl\nvalidation_fraction: 0.2\n");
        var task = TaskFile.Load(Path.Combine(_dir, "pairs.yaml"));
        var hp = task.HyperParametersOf(new Dictionary<string, ParamValue>
        {
            ["learning_rate"] = new() { FloatValue = 1e-3 },
            ["num_epochs"] = new() { IntValue = 8 },
            ["per_device_batch_size"] = new() { IntValue = 16 },
            ["max_seq_length"] = new() { IntValue = 24 },
        });
        var metrics = new List<double>();
        var outcome = task.Run(new TrialContext(0, hp, torch.CPU, (_, m, _) => { metrics.Add(m); return Task.FromResult(ReportDecision.Continue); }, _ => { }), CancellationToken.None);
        Assert.True(outcome.Metric > 0.9, $"validation accuracy by epoch {string.Join(", ", metrics.Select(m => m.ToString("F3")))}");
    }

    [Fact]
    public void FromRandomInitialisationTheSameArchitectureTrainsWithoutTheCheckpointsWeights()
    {
        File.WriteAllText(Path.Combine(_dir, "scratch.yaml"), "task: bert-classification\nmodel_dir: model\ntrain_file: data.jsonl\ninitialization: random\n");
        var task = TaskFile.Load(Path.Combine(_dir, "scratch.yaml"));
        var logs = new List<string>();
        var hp = task.HyperParametersOf(new Dictionary<string, ParamValue> { ["num_epochs"] = new() { IntValue = 1 }, ["max_seq_length"] = new() { IntValue = 16 } });
        task.Run(new TrialContext(0, hp, torch.CPU, (_, _, _) => Task.FromResult(ReportDecision.Continue), logs.Add), CancellationToken.None);
        Assert.DoesNotContain(logs, l => l.Contains("loaded", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
