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
