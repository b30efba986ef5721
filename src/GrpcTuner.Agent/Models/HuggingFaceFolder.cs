using System.Text.Json;
using GrpcTuner.Agent.Models.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>
/// What every model does with a Hugging Face folder (its config.json and saved weights), and
/// with LoRA adapters, whose parameters carry "_lora." in their names so that base weights and
/// adapters load and save apart.
/// </summary>
public static class HuggingFaceFolder
{
    public const string AdapterMarker = "_lora.";

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static T LoadConfig<T>(string folder)
    {
        var path = Path.Combine(folder, "config.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist: a Hugging Face model folder needs its config.json", path);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    public static void SaveConfig<T>(string folder, T config)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(config, WriteOptions));
    }

    /// <summary>Base weights only, as a Hugging Face checkpoint holds them; sharded when larger than <paramref name="maxShardBytes"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="folder">Where to write.</param>
    /// <param name="dtype">The dtype floating-point weights are written in.</param>
    /// <param name="maxShardBytes">Largest shard.</param>
    /// <param name="skip">A parameter not to write (a tied head, which Hugging Face does not store twice).</param>
    public static void SaveWeights(nn.Module model, string folder, ScalarType dtype, long maxShardBytes = long.MaxValue, string? skip = null)
    {
        var weights = BaseWeights(model);
        if (skip is not null)
        {
            weights.Remove(skip);
        }

        var bytes = weights.Values.Sum(t => t.NumberOfElements * SafeTensorsDType.Size(t.is_floating_point() ? dtype : t.dtype));
        if (bytes > maxShardBytes)
        {
            SafeTensors.SaveSharded(folder, weights, maxShardBytes, dtype);
        }
        else
        {
            SafeTensors.Save(Path.Combine(folder, SafeTensors.FileName), weights, dtype);
        }
    }

    public static Dictionary<string, Tensor> BaseWeights(nn.Module model) =>
        model.state_dict().Where(kv => !kv.Key.Contains(AdapterMarker, StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

    public static Dictionary<string, Tensor> AdapterWeights(nn.Module model) =>
        model.state_dict().Where(kv => kv.Key.Contains(AdapterMarker, StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Freezes <paramref name="frozen"/> and adds adapters to the linear layers named in <paramref name="targets"/>.</summary>
    public static void ApplyLora(IEnumerable<Parameter> frozen, IEnumerable<LoraLinear> linears, int r, double alpha, double dropout, IReadOnlyCollection<string> targets)
    {
        foreach (var p in frozen)
        {
            p.requires_grad = false;
        }

        var all = linears.ToList();
        var hits = all.Where(l => targets.Contains(l.Name)).ToList();
        if (hits.Count == 0)
        {
            throw new ArgumentException($"lora_target_modules {string.Join(",", targets)} match no layer; this model has {string.Join(", ", all.Select(l => l.Name).Distinct())}");
        }

        hits.ForEach(l => l.AddAdapter(r, alpha, dropout));
    }

    public static void MergeLora(IEnumerable<LoraLinear> linears)
    {
        foreach (var linear in linears)
        {
            linear.Merge();
        }
    }
}
