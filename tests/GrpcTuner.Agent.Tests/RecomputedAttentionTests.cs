using GrpcTuner.Agent.Models.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests;

/// <summary>BERT's attention core with its probabilities recomputed in backward: the same output and gradients as autograd keeping them.</summary>
public class RecomputedAttentionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RecomputingGivesTheOutputAndGradientsOfKeepingTheProbabilities(bool keyNeedsGrad)
    {
        var (kept, keptGrads) = Run(recompute: false, keyNeedsGrad);
        var (recomputed, grads) = Run(recompute: true, keyNeedsGrad);
        Assert.True(kept.allclose(recomputed, rtol: 1e-6, atol: 1e-7), "outputs differ");
        Assert.Equal(keptGrads.Select(g => g is null), grads.Select(g => g is null));
        Assert.Equal(keyNeedsGrad, grads[1] is not null);
        for (var i = 0; i < 3; i++)
        {
            if (grads[i] is { } g)
            {
                Assert.True(g.allclose(keptGrads[i]!, rtol: 1e-5, atol: 1e-7), $"gradient of input {i} differs");
            }
        }
    }

    [Fact]
    public void DropoutDropsAQuarterOfTheProbabilitiesAndScalesTheRest()
    {
        torch.manual_seed(3);
        using var q = torch.randn(2, 3, 64, 8);
        using var k = torch.randn(2, 3, 64, 8);
        // v is the identity per query position, so that the output is the dropped probabilities themselves.
        using var v = torch.eye(64).expand(2, 3, 64, 64);
        using var mask = torch.zeros(2, 1, 1, 64);
        using var dropped = RecomputedAttention.Apply(q, k, v, mask, 0.25, recompute: true);
        using var probabilities = q.matmul(k.transpose(-2, -1)).div(Math.Sqrt(8)).softmax(-1);
        var zeros = dropped.eq(0).to_type(ScalarType.Float32).mean().item<float>();
        Assert.InRange(zeros, 0.22, 0.28);
        using var kept = dropped.ne(0);
        Assert.True(dropped.masked_select(kept).allclose(probabilities.masked_select(kept).div(0.75), rtol: 1e-5), "kept probabilities are not scaled by 1/(1-p)");
    }

    private static (Tensor Output, Tensor?[] Grads) Run(bool recompute, bool keyNeedsGrad)
    {
        torch.manual_seed(5);
        var q = torch.randn(2, 4, 12, 8).requires_grad_(true);
        var k = torch.randn(2, 4, 12, 8).requires_grad_(keyNeedsGrad);
        var v = torch.randn(2, 4, 12, 8).requires_grad_(true);
        // The last three keys of the second example are padding.
        var mask = torch.zeros(2, 1, 1, 12);
        mask[1, 0, 0, TensorIndex.Slice(9, 12)] = torch.tensor(float.MinValue);
        torch.manual_seed(6);
        var output = RecomputedAttention.Apply(q, k, v, mask, 0.1, recompute);
        using var weights = torch.linspace(-1, 1, output.numel()).reshape(output.shape);
        output.mul(weights).sum().backward();
        return (output.detach(), [q.grad?.clone(), k.grad?.clone(), v.grad?.clone()]);
    }
}
