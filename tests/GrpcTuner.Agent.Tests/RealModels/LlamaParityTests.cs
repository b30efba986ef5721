using System.Text.Json.Nodes;
using System.Text.Json;
using GrpcTuner.Agent.Models.Checkpoints;
using GrpcTuner.Agent.Models.Llama;
using GrpcTuner.Agent.Models;
using GrpcTuner.Testing.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests.RealModels;

/// <summary>
/// Our LlamaForCausalLM against a PyTorch forward pass written from Hugging Face's modeling_llama
/// (Peers/llama_reference.py), on tiny random checkpoints that our writer saved: each config field
/// a real LLaMA-family checkpoint uses changes the logits, and ours agree to 1e-4.
/// </summary>
public class LlamaParityTests
{
    private const string Base = "\"vocab_size\": 64, \"hidden_size\": 32, \"intermediate_size\": 48, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"max_position_embeddings\": 64, \"rms_norm_eps\": 1e-5";

    /// <summary>Fields a Hugging Face LlamaConfig reads; a config we write holds nothing else.</summary>
    private static readonly HashSet<string> HuggingFaceFields =
    [
        "model_type", "architectures", "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
        "head_dim", "hidden_act", "max_position_embeddings", "initializer_range", "rms_norm_eps", "rope_theta", "rope_scaling", "attention_bias", "mlp_bias",
        "tie_word_embeddings", "bos_token_id", "eos_token_id", "pad_token_id", "torch_dtype",
    ];

