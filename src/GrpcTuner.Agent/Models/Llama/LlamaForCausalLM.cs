using GrpcTuner.Agent.Models.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

#pragma warning disable IDE1006 // Field names are Hugging Face's parameter names: TorchSharp registers fields by name.

namespace GrpcTuner.Agent.Models.Llama;

/// <summary>
/// A LLaMA-family decoder with its language-model head, as Hugging Face's LlamaForCausalLM:
/// parameter names match its checkpoints (model.layers.0.self_attn.q_proj.weight, ...).
/// </summary>
public sealed class LlamaForCausalLM : nn.Module<Tensor, Tensor>
{
    /// <summary>Label value that the loss ignores (padding), as in Hugging Face.</summary>
    public const long IgnoreIndex = -100;

    private readonly LlamaModel model;
    private readonly Linear lm_head;

    public LlamaForCausalLM(LlamaConfig config) : base("LlamaForCausalLM")
    {
        config.Validate();
        Config = config;
        model = new LlamaModel(config);
        lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
        if (config.TieWordEmbeddings)
        {
            lm_head.weight = model.Embeddings.weight!;
        }
    }

    public LlamaConfig Config { get; }

    public IEnumerable<LoraLinear> Linears => model.Linears;

    /// <summary>Logits (batch, seq, vocab) for token ids (batch, seq).</summary>
    public override Tensor forward(Tensor inputIds) => lm_head.forward(model.forward(inputIds));

    /// <summary>Mean next-token cross-entropy; labels equal to <see cref="IgnoreIndex"/> do not count.</summary>
    public Tensor Loss(Tensor inputIds, Tensor labels)
    {
        var logits = forward(inputIds);
        var s = inputIds.shape[1];
        var predicted = logits.narrow(1, 0, s - 1).reshape(-1, Config.VocabSize);
        var targets = labels.narrow(1, 1, s - 1).reshape(-1);
        return nn.functional.cross_entropy(predicted, targets, ignore_index: IgnoreIndex);
    }

    /// <summary>
    /// A model from a Hugging Face folder. With tie_word_embeddings the head is the embedding
    /// matrix, whether or not the checkpoint also stores lm_head.weight; keys the model does not
    /// use (rotary_emb.inv_freq buffers of older checkpoints, among others) are skipped and logged.
    /// </summary>
    public static LlamaForCausalLM FromPretrained(string folder, Action<string> log)
    {
        var llama = new LlamaForCausalLM(HuggingFaceFolder.LoadConfig<LlamaConfig>(folder));
        using var weights = CheckpointFolder.Open(folder);
        var report = WeightLoader.Load(llama, weights, new WeightLayout
        {
            BasePrefix = "model",
            Tied = llama.Config.TieWordEmbeddings ? new HashSet<string> { "lm_head.weight" } : new HashSet<string>(),
        });
        log($"{folder}: {report}");
        return llama;
    }

    /// <summary>Writes config.json (every field a Hugging Face reader expects) and the base weights, sharded with an index beyond <paramref name="maxShardBytes"/>; a tied head is not written twice.</summary>
    public void SavePretrained(string folder, ScalarType dtype = ScalarType.Float32, long maxShardBytes = long.MaxValue)
    {
        HuggingFaceFolder.SaveConfig(folder, Config.ForSaving());
        HuggingFaceFolder.SaveWeights(this, folder, dtype, maxShardBytes, skip: Config.TieWordEmbeddings ? "lm_head.weight" : null);
    }

    /// <summary>Freezes every base weight and adds adapters to the named projections (q_proj, v_proj, ...).</summary>
    public void ApplyLora(int r, double alpha, double dropout, IReadOnlyCollection<string> targets) =>
        HuggingFaceFolder.ApplyLora(parameters(), Linears, r, alpha, dropout, targets);

    /// <summary>Folds every adapter into its layer's weight.</summary>
    public void MergeLora() => HuggingFaceFolder.MergeLora(Linears);
}
