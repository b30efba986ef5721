using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Checkpoints;

/// <summary>What loading did: one line of it is logged; missing weights are an error instead.</summary>
public sealed record LoadReport(int Loaded, IReadOnlyList<string> Skipped, IReadOnlyList<string> Initialized)
{
    public override string ToString()
    {
        var line = $"loaded {Loaded} tensors";
        if (Skipped.Count > 0)
        {
            line += $"; skipped {Skipped.Count} the model does not use: {Names(Skipped)}";
        }

        if (Initialized.Count > 0)
        {
            line += $"; initialized {Initialized.Count} new: {Names(Initialized)}";
        }

        return line;
    }

    internal static string Names(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(12)) + (names.Count > 12 ? $" and {names.Count - 12} more" : "");
}

/// <summary>
/// Loads a checkpoint into a model the way Hugging Face's from_pretrained does: forgiving where it
/// is safe and loud where it is not. The base-model prefix is added or removed to fit, legacy
/// LayerNorm names (gamma, beta) are renamed, keys the model does not use (pretraining heads,
/// computed buffers such as position_ids, an unused pooler) are skipped and listed, missing head
/// parameters are initialised and listed, and any other missing key or a shape that differs is
/// an error naming it. Tensors are read one at a time and converted to the parameter's dtype.
/// </summary>
public static class WeightLoader
{
    public static LoadReport Load(nn.Module model, ITensorSource source, WeightLayout layout)
    {
        var expected = model.state_dict()
            .Where(kv => !kv.Key.Contains(HuggingFaceFolder.AdapterMarker, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var mapped = MapNames(source.Names, expected.Keys.ToHashSet(StringComparer.Ordinal), layout.BasePrefix);
        var missing = new List<string>();
        var initialized = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var loaded = 0;
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in expected.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (layout.Tied.Contains(name))
            {
                continue;
            }

            if (mapped.TryGetValue(name, out var stored) && !layout.Discard(name))
            {
                var info = source.Info(stored);
                if (!info.Shape.SequenceEqual(parameter.shape))
                {
                    throw new InvalidDataException($"{source.Location}: '{stored}' has shape [{string.Join(", ", info.Shape)}] where the model's '{name}' needs [{string.Join(", ", parameter.shape)}]; check config.json against the weights");
                }

                using var tensor = source.Read(stored);
                parameter.copy_(tensor);
                used.Add(stored);
                loaded++;
            }
            else if (layout.NewIfMissing(name))
            {
                layout.Initialize(name, parameter);
                initialized.Add(name);
            }
            else
            {
                missing.Add(name);
            }
        }

        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{source.Location}: the checkpoint lacks {missing.Count} weights the model needs: {LoadReport.Names(missing)}");
        }

        var skipped = source.Names.Where(n => !used.Contains(n)).Order(StringComparer.Ordinal).ToList();
        return new LoadReport(loaded, skipped, initialized);
    }

    /// <returns>Model name to the checkpoint name that fills it.</returns>
    private static Dictionary<string, string> MapNames(IEnumerable<string> stored, HashSet<string> expected, string prefix)
    {
        var head = prefix + ".";
        var names = stored.ToList();
        var modelHasPrefix = expected.Any(n => n.StartsWith(head, StringComparison.Ordinal));
        var checkpointHasPrefix = names.Any(n => n.StartsWith(head, StringComparison.Ordinal));
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var fixedName = Legacy(name);
            var target = (modelHasPrefix, checkpointHasPrefix) switch
            {
                (true, false) when expected.Contains(head + fixedName) => head + fixedName,
                (false, true) when fixedName.StartsWith(head, StringComparison.Ordinal) => fixedName[head.Length..],
                _ => fixedName,
            };
            if (expected.Contains(target))
            {
                map.TryAdd(target, name);
            }
        }

        return map;
    }

    /// <summary>TensorFlow-era checkpoints (bert-base-uncased's pytorch_model.bin among them) call LayerNorm's weight and bias gamma and beta.</summary>
    private static string Legacy(string name) =>
        name.EndsWith(".gamma", StringComparison.Ordinal) ? name[..^".gamma".Length] + ".weight"
        : name.EndsWith(".beta", StringComparison.Ordinal) ? name[..^".beta".Length] + ".bias"
        : name;
}
