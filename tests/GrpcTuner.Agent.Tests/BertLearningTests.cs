using GrpcTuner.Agent.Models.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests;

/// <summary>Both fine-tuning methods learn a small task: is token 7 in the sequence?</summary>
public class BertLearningTests
{
    private static readonly BertConfig Tiny = new()
    {
        VocabSize = 32, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64,
        MaxPositionEmbeddings = 16, NumLabels = 2, HiddenDropoutProb = 0, AttentionProbsDropoutProb = 0,
    };

    [Theory]
    [InlineData("full")]
    [InlineData("lora")]
    public void ValidationLossFallsWellBelowItsStart(string method)
    {
        torch.manual_seed(21);
        using var model = new BertForSequenceClassification(Tiny);
        if (method == "lora")
        {
            model.ApplyLora(r: 8, alpha: 16, dropout: 0, ["query", "key", "value", "dense"]);
        }

        var (trainX, trainY) = Data(512, seed: 1);
        var (validX, validY) = Data(256, seed: 2);
        var mask = torch.ones_like(trainX);
        var start = Loss(model, validX, validY);
        using var optimizer = optim.AdamW(model.parameters().Where(p => p.requires_grad), method == "lora" ? 5e-3 : 1e-3);
        for (var epoch = 0; epoch < 15; epoch++)
        {
            model.train();
            for (var b = 0; b < 512; b += 32)
            {
                using var scope = torch.NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.forward(trainX.narrow(0, b, 32), mask.narrow(0, b, 32), torch.zeros_like(mask.narrow(0, b, 32))), trainY.narrow(0, b, 32)).backward();
                optimizer.step();
            }
        }

        var end = Loss(model, validX, validY);
        Assert.True(end < start * 0.3, $"{method}: validation loss went from {start:F3} to {end:F3}");
    }

    private static double Loss(BertForSequenceClassification model, Tensor x, Tensor y)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        return nn.functional.cross_entropy(model.forward(x, torch.ones_like(x), torch.zeros_like(x)), y).item<float>();
    }

    /// <summary>Sequences of 8 tokens from 1..15 (7 excluded), half of them with one token replaced by 7.</summary>
    private static (Tensor X, Tensor Y) Data(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new long[n * 8];
        var y = new long[n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < 8; j++)
            {
                var t = rng.Next(1, 15);
                x[(i * 8) + j] = t >= 7 ? t + 1 : t;
            }

            y[i] = i % 2;
            if (y[i] == 1)
            {
                x[(i * 8) + rng.Next(8)] = 7;
            }
        }

        return (torch.tensor(x).view(n, 8), torch.tensor(y));
    }
}
