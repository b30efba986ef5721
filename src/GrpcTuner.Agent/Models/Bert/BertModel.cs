using GrpcTuner.Agent.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

#pragma warning disable IDE1006 // Field names are Hugging Face's parameter names: TorchSharp registers fields by name.

namespace GrpcTuner.Agent.Models.Bert;

/// <summary>
/// The BERT encoder as Hugging Face's BertModel (embeddings, encoder, optional pooler), with the
/// same parameter names, so a base-model checkpoint (as sentence-transformers ship them) loads
/// directly. Its output is the last hidden state.
/// </summary>
public sealed class BertModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    /// <summary>What Hugging Face calls base_model_prefix: head models hold this model under that name.</summary>
    public const string Prefix = "bert";

    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
    private readonly BertPooler? pooler;

    public BertModel(BertConfig config, bool addPoolingLayer = true) : base("BertModel")
    {
        config.Validate();
        Config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        pooler = addPoolingLayer ? new BertPooler(config) : null;
        RegisterComponents();
    }

    public BertConfig Config { get; }

    /// <summary>Trade compute for memory: each layer's activations are recomputed in backward instead of kept.</summary>
    public bool GradientCheckpointing { get => encoder.GradientCheckpointing; set => encoder.GradientCheckpointing = value; }

    /// <summary>Every linear layer of the encoder by its short name (query, key, value, dense), where LoRA may go.</summary>
    public IEnumerable<LoraLinear> Linears => encoder.Layers.SelectMany(l => l.Linears);

    /// <summary>The last hidden state (batch, seq, hidden).</summary>
    /// <param name="inputIds">Token ids (batch, seq).</param>
    /// <param name="attentionMask">1 on tokens, 0 on padding (batch, seq).</param>
    /// <param name="tokenTypeIds">Segment ids, 0 for the first sentence and 1 for the second (batch, seq).</param>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        // Hugging Face's extended attention mask: 0 where attended, the dtype's minimum on padding.
        // Not disposed here: with gradient checkpointing, backward uses it again.
        var additive = attentionMask.to_type(ScalarType.Float32).neg().add_(1).mul_(float.MinValue).unsqueeze(1).unsqueeze(2);
        return encoder.forward(embeddings.forward(inputIds, tokenTypeIds), additive);
    }

    /// <summary>The pooled [CLS] vector (batch, hidden).</summary>
    public Tensor Pool(Tensor lastHiddenState) =>
        (pooler ?? throw new InvalidOperationException("this BertModel was built without its pooling layer")).forward(lastHiddenState);

    /// <summary>The encoder of a Hugging Face folder without its pooler, for embeddings of every token.</summary>
    public static BertModel FromPretrained(string folder, Action<string> log)
    {
        var model = new BertModel(HuggingFaceFolder.LoadConfig<BertConfig>(folder), addPoolingLayer: false);
        using var weights = CheckpointFolder.Open(folder);
        log($"{folder}: {WeightLoader.Load(model, weights, new WeightLayout { BasePrefix = Prefix })}");
        return model;
    }

    /// <summary>Initialises a parameter as Hugging Face's BertPreTrainedModel._init_weights does.</summary>
    internal static void Initialize(string name, Tensor parameter, BertConfig config)
    {
        using var noGrad = torch.no_grad();
        if (name.EndsWith(".bias", StringComparison.Ordinal))
        {
            parameter.zero_();
        }
        else if (name.Contains("LayerNorm", StringComparison.Ordinal))
        {
            parameter.fill_(1);
        }
        else
        {
            parameter.normal_(0, config.InitializerRange);
            if (name.EndsWith("word_embeddings.weight", StringComparison.Ordinal))
            {
                parameter[config.PadTokenId].zero_();
            }
        }
    }
}