    [Theory]
    [InlineData("gqa-llama3", "\"num_key_value_heads\": 2, \"rope_theta\": 500000, \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8, \"low_freq_factor\": 1, \"high_freq_factor\": 4, \"original_max_position_embeddings\": 16}", 12)]
    [InlineData("linear-head-dim-biases-gelu", "\"head_dim\": 16, \"attention_bias\": true, \"mlp_bias\": true, \"hidden_act\": \"gelu\", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 4}", 12)]
    [InlineData("dynamic-past-max-positions", "\"max_position_embeddings\": 8, \"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 2}", 16)]
    [InlineData("tied-gqa", "\"num_key_value_heads\": 1, \"tie_word_embeddings\": true, \"bos_token_id\": 1, \"torch_dtype\": \"float32\"", 10)]
    public void LogitsMatchTheReferenceAndTheSavedConfigIsHuggingFaces(string name, string fields, int length)
    {
        var dir = Directory.CreateTempSubdirectory($"grpctuner-llama-{name}-").FullName;
        try
        {
            var json = $"{{{Base.Replace("\"max_position_embeddings\": 64", fields.Contains("max_position_embeddings", StringComparison.Ordinal) ? "\"model_type\": \"llama\"" : "\"max_position_embeddings\": 64", StringComparison.Ordinal)}, {fields}}}";
            var config = JsonSerializer.Deserialize<LlamaConfig>(json)!;
            torch.manual_seed(name.Length);
            using (var llama = new LlamaForCausalLM(config))
            {
                llama.SavePretrained(dir);
            }

            var ids = Enumerable.Range(0, 2).Select(b => Enumerable.Range(0, length).Select(i => (long)((i * 7) + (b * 13) + 3) % 64).ToArray()).ToArray();
            var reference = JsonSerializer.Deserialize<float[][][]>(PythonPeer.Run("llama_reference.py", [dir, "--ids", JsonSerializer.Serialize(ids)]))!;
            using var loaded = LlamaForCausalLM.FromPretrained(dir, _ => { });
            using var logits = loaded.forward(torch.tensor(ids.SelectMany(r => r).ToArray(), [2, length]));
            using var expected = torch.tensor(reference.SelectMany(b => b.SelectMany(p => p)).ToArray(), logits.shape);
            var diff = logits.sub(expected).abs().max().item<float>();
            Assert.True(diff <= 1e-4, $"{name}: max |ours - reference| = {diff:E3}");

            var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject();
            Assert.DoesNotContain(saved, kv => !HuggingFaceFields.Contains(kv.Key));
            Assert.Equal(config.HeadDim, (int)saved["head_dim"]!);
            Assert.Equal(config.KeyValueHeads, (int)saved["num_key_value_heads"]!);
            foreach (var field in JsonNode.Parse(json)!.AsObject())
            {
                Assert.True(JsonNode.DeepEquals(field.Value, saved[field.Key]), $"{field.Key} was {field.Value?.ToJsonString()} and is saved as {saved[field.Key]?.ToJsonString()}");
            }

            Assert.Equal(config.TieWordEmbeddings, !SafeTensors.Load(dir).ContainsKey("lm_head.weight"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RopeScalingChangesTheLogitsAsTheReferenceDoes()
    {
        // Without this, a reader that drops rope_scaling would pass the test above by accident.
        var plain = JsonSerializer.Deserialize<LlamaConfig>($"{{{Base}}}")!;
        var scaled = JsonSerializer.Deserialize<LlamaConfig>($"{{{Base}, \"rope_scaling\": {{\"type\": \"linear\", \"factor\": 4}}}}")!;
        Assert.NotEqual(RotaryEmbedding.InverseFrequencies(plain, 12), RotaryEmbedding.InverseFrequencies(scaled, 12));
    }

    [Fact]
    public void ATiedCheckpointThatAlsoStoresLmHeadAndOldInvFreqBuffersLoadsWithThemSkipped()
    {
        var dir = Directory.CreateTempSubdirectory("grpctuner-llama-tied-").FullName;
        try
        {
            var config = JsonSerializer.Deserialize<LlamaConfig>($"{{{Base}, \"tie_word_embeddings\": true}}")!;
            torch.manual_seed(3);
            using var llama = new LlamaForCausalLM(config);
            var weights = HuggingFaceFolder.BaseWeights(llama);
            weights["model.layers.0.self_attn.rotary_emb.inv_freq"] = torch.ones(4);
            HuggingFaceFolder.SaveConfig(dir, config.ForSaving());
            SafeTensors.Save(Path.Combine(dir, SafeTensors.FileName), weights);
            var logs = new List<string>();
            using var loaded = LlamaForCausalLM.FromPretrained(dir, logs.Add);
            Assert.Contains("skipped 2 the model does not use: lm_head.weight, model.layers.0.self_attn.rotary_emb.inv_freq", logs.Single());
            using var ids = torch.tensor(new long[] { 1, 5, 9, 2 }).unsqueeze(0);
            Assert.True(llama.forward(ids).allclose(loaded.forward(ids), rtol: 0, atol: 0));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}", "rope_scaling type 'yarn' is not supported")]
    [InlineData("\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8}", "'llama3' needs factor, low_freq_factor, high_freq_factor and original_max_position_embeddings")]
    [InlineData("\"hidden_act\": \"swiglu\"", "hidden_act 'swiglu' is not supported")]
    [InlineData("\"num_key_value_heads\": 3", "not a multiple of num_key_value_heads 3")]
    public void WhatTheModelDoesNotComputeIsRefusedByName(string fields, string message)
    {
        var config = JsonSerializer.Deserialize<LlamaConfig>($"{{{Base}, {fields}}}")!;
        var e = Assert.Throws<NotSupportedException>(() => new LlamaForCausalLM(config));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void AMissingHeadWithoutTyingIsAnErrorNamingIt()
    {
        var dir = Directory.CreateTempSubdirectory("grpctuner-llama-nohead-").FullName;
        try
        {
            var config = JsonSerializer.Deserialize<LlamaConfig>($"{{{Base}}}")!;
            using var llama = new LlamaForCausalLM(config);
            var weights = HuggingFaceFolder.BaseWeights(llama);
            weights.Remove("lm_head.weight");
            HuggingFaceFolder.SaveConfig(dir, config.ForSaving());
            SafeTensors.Save(Path.Combine(dir, SafeTensors.FileName), weights);
            var e = Assert.Throws<InvalidDataException>(() => LlamaForCausalLM.FromPretrained(dir, _ => { }));
            Assert.Contains("lacks 1 weights the model needs: lm_head.weight", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
