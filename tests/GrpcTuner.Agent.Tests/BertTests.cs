using GrpcTuner.Agent.Models;
using GrpcTuner.Agent.Models.Bert;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests;

public class BertTests
{
    private static readonly BertConfig Tiny = new()
    {
        VocabSize = 50, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 32,
        MaxPositionEmbeddings = 16, NumLabels = 3, HiddenDropoutProb = 0, AttentionProbsDropoutProb = 0,
    };

    [Fact]
    public void ParameterNamesAreHuggingFaces()
    {
        using var model = new BertForSequenceClassification(Tiny);
        var names = model.state_dict().Keys.ToHashSet();
        Assert.Contains("bert.embeddings.word_embeddings.weight", names);
        Assert.Contains("bert.embeddings.LayerNorm.weight", names);
        Assert.Contains("bert.encoder.layer.1.attention.self.query.weight", names);
        Assert.Contains("bert.encoder.layer.0.attention.output.dense.bias", names);
        Assert.Contains("bert.encoder.layer.0.attention.output.LayerNorm.bias", names);
        Assert.Contains("bert.encoder.layer.0.intermediate.dense.weight", names);
        Assert.Contains("bert.encoder.layer.0.output.LayerNorm.weight", names);
        Assert.Contains("bert.pooler.dense.weight", names);
        Assert.Contains("classifier.bias", names);
        // 5 embedding tensors, 16 per layer, 2 pooler, 2 classifier: nothing else.
        Assert.Equal(5 + (2 * 16) + 2 + 2, names.Count);
    }

    [Fact]
    public void AModelSavedInHuggingFaceLayoutLoadsBackWithTheSameLogits()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            torch.manual_seed(7);
            using var model = new BertForSequenceClassification(Tiny);
            model.eval();
            var (ids, mask) = Batch();
            var before = model.forward(ids, mask, torch.zeros_like(ids));
            model.SavePretrained(dir);
            Assert.True(File.Exists(Path.Combine(dir, "config.json")));
            using var loaded = BertForSequenceClassification.FromPretrained(dir, null, _ => { });
            loaded.eval();
            Assert.True(before.eq(loaded.forward(ids, mask, torch.zeros_like(ids))).all().item<bool>(), "logits differ after the round trip");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void PaddingDoesNotChangeTheLogitsOfTheRealTokens()
    {
        torch.manual_seed(3);
        using var model = new BertForSequenceClassification(Tiny);
        model.eval();
        var ids = torch.tensor(new long[] { 2, 7, 9, 4 }).unsqueeze(0);
        var padded = torch.tensor(new long[] { 2, 7, 9, 4, 0, 0 }).unsqueeze(0);
        var short_ = model.forward(ids, torch.ones_like(ids), torch.zeros_like(ids));
        var long_ = model.forward(padded, torch.tensor(new long[] { 1, 1, 1, 1, 0, 0 }).unsqueeze(0), torch.zeros_like(padded));
        Assert.True(short_.allclose(long_, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void LoraTrainsOnlyAdaptersAndMergesToTheSameOutputs()
    {
        torch.manual_seed(11);
        using var model = new BertForSequenceClassification(Tiny);
        model.ApplyLora(r: 4, alpha: 8, dropout: 0, ["query", "value"]);
        var baseBefore = HuggingFaceFolder.BaseWeights(model).Where(kv => !kv.Key.StartsWith("classifier", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var adaptersBefore = HuggingFaceFolder.AdapterWeights(model).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        Assert.Equal(2 * 2 * 2, adaptersBefore.Count); // 2 layers x (query, value) x (A, B)

        var (ids, mask) = Batch();
        var labels = torch.tensor(new long[] { 0, 1, 2, 1 });
        using var optimizer = optim.AdamW(model.parameters().Where(p => p.requires_grad), 1e-2);
        model.train();
        for (var step = 0; step < 5; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.forward(ids, mask, torch.zeros_like(ids)), labels).backward();
            foreach (var (name, p) in model.named_parameters())
            {
                var isTrainable = name.Contains("_lora.", StringComparison.Ordinal) || name.StartsWith("classifier", StringComparison.Ordinal);
                Assert.Equal(isTrainable, p.grad is not null);
            }

            optimizer.step();
        }

        foreach (var (name, before) in baseBefore)
        {
            Assert.True(before.eq(model.state_dict()[name]).all().item<bool>(), $"base weight {name} changed");
        }

        Assert.Contains(HuggingFaceFolder.AdapterWeights(model), kv => !kv.Value.eq(adaptersBefore[kv.Key]).all().item<bool>());
        model.eval();
        var unmerged = model.forward(ids, mask, torch.zeros_like(ids));
        model.MergeLora();
        var merged = model.forward(ids, mask, torch.zeros_like(ids));
        Assert.True(unmerged.allclose(merged, rtol: 1e-4, atol: 1e-5), "merged adapters change the outputs");
    }

    private static (Tensor Ids, Tensor Mask) Batch()
    {
        var ids = torch.tensor(new long[] { 2, 5, 9, 3, 0, 0, 2, 7, 7, 8, 11, 3, 2, 4, 3, 0, 0, 0, 2, 30, 31, 32, 33, 3 }).view(4, 6);
        return (ids, ids.ne(0).to_type(ScalarType.Int64));
    }
}
