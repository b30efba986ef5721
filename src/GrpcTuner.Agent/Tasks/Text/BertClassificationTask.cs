using GrpcTuner.Agent.Models.Bert;
using GrpcTuner.Agent.Training;
using Microsoft.ML.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tasks.Text;

/// <summary>
/// Sequence classification with a BERT-family encoder from a Hugging Face folder (config.json,
/// model.safetensors, vocab.txt), fine-tuned in full or with LoRA (method). Metric: validation
/// accuracy after every epoch.
/// </summary>
public sealed class BertClassificationTask(string modelDir, string trainFile, string? validationFile, double validationFraction) : ITrainingTask
{
    public IReadOnlyCollection<string> TaskParameters { get; } = [];

    public Task PrepareAsync(CancellationToken ct)
    {
        foreach (var file in new[] { Path.Combine(modelDir, "config.json"), Path.Combine(modelDir, "vocab.txt"), trainFile })
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"the bert-classification task needs {file}", file);
            }
        }

        return Task.CompletedTask;
    }

    public async Task<TrainingOutcome> RunAsync(TrialContext context, CancellationToken ct)
    {
        var hp = context.HyperParameters;
        var (train, validation) = validationFile is null ? LabeledText.Load(trainFile).Split(validationFraction) : (LabeledText.Load(trainFile), LabeledText.Load(validationFile));
        var labels = LabeledText.LabelSet(train, validation);
        var tokenizer = BertTokenizer.Create(Path.Combine(modelDir, "vocab.txt"));
        var (trainX, trainMask, trainY) = Encode(train, tokenizer, labels, hp.MaxSeqLength);
        var (validX, validMask, validY) = Encode(validation, tokenizer, labels, hp.MaxSeqLength);

        torch.manual_seed(hp.Seed);
        using var model = BertForSequenceClassification.FromPretrained(modelDir, labels.Count);
        if (hp.Method == "lora")
        {
            model.ApplyLora(hp.LoraR, hp.LoraAlpha, hp.LoraDropout, hp.LoraTargetsOr("query", "value").ToList());
        }

        model.to(context.Device);
        using var optimizer = optim.AdamW(model.parameters().Where(p => p.requires_grad), hp.LearningRate, weight_decay: hp.WeightDecay);
        var device = context.Device;
        return await new EpochTrainer(context, model, optimizer, trainX.shape[0]).RunAsync(
            index => nn.functional.cross_entropy(
                model.forward(trainX.index_select(0, index).to(device), trainMask.index_select(0, index).to(device)),
                trainY.index_select(0, index).to(device)),
            () => model.forward(validX.to(device), validMask.to(device)).argmax(1).eq(validY.to(device)).to_type(ScalarType.Float32).mean().item<float>(),
            "accuracy",
            ct).ConfigureAwait(false);
    }

    /// <summary>Token ids with [CLS] ... [SEP], truncated to max_seq_length and padded with [PAD] (id 0 in BERT vocabularies).</summary>
    private static (Tensor Ids, Tensor Mask, Tensor Labels) Encode(LabeledText data, BertTokenizer tokenizer, IReadOnlyList<string> labels, int maxLength)
    {
        var rows = data.Texts.Select(t => tokenizer.EncodeToIds(t).ToList()).ToList();
        var length = Math.Min(maxLength, rows.Count == 0 ? 2 : rows.Max(r => r.Count) + 2);
        var ids = new long[rows.Count * length];
        var mask = new long[rows.Count * length];
        for (var i = 0; i < rows.Count; i++)
        {
            var tokens = new List<int> { tokenizer.ClassificationTokenId };
            tokens.AddRange(rows[i].Where(id => id != tokenizer.ClassificationTokenId && id != tokenizer.SeparatorTokenId).Take(length - 2));
            tokens.Add(tokenizer.SeparatorTokenId);
            for (var j = 0; j < tokens.Count; j++)
            {
                ids[(i * length) + j] = tokens[j];
                mask[(i * length) + j] = 1;
            }
        }

        var labelIds = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => (long)x.i, StringComparer.Ordinal);
        var y = data.Labels.Select(l => labelIds[l]).ToArray();
        return (torch.tensor(ids).view(rows.Count, length), torch.tensor(mask).view(rows.Count, length), torch.tensor(y));
    }
}
