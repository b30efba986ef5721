using GrpcTuner.Agent.Models.Bert;
using GrpcTuner.Agent.Models.Checkpoints;
using GrpcTuner.Testing.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests.RealModels;

/// <summary>
/// Each way real checkpoints lay out a BERT model, made from the imported MiniLM, loads as
/// Hugging Face's from_pretrained would: the encoder's weights bit for bit, unused keys skipped and
/// named, a new head initialised and named; and missing weights are an error naming them.
/// </summary>
public class LoadingTests
{
    private static readonly string[] FiveLabels = ["a", "b", "c", "d", "e"];

    [Fact]
    public void ABaseModelCheckpointWithoutThePrefixAndWithItsInt64PositionIdsLoadsIntoAHeadModel()
    {
        var logs = new List<string>();
        using var model = BertForSequenceClassification.FromPretrained(MiniLm.Folder, FiveLabels, logs.Add);
        var line = Assert.Single(logs);
        Assert.Contains("loaded 103 tensors", line);
        Assert.Contains("skipped 1 the model does not use: embeddings.position_ids", line);
        Assert.Contains("initialized 2 new: classifier.bias, classifier.weight", line);
        AssertEncoderIsMiniLm(model);
    }

    [Fact]
    public void ATwoLabelTaskGetsANewHeadWhenConfigJsonSaysNothingAboutLabels()
    {
        var logs = new List<string>();
        using var model = BertForSequenceClassification.FromPretrained(MiniLm.Folder, ["neg", "pos"], logs.Add);
        Assert.Contains("initialized 2 new: classifier.bias, classifier.weight", logs.Single());
        Assert.Equal(2, model.Config.NumLabels);
    }

    [Fact]
    public void APretrainingCheckpointLoadsWithItsClsHeadsSkippedAndListed()
    {
        using var variant = CheckpointVariant.Make(w =>
        {
            var all = CheckpointVariant.Prefixed(w, "bert.");
            all["cls.predictions.bias"] = zeros(30522);
            all["cls.predictions.transform.dense.weight"] = zeros(384, 384);
            all["cls.predictions.transform.LayerNorm.weight"] = ones(384);
            all["cls.seq_relationship.weight"] = zeros(2, 384);
            return all;
        }, c => c["architectures"] = new System.Text.Json.Nodes.JsonArray("BertForPreTraining"));
        var logs = new List<string>();
        using var model = BertForSequenceClassification.FromPretrained(variant.Folder, FiveLabels, logs.Add);
        Assert.Contains("skipped 5 the model does not use: bert.embeddings.position_ids, cls.predictions.bias, cls.predictions.transform.LayerNorm.weight, cls.predictions.transform.dense.weight, cls.seq_relationship.weight", logs.Single());
        AssertEncoderIsMiniLm(model);
    }

    [Fact]
    public void ACheckpointWithoutAPoolerGetsAFreshOneAndTheEncoderWithoutItSkipsIt()
    {
        using var variant = CheckpointVariant.Make(w => w.Where(kv => !kv.Key.StartsWith("pooler.", StringComparison.Ordinal)).ToDictionary());
        var logs = new List<string>();
        using (var model = BertForSequenceClassification.FromPretrained(variant.Folder, FiveLabels, logs.Add))
        {
            Assert.Contains("initialized 4 new: bert.pooler.dense.bias, bert.pooler.dense.weight, classifier.bias, classifier.weight", logs[^1]);
            AssertEncoderIsMiniLm(model);
        }

        using var encoder = BertModel.FromPretrained(MiniLm.Folder, logs.Add);
        Assert.Contains("skipped 3 the model does not use: embeddings.position_ids, pooler.dense.bias, pooler.dense.weight", logs[^1]);
    }

    [Fact]
    public void AHeadOfAnotherSizeIsReplacedAndTheOldOneListed()
    {
        using var variant = CheckpointVariant.Make(w =>
        {
            var all = CheckpointVariant.Prefixed(w, "bert.");
            all["classifier.weight"] = ones(3, 384);
            all["classifier.bias"] = ones(3);
            return all;
        }, c => c["id2label"] = new System.Text.Json.Nodes.JsonObject { ["0"] = "x", ["1"] = "y", ["2"] = "z" });
        var logs = new List<string>();
        using var model = BertForSequenceClassification.FromPretrained(variant.Folder, FiveLabels, logs.Add);
        Assert.Contains("classifier.bias, classifier.weight", logs.Single().Split("skipped")[1]);
        Assert.Contains("a head of 5 labels where the checkpoint says 3", logs.Single());
        using var kept = BertForSequenceClassification.FromPretrained(variant.Folder, ["x", "y", "z"], logs.Add);
        Assert.True(kept.state_dict()["classifier.weight"].eq(1).all().item<bool>(), "a head of the same size is the checkpoint's");
    }

