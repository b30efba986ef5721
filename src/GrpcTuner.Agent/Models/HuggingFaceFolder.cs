using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>
/// What every model does with a Hugging Face folder (config.json plus model.safetensors or a
/// sharded index), and with LoRA adapters, whose parameters carry "_lora." in their names so that
/// base weights and adapters load and save apart.
/// </summary>
public static class HuggingFaceFolder
{
    public const string AdapterMarker = "_lora.";

    public static T LoadConfig<T>(string folder) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(folder, "config.json")))
        ?? throw new InvalidDataException($"{folder}/config.json is empty");

    public static void SaveConfig<T>(string folder, T config)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Loads the folder's weights into a model built from its config; every base weight must be there, nothing else, except those <paramref name="skip"/> names.</summary>
    public static void LoadWeights(nn.Module model, string folder, Func<string, bool>? skip = null)
    {
        skip ??= _ => false;
        var weights = SafeTensors.Load(folder).Where(kv => !skip(kv.Key));
        using var noGrad = torch.no_grad();
        var (missing, unexpected) = model.load_state_dict(weights.ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32)), strict: false);
        var missingBase = missing.Where(m => !m.Contains(AdapterMarker, StringComparison.Ordinal) && !skip(m)).ToList();
        if (missingBase.Count > 0 || unexpected.Count > 0)
        {
            throw new InvalidDataException($"{folder}: weights do not match the config (missing: {string.Join(", ", missingBase.Take(5))}; unexpected: {string.Join(", ", unexpected.Take(5))})");
        }
    }

    /// <summary>Base weights only, as a Hugging Face checkpoint holds them; sharded when larger than <paramref name="maxShardBytes"/>.</summary>
    public static void SaveWeights(nn.Module model, string folder, ScalarType dtype, long maxShardBytes = long.MaxValue)
    {
        var weights = BaseWeights(model);
        var bytes = weights.Values.Sum(t => t.NumberOfElements * (dtype == ScalarType.Float32 ? 4 : 2));
        if (bytes > maxShardBytes)
        {
            SafeTensors.SaveSharded(folder, weights, maxShardBytes, dtype);
        }
        else
        {
            SafeTensors.Save(Path.Combine(folder, "model.safetensors"), weights, dtype);
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
