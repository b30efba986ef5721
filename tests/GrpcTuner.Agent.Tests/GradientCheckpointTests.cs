using GrpcTuner.Agent.Models;
using GrpcTuner.Agent.Models.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests;

/// <summary>Checkpointing changes memory, never the numbers: the same loss and gradients, dropout included, in full fine-tuning and with LoRA.</summary>
public class GradientCheckpointTests
{
    private static readonly BertConfig Tiny = new()
    {
        VocabSize = 40, HiddenSize = 32, NumHiddenLayers = 3, NumAttentionHeads = 4, IntermediateSize = 64, MaxPositionEmbeddings = 16, NumLabels = 3,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LossAndGradientsAreThoseWithoutIt(bool lora)
    {
        var (plainLoss, plainGrads) = Step(checkpointing: false, lora);
        var (loss, grads) = Step(checkpointing: true, lora);
        Assert.Equal(plainLoss, loss, 6);
        Assert.Equal(plainGrads.Keys.Order(), grads.Keys.Order());
        Assert.NotEmpty(grads);
        foreach (var (name, g) in plainGrads)
        {
            Assert.True(g.allclose(grads[name], rtol: 1e-5, atol: 1e-7), $"gradient of {name} differs");
        }
    }

    /// <summary>
    /// Each way of replaying the forward's random numbers gives the gradient of the dropout mask the
    /// forward drew: the CPU's exact state, and the reseeding that CUDA gets (run here with the CPU
    /// generator's seed, as no GPU is at hand), between which forward and backward draw other numbers.
    /// </summary>
    [Theory]
    [InlineData("cpu-state")]
    [InlineData("reseeded")]
    public void TheRecomputationDrawsTheForwardsDropoutMask(string replay)
    {
        Capture random = replay == "cpu-state" ? RandomReplay.CpuState : () => RandomReplay.Reseeded(s => torch.random.manual_seed(s));
        torch.manual_seed(3);
        using var x = torch.randn(256);
        using var w = torch.ones(256).requires_grad_(true);
        using var y = GradientCheckpoint.Run((input, _) => nn.functional.dropout(input * w, 0.5, training: true), x, x, random);
        using var kept = y.ne(0).to(torch.float32);
        // Draws between the forward and the backward: a replay that did not restore would use the numbers after them.
        using var between = torch.rand(1000);
        y.sum().backward();
        Assert.InRange(kept.sum().item<float>(), 64, 192);
        using var expected = x * kept * 2;
        Assert.True(w.grad!.allclose(expected), $"{replay}: the gradient is not that of the forward's mask");
    }

    private static (double Loss, Dictionary<string, Tensor> Grads) Step(bool checkpointing, bool lora)
    {
        torch.manual_seed(9);
        var model = new BertForSequenceClassification(Tiny);
        if (lora)
        {
            model.ApplyLora(r: 4, alpha: 8, dropout: 0.1, ["query", "value"]);
        }

        model.GradientCheckpointing = checkpointing;
        model.train();
        torch.manual_seed(10);
        using var ids = torch.randint(1, 40, [4, 12]);
        using var mask = torch.ones_like(ids);
        using var types = torch.zeros_like(ids);
        var loss = nn.functional.cross_entropy(model.forward(ids, mask, types), torch.tensor(new long[] { 0, 1, 2, 1 }));
        loss.backward();
        var grads = model.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        return (loss.item<float>(), grads);
    }
}
