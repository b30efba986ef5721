using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

#pragma warning disable IDE1006 // Field names are Hugging Face's parameter names: TorchSharp registers fields by name.

namespace GrpcTuner.Agent.Models.Bert;

// TorchSharp registers module-typed fields under their field names, so each field here carries the
// name Hugging Face gives that part (encoder.layer.0.attention.self.query.weight, ...), and
// no module is held by two fields. Linear layers that may carry LoRA are registered explicitly
// through LoraLinear, which is not a module itself.

internal sealed class BertEmbeddings : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly MaskDropout dropout;

    public BertEmbeddings(BertConfig c) : base("BertEmbeddings")
    {
        word_embeddings = nn.Embedding(c.VocabSize, c.HiddenSize, padding_idx: c.PadTokenId);
        position_embeddings = nn.Embedding(c.MaxPositionEmbeddings, c.HiddenSize);
        token_type_embeddings = nn.Embedding(c.TypeVocabSize, c.HiddenSize);
        LayerNorm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        dropout = new MaskDropout(c.HiddenDropoutProb);
        RegisterComponents();
    }

    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        using var scope = torch.NewDisposeScope();
        var positions = torch.arange(inputIds.shape[1], device: inputIds.device).unsqueeze(0);
        var sum = word_embeddings.forward(inputIds).add_(position_embeddings.forward(positions)).add_(token_type_embeddings.forward(tokenTypeIds));
        return dropout.forward(LayerNorm.forward(sum)).MoveToOuterDisposeScope();
    }
}

internal sealed class BertSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly int _heads;
    private readonly double _dropout;

    public BertSelfAttention(BertConfig c) : base("BertSelfAttention")
    {
        _heads = c.NumAttentionHeads;
        _dropout = c.AttentionProbsDropoutProb;
        Query = new LoraLinear(this, "query", nn.Linear(c.HiddenSize, c.HiddenSize));
        Key = new LoraLinear(this, "key", nn.Linear(c.HiddenSize, c.HiddenSize));
        Value = new LoraLinear(this, "value", nn.Linear(c.HiddenSize, c.HiddenSize));
        RegisterComponents();
    }

    public LoraLinear Query { get; }

    public LoraLinear Key { get; }

    public LoraLinear Value { get; }

    /// <param name="x">(batch, seq, hidden).</param>
    /// <param name="additiveMask">(batch, 1, 1, seq): 0 where attended, a large negative number on padding.</param>
    public override Tensor forward(Tensor x, Tensor additiveMask)
    {
        var (b, s, h) = (x.shape[0], x.shape[1], x.shape[2]);
        var d = h / _heads;
        Tensor Split(Tensor t) => t.view(b, s, _heads, d).transpose(1, 2);
        var (q, k, v) = (Split(Query.Forward(x)), Split(Key.Forward(x)), Split(Value.Forward(x)));
        // softmax(q k^T / sqrt(d) + mask) v with dropout on the probabilities, as BertSelfAttention computes it.
        var context = training && _dropout > 0
            ? DropoutAttention.Apply(q, k, v, additiveMask, _dropout)
            : nn.functional.scaled_dot_product_attention(q, k, v, additiveMask);
        return context.transpose(1, 2).reshape(b, s, h);
    }
}

/// <summary>[activation ->] dense -> dropout -> LayerNorm(x + residual), after attention and after the feed-forward layer.</summary>
internal sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm LayerNorm;
    private readonly MaskDropout dropout;
    private readonly Func<Tensor, Tensor>? _activation;

    /// <param name="c">The model's configuration.</param>
    /// <param name="inFeatures">The dense layer's input width.</param>
    /// <param name="activation">Applied to the input first (the feed-forward block's), or none.</param>
    public BertResidualOutput(BertConfig c, int inFeatures, Func<Tensor, Tensor>? activation = null) : base("BertResidualOutput")
    {
        _activation = activation;
        Dense = new LoraLinear(this, "dense", nn.Linear(inFeatures, c.HiddenSize));
        LayerNorm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        dropout = new MaskDropout(c.HiddenDropoutProb);
        RegisterComponents();
    }

    public LoraLinear Dense { get; }

    public override Tensor forward(Tensor x, Tensor residual)
    {
        var dense = _activation is null ? Dense.Forward(x) : Dense.ForwardActivated(_activation, x);
        return LayerNorm.forward(dropout.forward(dense).add_(residual));
    }
}

internal sealed class BertAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertSelfAttention self;
    private readonly BertResidualOutput output;

    public BertAttention(BertConfig c) : base("BertAttention")
    {
        self = new BertSelfAttention(c);
        output = new BertResidualOutput(c, c.HiddenSize);
        RegisterComponents();
    }

    public IEnumerable<LoraLinear> Linears => [self.Query, self.Key, self.Value, output.Dense];

    public override Tensor forward(Tensor x, Tensor mask) => output.forward(self.forward(x, mask), x);
}

/// <summary>
/// The feed-forward block's first dense layer. Its activation is applied where its output is used,
/// by the output's dense layer (<see cref="BertResidualOutput"/>), which computes it again in backward
/// instead of keeping it.
/// </summary>
internal sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    public BertIntermediate(BertConfig c) : base("BertIntermediate")
    {
        Activation = Activations.Get(c.HiddenAct);
        Dense = new LoraLinear(this, "dense", nn.Linear(c.HiddenSize, c.IntermediateSize));
        RegisterComponents();
    }

    public LoraLinear Dense { get; }

    public Func<Tensor, Tensor> Activation { get; }

    /// <summary>The activation's input.</summary>
    public override Tensor forward(Tensor x) => Dense.Forward(x);
}

internal sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertResidualOutput output;

    public BertLayer(BertConfig c) : base("BertLayer")
    {
        attention = new BertAttention(c);
        intermediate = new BertIntermediate(c);
        output = new BertResidualOutput(c, c.IntermediateSize, intermediate.Activation);
        RegisterComponents();
    }

    public IEnumerable<LoraLinear> Linears => attention.Linears.Concat([intermediate.Dense, output.Dense]);

    public override Tensor forward(Tensor x, Tensor mask)
    {
        // Temporaries go as soon as the layer is done (autograd keeps what backward needs), so a
        // training step holds what PyTorch would, not every intermediate until the step ends.
        using var scope = torch.NewDisposeScope();
        var attended = attention.forward(x, mask);
        return output.forward(intermediate.forward(attended), attended).MoveToOuterDisposeScope();
    }
}

internal sealed class BertEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<BertLayer> layer;

    public BertEncoder(BertConfig c) : base("BertEncoder")
    {
        layer = nn.ModuleList(Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new BertLayer(c)).ToArray());
        RegisterComponents();
    }

    public IEnumerable<BertLayer> Layers => layer;

    /// <summary>Keep only each layer's input during training and recompute the rest in backward (<see cref="GradientCheckpoint"/>).</summary>
    public bool GradientCheckpointing { get; set; }

    public override Tensor forward(Tensor x, Tensor mask)
    {
        foreach (var l in layer)
        {
            x = GradientCheckpointing && training ? GradientCheckpoint.Run(l.forward, x, mask) : l.forward(x, mask);
        }

        return x;
    }
}

/// <summary>tanh(dense(hidden state of [CLS])).</summary>
internal sealed class BertPooler : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;

    public BertPooler(BertConfig c) : base("BertPooler")
    {
        dense = nn.Linear(c.HiddenSize, c.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden) => dense.forward(hidden.select(1, 0)).tanh();
}
