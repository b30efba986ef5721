using GrpcTuner.Agent.Models;
using GrpcTuner.Agent.Models.Checkpoints;
using GrpcTuner.Agent.Models.Llama;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests;

public class LlamaTests
{
    private static readonly LlamaConfig Tiny = new()
    {
        VocabSize = 40, HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, MaxPositionEmbeddings = 64,
    };

    [Fact]
    public void ParameterNamesAreHuggingFaces()
    {
        using var llama = new LlamaForCausalLM(Tiny);
        var names = llama.state_dict().Keys.ToHashSet();
        Assert.Contains("model.embed_tokens.weight", names);
        Assert.Contains("model.layers.1.self_attn.q_proj.weight", names);
        Assert.Contains("model.layers.0.self_attn.k_proj.weight", names);
        Assert.Contains("model.layers.0.mlp.gate_proj.weight", names);
        Assert.Contains("model.layers.0.input_layernorm.weight", names);
        Assert.Contains("model.layers.0.post_attention_layernorm.weight", names);
        Assert.Contains("model.norm.weight", names);
        Assert.Contains("lm_head.weight", names);
        // embed, norm, head + 9 per layer (4 attention, 3 MLP, 2 norms): nothing else.
        Assert.Equal(3 + (2 * 9), names.Count);
        Assert.Equal([16L, 32], llama.state_dict()["model.layers.0.self_attn.k_proj.weight"].shape); // 2 key/value heads of 8
    }

    [Fact]
    public void AShardedCheckpointLoadsBackWithTheSameLogits()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            torch.manual_seed(5);
            using var llama = new LlamaForCausalLM(Tiny);
            var ids = torch.randint(0, Tiny.VocabSize, [2, 10]);
            var before = llama.forward(ids);
            llama.SavePretrained(dir, maxShardBytes: 20_000);
            Assert.True(File.Exists(Path.Combine(dir, SafeTensors.IndexFile)), "a checkpoint this size is sharded");
            using var loaded = LlamaForCausalLM.FromPretrained(dir, _ => { });
            Assert.True(before.eq(loaded.forward(ids)).all().item<bool>(), "logits differ after the round trip");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheModelIsCausal()
    {
        torch.manual_seed(6);
        using var llama = new LlamaForCausalLM(Tiny);
        var a = torch.tensor(new long[] { 1, 2, 3, 4, 5, 6 }).unsqueeze(0);
        var b = torch.tensor(new long[] { 1, 2, 3, 9, 9, 9 }).unsqueeze(0);
        // Positions 0..2 see only tokens 0..2, which the two inputs share.
        Assert.True(llama.forward(a).narrow(1, 0, 3).allclose(llama.forward(b).narrow(1, 0, 3), rtol: 1e-5, atol: 1e-6));
        Assert.False(llama.forward(a).narrow(1, 3, 1).allclose(llama.forward(b).narrow(1, 3, 1), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void LoraLearnsACountingSequenceWhileTheBaseStaysBitIdentical()
    {
        torch.manual_seed(8);
        using var llama = new LlamaForCausalLM(Tiny);
        llama.ApplyLora(r: 8, alpha: 16, dropout: 0, ["q_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]);
        var baseBefore = HuggingFaceFolder.BaseWeights(llama).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        // Sequences k, k+1, k+2, ... (mod 40): the next token is always predictable.
        var ids = torch.stack(Enumerable.Range(0, 16).Select(k => torch.arange(k, k + 12).remainder(Tiny.VocabSize)).ToArray());
        var start = llama.Loss(ids, ids).item<float>();
        using var optimizer = optim.AdamW(llama.parameters().Where(p => p.requires_grad), 1e-2);
        for (var step = 0; step < 60; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            llama.Loss(ids, ids).backward();
            optimizer.step();
        }

        var end = llama.Loss(ids, ids).item<float>();
        Assert.True(end < start * 0.3, $"loss went from {start:F3} to {end:F3}; perplexity {Math.Exp(end):F2}");
        foreach (var (name, before) in baseBefore)
        {
            Assert.True(before.eq(llama.state_dict()[name]).all().item<bool>(), $"base weight {name} changed");
        }

        var unmerged = llama.forward(ids);
        llama.MergeLora();
        Assert.True(unmerged.allclose(llama.forward(ids), rtol: 1e-4, atol: 1e-4), "merged adapters change the outputs");
    }
}
