using System.Text.Json;
using GrpcTuner.Agent.Models.Llama;
using GrpcTuner.Agent.Tasks;
using GrpcTuner.Agent.Training;
using GrpcTuner.V1;
using TorchSharp;

namespace GrpcTuner.Agent.Tests;

/// <summary>The agent's causal-LM task on files: a LLaMA folder with a byte-pair vocabulary, and JSONL text.</summary>
public sealed class CausalLmTaskTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clm-task-").FullName;

    public CausalLmTaskTests()
    {
        var model = Path.Combine(_dir, "model");
        torch.manual_seed(2);
        using (var llama = new LlamaForCausalLM(new LlamaConfig
        {
            VocabSize = 26, HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, MaxPositionEmbeddings = 64,
        }))
        {
            llama.SavePretrained(model);
        }

        File.WriteAllText(Path.Combine(model, "vocab.json"), JsonSerializer.Serialize(Enumerable.Range(0, 26).ToDictionary(i => ((char)('a' + i)).ToString(), i => i)));
        File.WriteAllText(Path.Combine(model, "merges.txt"), "#version: 0.2\n");
        var rng = new Random(4);
        File.WriteAllLines(Path.Combine(_dir, "text.jsonl"), Enumerable.Range(0, 300).Select(_ =>
        {
            var start = rng.Next(0, 10);
            return JsonSerializer.Serialize(new { text = new string(Enumerable.Range(start, 16).Select(c => (char)('a' + c)).ToArray()) });
        }));
        File.WriteAllText(Path.Combine(_dir, "task.yaml"), "task: causal-lm\nmodel_dir: model\ntrain_file: text.jsonl\n");
    }

    [Theory]
    [InlineData("lora", 1e-2)]
    [InlineData("full", 3e-3)]
    public async Task ValidationLossFallsWithBothMethods(string method, double learningRate)
    {
        var task = TaskFile.Load(Path.Combine(_dir, "task.yaml"));
        await task.PrepareAsync(CancellationToken.None);
        var losses = new List<double>();
        var hp = HyperParameters.Parse(new Dictionary<string, ParamValue>
        {
            ["method"] = new() { StringValue = method },
            ["learning_rate"] = new() { FloatValue = learningRate },
            ["num_epochs"] = new() { IntValue = 6 },
            ["per_device_batch_size"] = new() { IntValue = 8 },
            ["max_seq_length"] = new() { IntValue = 16 },
            ["lora_target_modules"] = new() { StringValue = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj" },
        }, task.TaskParameters);
        var logs = new List<string>();
        var context = new TrialContext(0, hp, torch.CPU, (_, loss, _) => { losses.Add(loss); return Task.FromResult(ReportDecision.Continue); }, logs.Add);
        task.Run(context, CancellationToken.None);
        Assert.Equal(6, losses.Count);
        // An untrained model is near ln(26) = 3.26 nats per token; the letters are nearly all predictable.
        Assert.True(losses[^1] < 1.0, $"{method}: validation loss by epoch {string.Join(", ", losses.Select(l => l.ToString("F3")))}");
        Assert.Contains(logs, l => l.Contains("validation perplexity=", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
