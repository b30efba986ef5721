using GrpcTuner.Agent.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests;

/// <summary>linear(act(x)) with the activation recomputed in backward, against the same arithmetic through autograd.</summary>
public class RecomputedActivationTests
{
    [Theory]
    [InlineData("gelu")]
    [InlineData("gelu_new")]
    [InlineData("quick_gelu")]
    [InlineData("relu")]
    public void OutputAndGradientsMatchAutograd(string hiddenAct)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(13);
        var calls = 0;
        var activation = (Tensor t) =>
        {
            calls++;
            return Activations.Get(hiddenAct)(t);
        };
        var layer = nn.Linear(6, 4, dtype: ScalarType.Float64);
        var x = torch.randn(2, 5, 6, dtype: ScalarType.Float64).requires_grad_(true);
        var g = torch.randn(2, 5, 4, dtype: ScalarType.Float64);

        var ours = RecomputedActivation.Linear(activation, x, layer);
        ours.backward([g]);
        Assert.Equal(2, calls); // once in forward, once in backward: its output was not kept
        var (gx, gw, gb) = (x.grad!.clone(), layer.weight!.grad!.clone(), layer.bias!.grad!.clone());
        x.grad!.zero_();
        layer.zero_grad();

        var reference = layer.forward(activation(x));
        reference.backward([g]);

        Assert.True(ours.allclose(reference, rtol: 0, atol: 1e-12), "output differs");
        Assert.True(gx.allclose(x.grad!, rtol: 0, atol: 1e-12), "input gradient differs");
        Assert.True(gw.allclose(layer.weight!.grad!, rtol: 0, atol: 1e-12), "weight gradient differs");
        Assert.True(gb.allclose(layer.bias!.grad!, rtol: 0, atol: 1e-12), "bias gradient differs");
    }

    [Fact]
    public void AFrozenWeightKeepsTheAutogradPathWithItsGradients()
    {
        using var scope = torch.NewDisposeScope();
        var calls = 0;
        var layer = nn.Linear(3, 2);
        layer.weight!.requires_grad_(false);
        var x = torch.randn(4, 3).requires_grad_(true);
        RecomputedActivation.Linear(t => { calls++; return nn.functional.gelu(t); }, x, layer).sum().backward();
        Assert.Equal(1, calls);
        Assert.NotNull(x.grad);
        Assert.Null(layer.weight.grad);
    }
}
