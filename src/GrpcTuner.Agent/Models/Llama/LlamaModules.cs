using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

#pragma warning disable IDE1006 // Field names are Hugging Face's parameter names: TorchSharp registers fields by name.

namespace GrpcTuner.Agent.Models.Llama;

/// <summary>x / rms(x) * weight, computed in float32 as Hugging Face does.</summary>
internal sealed class LlamaRmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    public LlamaRmsNorm(int size, double eps) : base("LlamaRMSNorm")
    {
        weight = new Parameter(torch.ones(size));
        _eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var x32 = x.to_type(ScalarType.Float32);
        var normalized = x32.mul(x32.pow(2).mean([-1], keepdim: true).add(_eps).rsqrt());
        return weight.mul(normalized.to_type(x.dtype));
    }
}

internal sealed class LlamaAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly LlamaConfig _c;

    public LlamaAttention(LlamaConfig c) : base("LlamaAttention")
    {
        _c = c;
        var kv = c.KeyValueHeads * c.HeadDim;
        QProj = new LoraLinear(this, "q_proj", nn.Linear(c.HiddenSize, c.NumAttentionHeads * c.HeadDim, hasBias: c.AttentionBias));
        KProj = new LoraLinear(this, "k_proj", nn.Linear(c.HiddenSize, kv, hasBias: c.AttentionBias));
        VProj = new LoraLinear(this, "v_proj", nn.Linear(c.HiddenSize, kv, hasBias: c.AttentionBias));
        OProj = new LoraLinear(this, "o_proj", nn.Linear(c.NumAttentionHeads * c.HeadDim, c.HiddenSize, hasBias: c.AttentionBias));
    }

    public LoraLinear QProj { get; }

    public LoraLinear KProj { get; }

    public LoraLinear VProj { get; }

    public LoraLinear OProj { get; }

    public IEnumerable<LoraLinear> Linears => [QProj, KProj, VProj, OProj];

    /// <param name="x">(batch, seq, hidden).</param>
    /// <param name="cos">Rotary cosines (seq, head_dim).</param>
    /// <param name="sin">Rotary sines (seq, head_dim).</param>
    public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
    {
        var (b, s) = (x.shape[0], x.shape[1]);
        var d = _c.HeadDim;
        var q = RotaryEmbedding.Apply(QProj.Forward(x).view(b, s, _c.NumAttentionHeads, d).transpose(1, 2), cos, sin);
        var k = RotaryEmbedding.Apply(KProj.Forward(x).view(b, s, _c.KeyValueHeads, d).transpose(1, 2), cos, sin);
        var v = VProj.Forward(x).view(b, s, _c.KeyValueHeads, d).transpose(1, 2);
        var groups = _c.NumAttentionHeads / _c.KeyValueHeads;
        if (groups > 1)
        {
            k = k.repeat_interleave(groups, 1);
            v = v.repeat_interleave(groups, 1);
        }

        // softmax(q k^T / sqrt(head_dim), causal) v in one fused kernel.
        var context = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true).transpose(1, 2).reshape(b, s, _c.NumAttentionHeads * d);
        return OProj.Forward(context);
    }
}

/// <summary>down(act(gate(x)) * up(x)), act being hidden_act (SiLU in LLaMA).</summary>
internal sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor> _activation;

    public LlamaMlp(LlamaConfig c) : base("LlamaMLP")
    {
        _activation = Activations.Get(c.HiddenAct);
        GateProj = new LoraLinear(this, "gate_proj", nn.Linear(c.HiddenSize, c.IntermediateSize, hasBias: c.MlpBias));
        UpProj = new LoraLinear(this, "up_proj", nn.Linear(c.HiddenSize, c.IntermediateSize, hasBias: c.MlpBias));
        DownProj = new LoraLinear(this, "down_proj", nn.Linear(c.IntermediateSize, c.HiddenSize, hasBias: c.MlpBias));
    }

    public LoraLinear GateProj { get; }

    public LoraLinear UpProj { get; }

    public LoraLinear DownProj { get; }

    public IEnumerable<LoraLinear> Linears => [GateProj, UpProj, DownProj];

    public override Tensor forward(Tensor x) => DownProj.Forward(_activation(GateProj.Forward(x)).mul_(UpProj.Forward(x)));
}

internal sealed class LlamaDecoderLayer : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly LlamaAttention self_attn;
    private readonly LlamaMlp mlp;
    private readonly LlamaRmsNorm input_layernorm;
    private readonly LlamaRmsNorm post_attention_layernorm;

    public LlamaDecoderLayer(LlamaConfig c) : base("LlamaDecoderLayer")
    {
        self_attn = new LlamaAttention(c);
        mlp = new LlamaMlp(c);
        input_layernorm = new LlamaRmsNorm(c.HiddenSize, c.RmsNormEps);
        post_attention_layernorm = new LlamaRmsNorm(c.HiddenSize, c.RmsNormEps);
        RegisterComponents();
    }

    public IEnumerable<LoraLinear> Linears => self_attn.Linears.Concat(mlp.Linears);

    public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
    {
        var h = x.add(self_attn.forward(input_layernorm.forward(x), cos, sin));
        return h.add(mlp.forward(post_attention_layernorm.forward(h)));
    }
}

/// <summary>The decoder stack ("model." in checkpoints); returns the final normalized hidden states.</summary>
internal sealed class LlamaModel : nn.Module<Tensor, Tensor>
{
    private readonly LlamaConfig _c;
    private readonly Embedding embed_tokens;
    private readonly ModuleList<LlamaDecoderLayer> layers;
    private readonly LlamaRmsNorm norm;

    public LlamaModel(LlamaConfig c) : base("LlamaModel")
    {
        _c = c;
        embed_tokens = nn.Embedding(c.VocabSize, c.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new LlamaDecoderLayer(c)).ToArray());
        norm = new LlamaRmsNorm(c.HiddenSize, c.RmsNormEps);
        RegisterComponents();
    }

    public Embedding Embeddings => embed_tokens;

    public IEnumerable<LoraLinear> Linears => layers.SelectMany(l => l.Linears);

    public override Tensor forward(Tensor inputIds)
    {
        var (cos, sin) = RotaryEmbedding.Table(_c, inputIds.shape[1], inputIds.device);
        var x = embed_tokens.forward(inputIds);
        foreach (var layer in layers)
        {
            x = layer.forward(x, cos, sin);
        }

        return norm.forward(x);
    }
}
