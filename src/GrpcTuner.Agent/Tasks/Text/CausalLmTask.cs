using System.Text.Json;
using GrpcTuner.Agent.Models.Llama;
using GrpcTuner.Agent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tasks.Text;

/// <summary>
/// Causal-language-model fine-tuning of a LLaMA-family decoder from a Hugging Face folder, with
/// LoRA (method: lora, the usual way) or in full. The texts are tokenized, joined and cut into
/// blocks of max_seq_length tokens, as Hugging Face's run_clm does. Metric: validation loss
/// (minimize); the progress line also shows perplexity.
/// </summary>
public sealed class CausalLmTask(string modelDir, string trainFile, string? validationFile, double validationFraction) : ITrainingTask
{
    public IReadOnlyCollection<string> TaskParameters { get; } = [];

    public Task PrepareAsync(CancellationToken ct)
    {
        foreach (var file in new[] { Path.Combine(modelDir, "config.json"), trainFile })
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"the causal-lm task needs {file}", file);
            }
        }

        TextTokenizer.Load(modelDir);
        return Task.CompletedTask;
    }

    public async Task<TrainingOutcome> RunAsync(TrialContext context, CancellationToken ct)
    {
        var hp = context.HyperParameters;
        var tokenizer = TextTokenizer.Load(modelDir);
        var texts = ReadTexts(trainFile);
        var (train, validation) = validationFile is null
            ? LabeledText.ValidationSplit(texts, validationFraction)
            : (texts, ReadTexts(validationFile));
        var trainBlocks = Blocks(train, tokenizer, hp.MaxSeqLength);
        var validBlocks = Blocks(validation, tokenizer, hp.MaxSeqLength);

        torch.manual_seed(hp.Seed);
        using var model = LlamaForCausalLM.FromPretrained(modelDir);
        if (hp.Method == "lora")
        {
            model.ApplyLora(hp.LoraR, hp.LoraAlpha, hp.LoraDropout, hp.LoraTargetsOr("q_proj", "v_proj").ToList());
        }

        model.to(context.Device);
        using var optimizer = optim.AdamW(model.parameters().Where(p => p.requires_grad), hp.LearningRate, weight_decay: hp.WeightDecay);
        var device = context.Device;
        var outcome = await new EpochTrainer(context, model, optimizer, trainBlocks.shape[0]).RunAsync(
            index =>
            {
                var ids = trainBlocks.index_select(0, index).to(device);
                return model.Loss(ids, ids);
            },
            () =>
            {
                var ids = validBlocks.to(device);
                var loss = model.Loss(ids, ids).item<float>();
                context.Log($"trial {context.TrialNumber} validation perplexity={Math.Exp(loss):F3}");
                return loss;
            },
            "val_loss",
            ct).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>Texts from JSONL ({"text": ...} per line) or plain text (one document per line).</summary>
    private static List<string> ReadTexts(string path) => File.ReadLines(path)
        .Where(l => l.Trim().Length > 0)
        .Select(l => path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()! : l)
        .ToList();

    /// <summary>All texts' tokens, joined, cut into (blocks, length) with the remainder dropped.</summary>
    private static Tensor Blocks(IReadOnlyList<string> texts, Microsoft.ML.Tokenizers.Tokenizer tokenizer, int length)
    {
        var ids = texts.SelectMany(t => tokenizer.EncodeToIds(t)).Select(i => (long)i).ToArray();
        var blocks = ids.Length / length;
        if (blocks == 0)
        {
            throw new TrialFailedException($"the data has {ids.Length} tokens, fewer than one block of max_seq_length={length}");
        }

        return torch.tensor(ids.AsSpan(0, blocks * length).ToArray()).view(blocks, length);
    }
}
