using GrpcTuner.Agent.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests;

/// <summary>Dropout that keeps a byte mask: nn.Dropout's arithmetic, in forward and backward.</summary>
public class MaskDropoutTests
{
    [Fact]
    public void TrainingDropsAboutPAndScalesTheRestAndItsGradientIsTheSameMask()
    {
        torch.manual_seed(1);
        using var dropout = new MaskDropout(0.3);
        dropout.train();
        using var x = torch.rand(200, 300).add_(0.5).requires_grad_(true);
        using var y = dropout.forward(x);
        using var kept = y.ne(0);
        Assert.InRange(1 - kept.to_type(ScalarType.Float32).mean().item<float>(), 0.28, 0.32);
        Assert.True(y.masked_select(kept).allclose(x.detach().masked_select(kept).div(0.7), rtol: 1e-6));
        y.sum().backward();
        Assert.True(x.grad!.allclose(kept.to_type(ScalarType.Float32).div(0.7), rtol: 0, atol: 0), "the gradient is not keep / (1 - p)");
    }

    [Fact]
    public void EvaluationPassesTheInputThroughAndBadProbabilitiesAreRefusedByName()
    {
        using var dropout = new MaskDropout(0.5);
        dropout.eval();
        using var x = torch.randn(4, 5);
        using var y = dropout.forward(x);
        Assert.True(y.allclose(x, rtol: 0, atol: 0));
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => new MaskDropout(1.5)).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => new MaskDropout(-0.1)).ParamName);
    }
}
