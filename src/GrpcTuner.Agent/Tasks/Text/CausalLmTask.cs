using System.Text.Json;
using GrpcTuner.Agent.Models.Llama;
using GrpcTuner.Agent.Models.Tokenization;
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

        TextTokenizer.Load(modelDir).Dispose();
        return Task.CompletedTask;
    }

    public TrainingOutcome Run(TrialContext context, CancellationToken ct)
    {
        var hp = context.HyperParameters;
        using var tokenizer = TextTokenizer.Load(modelDir);
        var texts = ReadTexts(trainFile);
        var (train, validation) = validationFile is null
            ? LabeledText.ValidationSplit(texts, validationFraction)
            : (texts, ReadTexts(validationFile));
        using var trainBlocks = Blocks(train, tokenizer, hp.MaxSeqLength);
        using var validBlocks = Blocks(validation, tokenizer, hp.MaxSeqLength);

        torch.manual_seed(hp.Seed);
        using var model = LlamaForCausalLM.FromPretrained(modelDir, context.Log);
        if (hp.Method == "lora")
        {
            model.ApplyLora(hp.LoraR, hp.LoraAlpha, hp.LoraDropout, hp.LoraTargetsOr("q_proj", "v_proj").ToList());
        }

        model.to(context.Device);
        using var optimizer = optim.AdamW(model.parameters().Where(p => p.requires_grad), hp.LearningRate, weight_decay: hp.WeightDecay);
        var device = context.Device;
        var outcome = new EpochTrainer(context, model, optimizer, trainBlocks.shape[0]).Run(
            index =>
            {
                var ids = trainBlocks.index_select(0, index).to(device);
                return model.Loss(ids, ids);
            },
            () =>
            {
                var loss = MeanLoss(model, validBlocks, hp.BatchSize, device);
                context.Log(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"trial {context.TrialNumber} validation perplexity={Math.Exp(loss):F3}"));
                return loss;
            },
            "val_loss",
            ct);
        return outcome;
    }

    /// <summary>Texts from JSONL ({"text": ...} per line) or plain text (one document per line).</summary>
    private static List<string> ReadTexts(string path) => File.ReadLines(path)
        .Where(l => l.Trim().Length > 0)
        .Select(l => path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()! : l)
        .ToList();

    /// <summary>The mean loss over every block, a batch at a time, each batch in its own dispose scope.</summary>
    private static double MeanLoss(LlamaForCausalLM model, Tensor blocks, int batchSize, Device device)
    {
        var total = 0.0;
        for (long start = 0; start < blocks.shape[0]; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            var ids = blocks.narrow(0, start, Math.Min(batchSize, blocks.shape[0] - start)).to(device);
            total += model.Loss(ids, ids).item<float>() * ids.shape[0];
        }

        return total / blocks.shape[0];
    }

    /// <summary>All texts' tokens (each with the tokenizer's special tokens, as run_clm's tokenizer call adds them), joined, cut into (blocks, length) with the remainder dropped.</summary>
    private static Tensor Blocks(IReadOnlyList<string> texts, TextTokenizer tokenizer, int length)
    {
        var ids = texts.SelectMany(t => tokenizer.Encode(t, null, int.MaxValue).Ids).Select(i => (long)i).ToArray();
        var blocks = ids.Length / length;
        if (blocks == 0)
        {
            throw new TrialFailedException($"the data has {ids.Length} tokens, fewer than one block of max_seq_length={length}");
        }

        return torch.tensor(ids.AsSpan(0, blocks * length).ToArray()).view(blocks, length);
    }
}
