using GrpcTuner.Agent.Models;
using GrpcTuner.Agent.Models.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests;

/// <summary>Attention with dropout on its probabilities and a written-out backward, against the same arithmetic through autograd.</summary>
public class DropoutAttentionTests
{
    private const double P = 0.3;

    [Fact]
    public void OutputAndGradientsMatchAutogradOnTheSameKeepMask()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        var (q, k, v, mask) = Inputs();
        var g = torch.randn(2, 3, 5, 4, dtype: ScalarType.Float64);

        torch.manual_seed(11);
        var ours = DropoutAttention.Apply(q, k, v, mask, P);
        ours.backward([g]);
        var (oq, ok, ov) = (q.grad!.clone(), k.grad!.clone(), v.grad!.clone());
        foreach (var t in new[] { q, k, v })
        {
            t.grad!.zero_();
        }

        // The mask is the function's only random draw, so the same seed gives the same mask.
        torch.manual_seed(11);
        var keep = torch.empty(2, 3, 5, 5, ScalarType.Bool).bernoulli_(1 - P);
        var probs = torch.matmul(q, k.transpose(-2, -1)).div(2).add(mask).softmax(-1);
        var reference = torch.matmul(probs.mul(keep).div(1 - P), v);
        reference.backward([g]);

        Assert.True(keep.logical_not().any().item<bool>(), "no probability was dropped: the test would not see the mask");
        Assert.True(ours.allclose(reference, rtol: 0, atol: 1e-12), "output differs");
        Assert.True(oq.allclose(q.grad!, rtol: 0, atol: 1e-12), "query gradient differs");
        Assert.True(ok.allclose(k.grad!, rtol: 0, atol: 1e-12), "key gradient differs");
        Assert.True(ov.allclose(v.grad!, rtol: 0, atol: 1e-12), "value gradient differs");
    }

    [Fact]
    public void WithoutGradientsItDrawsTheSameMaskAndGivesTheSameOutput()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var (q, k, v, mask) = Inputs();
        torch.manual_seed(5);
        var recorded = DropoutAttention.Apply(q, k, v, mask, P);
        torch.manual_seed(5);
        using var noGrad = torch.no_grad();
        var plain = DropoutAttention.Apply(q, k, v, mask, P);
        Assert.True(plain.allclose(recorded.detach(), rtol: 0, atol: 0));
        Assert.False(plain.requires_grad);
    }

    [Fact]
    public void PaddedKeysGetNoAttentionAndBadProbabilitiesAreRefusedByName()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(9);
        var (q, k, v, mask) = Inputs();
        // A value on a padded key that would show in the output if it got any weight.
        using (torch.no_grad())
        {
            v[0, .., 4, ..] = torch.tensor(1e6, ScalarType.Float64);
        }

        var output = DropoutAttention.Apply(q, k, v, mask, P);
        Assert.True(output[0].abs().max().item<double>() < 1e3, "a padded key was attended");
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => DropoutAttention.Apply(q, k, v, mask, 0)).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => DropoutAttention.Apply(q, k, v, mask, 1)).ParamName);
    }

    [Fact]
    public void BertDropsAttentionProbabilitiesOnlyWhileTraining()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var model = new BertModel(new BertConfig
        {
            VocabSize = 40, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64, MaxPositionEmbeddings = 16,
            HiddenDropoutProb = 0, AttentionProbsDropoutProb = 0.5,
        }, addPoolingLayer: false);
        var ids = torch.randint(1, 40, [2, 8]);
        var (mask, types) = (torch.ones_like(ids), torch.zeros_like(ids));
        model.train();
        Assert.False(model.forward(ids, mask, types).allclose(model.forward(ids, mask, types)), "training drew no attention dropout");
        model.eval();
        Assert.True(model.forward(ids, mask, types).allclose(model.forward(ids, mask, types), rtol: 0, atol: 0), "evaluation is not deterministic");
    }

    /// <summary>batch 2, 3 heads, 5 positions, head_dim 4 (scale 1/2); the first sequence's last position is padding.</summary>
    private static (Tensor Q, Tensor K, Tensor V, Tensor Mask) Inputs()
    {
        Tensor Leaf() => torch.randn(2, 3, 5, 4, dtype: ScalarType.Float64).requires_grad_(true);
        var mask = torch.zeros(2, 1, 1, 5, ScalarType.Float64);
        mask[0, 0, 0, 4] = torch.tensor(double.MinValue / 2);
        return (Leaf(), Leaf(), Leaf(), mask);
    }
}
