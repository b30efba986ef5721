using System.Text.Json.Nodes;
using GrpcTuner.Agent.Models.Checkpoints;
using GrpcTuner.Testing.Models;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests.RealModels;

/// <summary>A copy of the imported MiniLM laid out as another real checkpoint would be: names renamed, keys added or removed, config.json edited.</summary>
internal sealed class CheckpointVariant : IDisposable
{
    private CheckpointVariant(string folder) => Folder = folder;

    public string Folder { get; }

    public static CheckpointVariant Make(Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>>? weights = null, Action<JsonObject>? config = null)
    {
        var variant = new CheckpointVariant(MiniLm.CopyTo(Path.Combine(Path.GetTempPath(), $"grpctuner-ckpt-{Guid.NewGuid():N}")));
        if (weights is not null)
        {
            var file = Path.Combine(variant.Folder, SafeTensors.FileName);
            var tensors = SafeTensors.Load(file);
            SafeTensors.Save(file, weights(tensors));
        }

        if (config is not null)
        {
            var path = Path.Combine(variant.Folder, "config.json");
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            config(json);
            File.WriteAllText(path, json.ToJsonString());
        }

        return variant;
    }

    /// <summary>Every name with a prefix, as head models (BertForSequenceClassification, BertForPreTraining) store the encoder.</summary>
    public static Dictionary<string, Tensor> Prefixed(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.ToDictionary(kv => prefix + kv.Key, kv => kv.Value);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
