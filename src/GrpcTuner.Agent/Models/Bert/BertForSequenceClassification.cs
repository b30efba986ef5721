using GrpcTuner.Agent.Models.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

#pragma warning disable IDE1006 // Field names are Hugging Face's parameter names: TorchSharp registers fields by name.

namespace GrpcTuner.Agent.Models.Bert;

/// <summary>
/// BERT with a classification head on the pooled [CLS] vector, as Hugging Face's
/// BertForSequenceClassification: parameter names match its checkpoints, and it loads from the
/// checkpoints of BertModel, BertForSequenceClassification and BertForPreTraining alike.
/// </summary>
public sealed class BertForSequenceClassification : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly BertModel bert;
    private readonly MaskDropout dropout;
    private readonly Linear classifier;

    public BertForSequenceClassification(BertConfig config) : base("BertForSequenceClassification")
    {
        Config = config;
        bert = new BertModel(config);
        dropout = new MaskDropout(config.ClassifierDropout ?? config.HiddenDropoutProb);
        classifier = nn.Linear(config.HiddenSize, config.NumLabels);
        RegisterComponents();
    }

    public BertConfig Config { get; }

    /// <summary>See <see cref="BertModel.GradientCheckpointing"/>.</summary>
    public bool GradientCheckpointing { get => bert.GradientCheckpointing; set => bert.GradientCheckpointing = value; }

    /// <summary>Every linear layer of the encoder by its short name (query, key, value, dense, ...), where LoRA may go.</summary>
    public IEnumerable<LoraLinear> Linears => bert.Linears;

    /// <summary>Logits (batch, labels) for token ids, attention mask and token type ids (batch, seq).</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var scope = torch.NewDisposeScope();
        var hidden = bert.forward(inputIds, attentionMask, tokenTypeIds);
        return classifier.forward(dropout.forward(bert.Pool(hidden))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A model from a Hugging Face folder. A head for <paramref name="labels"/> starts fresh when the
    /// checkpoint has none or one of another size; a missing pooler starts fresh too. Both are
    /// logged, as Hugging Face does, and so are the keys the model does not use.
    /// </summary>
    /// <param name="folder">The folder (config.json plus safetensors or PyTorch weights, single or sharded).</param>
    /// <param name="labels">The task's labels; null keeps the checkpoint's head.</param>
    /// <param name="log">Where the loading report goes.</param>
    public static BertForSequenceClassification FromPretrained(string folder, IReadOnlyList<string>? labels, Action<string> log)
    {
        var stored = HuggingFaceFolder.LoadConfig<BertConfig>(folder);
        var config = labels is null ? stored : stored.WithLabels(labels);
        var model = new BertForSequenceClassification(config);
        var freshHead = config.NumLabels != stored.NumLabels;
        using var weights = CheckpointFolder.Open(folder);
        var report = WeightLoader.Load(model, weights, new WeightLayout
        {
            BasePrefix = BertModel.Prefix,
            NewIfMissing = IsHead,
            Discard = name => freshHead && name.StartsWith("classifier.", StringComparison.Ordinal),
            Initialize = (name, p) => BertModel.Initialize(name, p, config),
        });
        log($"{folder}: {report}{(freshHead ? $" (a head of {config.NumLabels} labels where the checkpoint says {stored.NumLabels})" : "")}");
        return model;
    }

    /// <summary>A model of this configuration initialised from scratch, as Hugging Face initialises an untrained one.</summary>
    public static BertForSequenceClassification FromScratch(BertConfig config)
    {
        var model = new BertForSequenceClassification(config);
        foreach (var (name, p) in model.named_parameters())
        {
            BertModel.Initialize(name, p, config);
        }

        return model;
    }

    /// <summary>Writes config.json and the base weights in Hugging Face layout.</summary>
    public void SavePretrained(string folder, ScalarType dtype = ScalarType.Float32)
    {
        HuggingFaceFolder.SaveConfig(folder, Config with { Architectures = ["BertForSequenceClassification"] });
        HuggingFaceFolder.SaveWeights(this, folder, dtype);
    }

    /// <summary>Freezes the encoder (the classification head keeps training, as PEFT does) and adds adapters to the named layers.</summary>
    public void ApplyLora(int r, double alpha, double dropout, IReadOnlyCollection<string> targets) =>
        HuggingFaceFolder.ApplyLora(bert.parameters(), Linears, r, alpha, dropout, targets);

    /// <summary>Folds every adapter into its layer's weight.</summary>
    public void MergeLora() => HuggingFaceFolder.MergeLora(Linears);

    private static bool IsHead(string name) =>
        name.StartsWith("classifier.", StringComparison.Ordinal) || name.StartsWith("bert.pooler.", StringComparison.Ordinal);
}
