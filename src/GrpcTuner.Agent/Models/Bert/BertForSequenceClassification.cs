using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

#pragma warning disable IDE1006 // Field names are Hugging Face's parameter names: TorchSharp registers fields by name.

namespace GrpcTuner.Agent.Models.Bert;

/// <summary>
/// BERT with a classification head, as Hugging Face's BertForSequenceClassification: parameter
/// names match its checkpoints, so a folder with config.json and model.safetensors loads directly.
/// </summary>
public sealed class BertForSequenceClassification : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertEncoderModel bert;
    private readonly Dropout dropout;
    private readonly Linear classifier;

    public BertForSequenceClassification(BertConfig config) : base("BertForSequenceClassification")
    {
        Config = config;
        bert = new BertEncoderModel(config);
        dropout = nn.Dropout(config.HiddenDropoutProb);
        classifier = nn.Linear(config.HiddenSize, config.NumLabels);
        RegisterComponents();
    }

    public BertConfig Config { get; }

    /// <summary>Every linear layer of the encoder by its short name (query, key, value, dense, ...), where LoRA may go.</summary>
    public IEnumerable<LoraLinear> Linears => bert.Linears;

    /// <summary>Logits (batch, labels) for token ids (batch, seq) and an attention mask of 1 (token) and 0 (padding).</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask) =>
        classifier.forward(dropout.forward(bert.forward(inputIds, attentionMask)));

    /// <summary>A model from a Hugging Face folder (config.json plus model.safetensors or a sharded index).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="numLabels">Labels of the task; when they differ from the checkpoint's, the head starts fresh (as Hugging Face does).</param>
    public static BertForSequenceClassification FromPretrained(string folder, int? numLabels = null)
    {
        var config = HuggingFaceFolder.LoadConfig<BertConfig>(folder);
        var freshHead = numLabels is { } n && n != config.NumLabels;
        var model = new BertForSequenceClassification(freshHead ? config with { NumLabels = numLabels!.Value } : config);
        HuggingFaceFolder.LoadWeights(model, folder, skip: freshHead ? name => name.StartsWith("classifier.", StringComparison.Ordinal) : null);
        return model;
    }

    /// <summary>Writes config.json and the base weights in Hugging Face layout.</summary>
    public void SavePretrained(string folder, ScalarType dtype = ScalarType.Float32)
    {
        HuggingFaceFolder.SaveConfig(folder, Config);
        HuggingFaceFolder.SaveWeights(this, folder, dtype);
    }

    /// <summary>Freezes the encoder (the classification head keeps training, as PEFT does) and adds adapters to the named layers.</summary>
    public void ApplyLora(int r, double alpha, double dropout, IReadOnlyCollection<string> targets) =>
        HuggingFaceFolder.ApplyLora(bert.parameters(), Linears, r, alpha, dropout, targets);

    /// <summary>Folds every adapter into its layer's weight.</summary>
    public void MergeLora() => HuggingFaceFolder.MergeLora(Linears);
}
