using System.Globalization;
using GrpcTuner.Agent.Models;
using GrpcTuner.Agent.Models.Bert;
using GrpcTuner.Agent.Models.Tokenization;
using GrpcTuner.Agent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tasks.Text;

/// <summary>
/// Sequence (or sentence-pair) classification with a BERT-family encoder from a Hugging Face
/// folder, fine-tuned in full or with LoRA (method), or trained from random initialisation with
/// the same architecture. The tokenizer is the folder's own. Metric: validation accuracy after
/// every epoch; a finished run also records the test accuracy and the majority baseline.
/// </summary>
public sealed class BertClassificationTask(string modelDir, Func<ClassificationData> load, bool fromScratch, Func<CancellationToken, Task>? prepare = null) : ITrainingTask
{
    private readonly Lazy<ClassificationData> _data = new(load);

    public IReadOnlyCollection<string> TaskParameters { get; } = [];

    public async Task PrepareAsync(CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(modelDir, "config.json")))
        {
            throw new FileNotFoundException($"the bert-classification task needs {Path.Combine(modelDir, "config.json")} (model_dir is a Hugging Face folder)");
        }

        if (prepare is not null)
        {
            await prepare(ct).ConfigureAwait(false);
        }

        _ = _data.Value;
    }

    public TrainingOutcome Run(TrialContext context, CancellationToken ct)
    {
        var hp = context.HyperParameters;
        var data = _data.Value;
        var labels = data.Labels;
        var config = HuggingFaceFolder.LoadConfig<BertConfig>(modelDir);
        using var tokenizer = TextTokenizer.Load(modelDir);
        var maxLength = Math.Min(hp.MaxSeqLength, Math.Min(tokenizer.ModelMaxLength ?? int.MaxValue, config.MaxPositionEmbeddings));
        using var train = Encode(data.Train, tokenizer, maxLength);
        using var validation = Encode(data.Validation, tokenizer, maxLength);
        using var trainY = LabelIds(data.Train, labels);
        using var validY = LabelIds(data.Validation, labels);

        torch.manual_seed(hp.Seed);
        using var model = fromScratch ? BertForSequenceClassification.FromScratch(config.WithLabels(labels)) : BertForSequenceClassification.FromPretrained(modelDir, labels, context.Log);
        if (hp.Method == "lora")
        {
            model.ApplyLora(hp.LoraR, hp.LoraAlpha, hp.LoraDropout, hp.LoraTargetsOr("query", "value").ToList());
        }

        model.GradientCheckpointing = hp.GradientCheckpointing;
        var device = context.Device;
        model.to(device);
        using var optimizer = optim.AdamW(model.parameters().Where(p => p.requires_grad), hp.LearningRate, weight_decay: hp.WeightDecay);
        var outcome = new EpochTrainer(context, model, optimizer, train.Count, train.Lengths).Run(
            index =>
            {
                var (ids, mask, types) = train.Take(index, device);
                return nn.functional.cross_entropy(model.forward(ids, mask, types), trainY.index_select(0, index).to(device));
            },
            () => Accuracy(model, validation, validY, hp.BatchSize, device),
            "accuracy",
            ct);
        if (outcome.Pruned || data.Test is null)
        {
            return outcome;
        }

        using var test = Encode(data.Test, tokenizer, maxLength);
        using var testY = LabelIds(data.Test, labels);
        model.eval();
        double testAccuracy;
        using (torch.no_grad())
        {
            testAccuracy = Accuracy(model, test, testY, hp.BatchSize, device);
        }

        context.Log(string.Create(CultureInfo.InvariantCulture, $"trial {context.TrialNumber} test accuracy={testAccuracy:F4} (majority baseline {data.Test.MajorityShare:F4})"));
        return outcome with
        {
            Attributes = new Dictionary<string, string>
            {
                ["test_accuracy"] = testAccuracy.ToString("R", CultureInfo.InvariantCulture),
                ["majority_baseline"] = data.Test.MajorityShare.ToString("R", CultureInfo.InvariantCulture),
            },
        };
    }

    private static EncodedBatch Encode(LabeledText data, TextTokenizer tokenizer, int maxLength) =>
        EncodedBatch.Pad(data.Texts.Select((t, i) => tokenizer.Encode(t, data.Pairs?[i], maxLength)).ToList(), tokenizer.PadId);

    private static Tensor LabelIds(LabeledText data, IReadOnlyList<string> labels)
    {
        var index = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => (long)x.i, StringComparer.Ordinal);
        return torch.tensor(data.Labels.Select(l => index[l]).ToArray());
    }

    /// <summary>Accuracy in batches, each in its own dispose scope, so evaluation holds one batch's activations at a time.</summary>
    private static double Accuracy(BertForSequenceClassification model, EncodedBatch data, Tensor labels, int batchSize, Device device)
    {
        long correct = 0;
        for (long start = 0; start < data.Count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            var index = data.Range(start, batchSize);
            var (ids, mask, types) = data.Take(index, device);
            correct += model.forward(ids, mask, types).argmax(1).eq(labels.index_select(0, index).to(device)).sum().item<long>();
        }

        return data.Count == 0 ? 0 : correct / (double)data.Count;
    }
}
