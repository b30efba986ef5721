using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length,
/// a JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian
/// data; sharded checkpoints through model.safetensors.index.json. Tensors are read one at a time
/// straight from the file into their own memory and written one at a time, so files and shards of
/// any size (real shards are 5 to 10 GB) cost no second copy in memory.
/// </summary>
public static class SafeTensors
{
    public const string FileName = "model.safetensors";

    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>A .safetensors file, or a folder's model.safetensors or sharded index, opened for reading tensor by tensor.</summary>
    public static ITensorSource Open(string path)
    {
        if (Directory.Exists(path))
        {
            var index = Path.Combine(path, IndexFile);
            return File.Exists(index) ? new ShardedTensors(index, Open) : new SafeTensorsFile(Path.Combine(path, FileName));
        }

        return path.EndsWith(".index.json", StringComparison.Ordinal) ? new ShardedTensors(path, Open) : new SafeTensorsFile(path);
    }

    /// <summary>Every tensor of a file or folder (see <see cref="Open"/>), on the CPU in its stored dtype.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var source = Open(path);
        return source.Names.ToDictionary(n => n, source.Read, StringComparer.Ordinal);
    }

    /// <summary>Writes tensors to one file, in name order; floating-point ones converted to <paramref name="dtype"/> when given.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, ScalarType? dtype = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, Tensor: kv.Value, Type: StoredType(kv.Value, dtype))).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        }

        long offset = 0;
        foreach (var (name, tensor, type) in ordered)
        {
            var bytes = tensor.NumberOfElements * SafeTensorsDType.Size(type);
            header[name] = new JsonObject
            {
                ["dtype"] = SafeTensorsDType.Name(type),
                ["shape"] = new JsonArray(tensor.shape.Select(s => (JsonNode?)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The data must start 8-byte aligned; the format pads the header with spaces.
        var padded = (json.Length + 7) / 8 * 8;
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, padded);
        file.Write(length);
        file.Write(json);
        for (var i = json.Length; i < padded; i++)
        {
            file.WriteByte((byte)' ');
        }

        foreach (var (_, tensor, type) in ordered)
        {
            using var stored = tensor.detach().cpu().to_type(type).contiguous();
            TensorBytes.Write(stored, file);
        }
    }

    /// <summary>Writes tensors into shards of at most <paramref name="maxShardBytes"/> plus model.safetensors.index.json, as Hugging Face does.</summary>
    public static void SaveSharded(string directory, IReadOnlyDictionary<string, Tensor> tensors, long maxShardBytes, ScalarType? dtype = null)
    {
        Directory.CreateDirectory(directory);
        var shards = new List<Dictionary<string, Tensor>> { new(StringComparer.Ordinal) };
        long size = 0;
        long total = 0;
        foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var bytes = tensor.NumberOfElements * SafeTensorsDType.Size(StoredType(tensor, dtype));
            if (size > 0 && size + bytes > maxShardBytes)
            {
                shards.Add(new Dictionary<string, Tensor>(StringComparer.Ordinal));
                size = 0;
            }

            shards[^1][name] = tensor;
            size += bytes;
            total += bytes;
        }

        var weightMap = new JsonObject();
        for (var i = 0; i < shards.Count; i++)
        {
            var file = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            Save(Path.Combine(directory, file), shards[i], dtype);
            foreach (var name in shards[i].Keys)
            {
                weightMap[name] = file;
            }
        }

        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = weightMap };
        File.WriteAllText(Path.Combine(directory, IndexFile), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static ScalarType StoredType(Tensor tensor, ScalarType? dtype) => dtype is { } d && tensor.is_floating_point() ? d : tensor.dtype;
}
