using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Checkpoints;

/// <summary>
/// A sharded checkpoint: an index file (model.safetensors.index.json or
/// pytorch_model.bin.index.json) whose weight_map names the shard holding each tensor. A shard is
/// opened the first time one of its tensors is asked for.
/// </summary>
internal sealed class ShardedTensors : ITensorSource
{
    private readonly Dictionary<string, string> _shardOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ITensorSource> _open = new(StringComparer.Ordinal);
    private readonly Func<string, ITensorSource> _openShard;

    public ShardedTensors(string indexPath, Func<string, ITensorSource> openShard)
    {
        Location = indexPath;
        _openShard = openShard;
        var folder = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        try
        {
            var map = JsonNode.Parse(File.ReadAllText(indexPath))?["weight_map"]?.AsObject()
                ?? throw new InvalidDataException($"{indexPath}: no weight_map");
            foreach (var (name, file) in map)
            {
                _shardOf[name] = Path.Combine(folder, (string)file!);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{indexPath}: not a valid index file ({e.Message})", e);
        }
    }

    public string Location { get; }

    public IReadOnlyCollection<string> Names => _shardOf.Keys;

    public TensorInfo Info(string name) => Shard(name).Info(name);

    public Tensor Read(string name) => Shard(name).Read(name);

    public void Dispose()
    {
        foreach (var shard in _open.Values)
        {
            shard.Dispose();
        }
    }

    private ITensorSource Shard(string name)
    {
        var file = _shardOf.TryGetValue(name, out var f) ? f : throw new KeyNotFoundException($"{Location} has no tensor '{name}'");
        if (!_open.TryGetValue(file, out var shard))
        {
            shard = _openShard(file);
            _open[file] = shard;
        }

        return shard;
    }
}
