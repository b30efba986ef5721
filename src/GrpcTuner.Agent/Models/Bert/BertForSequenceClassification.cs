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
    public static BertForSequenceClassification FromPretrained(string folder)
    {
        var model = new BertForSequenceClassification(BertConfig.Load(folder));
        var weights = Models.SafeTensors.Load(folder);
        using var noGrad = torch.no_grad();
        var (missing, unexpected) = model.load_state_dict(weights.ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32)), strict: false);
        var missingBase = missing.Where(m => !m.Contains("_lora.", StringComparison.Ordinal)).ToList();
        if (missingBase.Count > 0 || unexpected.Count > 0)
        {
            throw new InvalidDataException($"{folder}: weights do not match the config (missing: {string.Join(", ", missingBase.Take(5))}; unexpected: {string.Join(", ", unexpected.Take(5))})");
        }

        return model;
    }

    /// <summary>Writes config.json and model.safetensors (base weights only) in Hugging Face layout.</summary>
    public void SavePretrained(string folder, ScalarType dtype = ScalarType.Float32)
    {
        Config.Save(folder);
        Models.SafeTensors.Save(Path.Combine(folder, "model.safetensors"), BaseWeights(), dtype);
    }

    /// <summary>The Hugging Face weights, without LoRA adapters.</summary>
    public Dictionary<string, Tensor> BaseWeights() =>
        state_dict().Where(kv => !kv.Key.Contains("_lora.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Only the LoRA adapter weights, to save on their own.</summary>
    public Dictionary<string, Tensor> AdapterWeights() =>
        state_dict().Where(kv => kv.Key.Contains("_lora.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Freezes every base weight except the classifier head and adds adapters to the named linear layers.</summary>
    public void ApplyLora(int r, double alpha, double dropout, IReadOnlyCollection<string> targets)
    {
        foreach (var p in bert.parameters())
        {
            p.requires_grad = false;
        }

        var hits = 0;
        foreach (var linear in Linears.Where(l => targets.Contains(l.Name)))
        {
            linear.AddAdapter(r, alpha, dropout);
            hits++;
        }

        if (hits == 0)
        {
            throw new ArgumentException($"lora_target_modules {string.Join(",", targets)} match no layer; BERT has query, key, value, dense");
        }
    }

    public void MergeLora()
    {
        foreach (var linear in Linears)
        {
            linear.Merge();
        }
    }
}
