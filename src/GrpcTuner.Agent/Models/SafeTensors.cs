using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length,
/// a JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian
/// data. F32, F16 and BF16 tensors; sharded checkpoints through model.safetensors.index.json.
/// TorchSharp has no loader of its own.
/// </summary>
public static class SafeTensors
{
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>Every tensor of a .safetensors file, or of a folder's model.safetensors or sharded index, on the CPU in its stored dtype.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        if (Directory.Exists(path))
        {
            var index = Path.Combine(path, IndexFile);
            if (File.Exists(index))
            {
                return LoadSharded(index);
            }

            path = Path.Combine(path, "model.safetensors");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
        {
            throw new InvalidDataException($"{path}: too short for a safetensors file");
        }

        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLength <= 0 || 8 + headerLength > bytes.Length)
        {
            throw new InvalidDataException($"{path}: header length {headerLength} does not fit the file");
        }

        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength))!.AsObject();
        var dataStart = 8 + (int)headerLength;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            var dtype = (string)node!["dtype"]!;
            var shape = node["shape"]!.AsArray().Select(x => (long)x!).ToArray();
            var offsets = node["data_offsets"]!.AsArray().Select(x => (long)x!).ToArray();
            var data = bytes.AsSpan(dataStart + (int)offsets[0], (int)(offsets[1] - offsets[0]));
            tensors[name] = Decode(data, dtype, shape, path, name);
        }

        return tensors;
    }

    /// <summary>Writes tensors to one file, in name order, converted to <paramref name="dtype"/> (default: each tensor's own).</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, ScalarType? dtype = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        }

        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var type = dtype ?? tensor.dtype;
            var blob = Encode(tensor, type);
            header[name] = new JsonObject
            {
                ["dtype"] = Name(type),
                ["shape"] = new JsonArray(tensor.shape.Select(s => (JsonNode?)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + blob.Length),
            };
            blobs.Add(blob);
            offset += blob.Length;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The data must start 8-byte aligned; the format pads the header with spaces.
        var padded = (json.Length + 7) / 8 * 8;
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, padded);
        file.Write(length);
        file.Write(json);
        for (var i = json.Length; i < padded; i++)
        {
            file.WriteByte((byte)' ');
        }

        foreach (var blob in blobs)
        {
            file.Write(blob);
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
            var bytes = tensor.NumberOfElements * ElementSize(dtype ?? tensor.dtype);
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

    private static Dictionary<string, Tensor> LoadSharded(string indexPath)
    {
        var index = JsonNode.Parse(File.ReadAllText(indexPath))!;
        var folder = Path.GetDirectoryName(indexPath)!;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var file in index["weight_map"]!.AsObject().Select(kv => (string)kv.Value!).Distinct())
        {
            foreach (var (name, tensor) in Load(Path.Combine(folder, file)))
            {
                tensors[name] = tensor;
            }
        }

        return tensors;
    }

    private static Tensor Decode(ReadOnlySpan<byte> data, string dtype, long[] shape, string path, string name)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        switch (dtype)
        {
            case "F32":
                Check(data, count, 4, path, name);
                return torch.tensor(MemoryMarshal.Cast<byte, float>(data).ToArray(), shape);
            case "F16":
                Check(data, count, 2, path, name);
                var halves = MemoryMarshal.Cast<byte, Half>(data);
                var f16 = new float[count];
                for (var i = 0; i < count; i++)
                {
                    f16[i] = (float)halves[i];
                }

                return torch.tensor(f16, shape).to_type(ScalarType.Float16);
            case "BF16":
                Check(data, count, 2, path, name);
                var raw = MemoryMarshal.Cast<byte, ushort>(data);
                var bf16 = new float[count];
                for (var i = 0; i < count; i++)
                {
                    bf16[i] = BitConverter.Int32BitsToSingle(raw[i] << 16);
                }

                return torch.tensor(bf16, shape).to_type(ScalarType.BFloat16);
            default:
                throw new InvalidDataException($"{path}: tensor '{name}' has dtype {dtype}; F32, F16 and BF16 are supported");
        }
    }

    private static byte[] Encode(Tensor tensor, ScalarType dtype)
    {
        using var values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
        var floats = values.data<float>().ToArray();
        switch (dtype)
        {
            case ScalarType.Float32:
                return MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
            case ScalarType.Float16:
                return MemoryMarshal.AsBytes(floats.Select(f => (Half)f).ToArray().AsSpan()).ToArray();
            case ScalarType.BFloat16:
                var bits = new ushort[floats.Length];
                for (var i = 0; i < floats.Length; i++)
                {
                    // Round to nearest even, as torch does; exact for values that are already bf16.
                    var u = (uint)BitConverter.SingleToInt32Bits(floats[i]);
                    bits[i] = (ushort)((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
                }

                return MemoryMarshal.AsBytes(bits.AsSpan()).ToArray();
            default:
                throw new ArgumentException($"dtype {dtype} is not supported; use Float32, Float16 or BFloat16", nameof(dtype));
        }
    }

    private static string Name(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        _ => throw new ArgumentException($"dtype {dtype} is not supported"),
    };

    private static long ElementSize(ScalarType dtype) => dtype == ScalarType.Float32 ? 4 : 2;

    private static void Check(ReadOnlySpan<byte> data, long count, int size, string path, string name)
    {
        if (data.Length != count * size)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' has {data.Length} bytes for {count} elements of {size}");
        }
    }
}