    [Fact]
    public void MissingEncoderWeightsAreAnErrorNamingThem()
    {
        using var variant = CheckpointVariant.Make(w => w.Where(kv => !kv.Key.StartsWith("encoder.layer.3.attention.self.", StringComparison.Ordinal)).ToDictionary());
        var e = Assert.Throws<InvalidDataException>(() => BertForSequenceClassification.FromPretrained(variant.Folder, FiveLabels, _ => { }));
        Assert.Contains("lacks 6 weights the model needs: bert.encoder.layer.3.attention.self.key.bias, bert.encoder.layer.3.attention.self.key.weight", e.Message);
    }

    [Fact]
    public void AShapeThatDiffersFromConfigJsonIsNamed()
    {
        using var variant = CheckpointVariant.Make(config: c => c["intermediate_size"] = 1024);
        var e = Assert.Throws<InvalidDataException>(() => BertForSequenceClassification.FromPretrained(variant.Folder, FiveLabels, _ => { }));
        Assert.Contains("'encoder.layer.0.intermediate.dense.bias' has shape [1536] where the model's 'bert.encoder.layer.0.intermediate.dense.bias' needs [1024]", e.Message);
    }

    [Theory]
    [InlineData("hidden_act", "mish", "hidden_act 'mish' is not supported")]
    [InlineData("position_embedding_type", "relative_key", "position_embedding_type 'relative_key' is not supported")]
    public void WhatTheModelDoesNotComputeIsRefusedByName(string field, string value, string message)
    {
        using var variant = CheckpointVariant.Make(config: c => c[field] = value);
        var e = Assert.Throws<NotSupportedException>(() => BertForSequenceClassification.FromPretrained(variant.Folder, FiveLabels, _ => { }));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ALegacyPyTorchBinWithGammaAndBetaLoadsTheSameWeights()
    {
        using var variant = CheckpointVariant.Make();
        var bin = Path.Combine(variant.Folder, "pytorch_model.bin");
        PythonPeer.Run("safetensors_to_bin.py", [Path.Combine(variant.Folder, SafeTensors.FileName), bin, "--legacy-names", "--prefix", "bert."]);
        File.Delete(Path.Combine(variant.Folder, SafeTensors.FileName));
        var logs = new List<string>();
        using var model = BertForSequenceClassification.FromPretrained(variant.Folder, FiveLabels, logs.Add);
        Assert.Contains("loaded 103 tensors", logs.Single());
        AssertEncoderIsMiniLm(model);
    }

    [Fact]
    public void AShardedCheckpointLoadsThroughItsIndex()
    {
        using var variant = CheckpointVariant.Make();
        var single = Path.Combine(variant.Folder, SafeTensors.FileName);
        SafeTensors.SaveSharded(variant.Folder, SafeTensors.Load(single), maxShardBytes: 20_000_000);
        File.Delete(single);
        Assert.True(Directory.GetFiles(variant.Folder, "model-*-of-*.safetensors").Length >= 4);
        using var model = BertForSequenceClassification.FromPretrained(variant.Folder, FiveLabels, _ => { });
        AssertEncoderIsMiniLm(model);
    }

    /// <summary>Every encoder weight equals the imported file's, bit for bit.</summary>
    private static void AssertEncoderIsMiniLm(BertForSequenceClassification model)
    {
        var state = model.state_dict();
        using var source = SafeTensors.Open(MiniLm.Folder);
        foreach (var name in source.Names.Where(n => n.StartsWith("encoder.", StringComparison.Ordinal) || n.EndsWith("_embeddings.weight", StringComparison.Ordinal)))
        {
            using var stored = source.Read(name);
            Assert.True(stored.eq(state["bert." + name]).all().item<bool>(), $"{name} differs from the checkpoint");
        }
    }
}
