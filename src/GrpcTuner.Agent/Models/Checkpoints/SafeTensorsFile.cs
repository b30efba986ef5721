using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Checkpoints;

/// <summary>
/// One .safetensors file: the header is parsed and checked when opened, and each tensor is read
/// on request with positioned reads straight into the tensor's memory (64-bit offsets, so a file
/// of any size works).
/// </summary>
internal sealed class SafeTensorsFile : ITensorSource
{
    // The format caps the header at 100 MB; anything larger is damage, not a header.
    private const long MaxHeaderBytes = 100_000_000;

    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly long _dataStart;

    public SafeTensorsFile(string path)
    {
        Location = path;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist", path);
        }

        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var length = RandomAccess.GetLength(_handle);
            Span<byte> prefix = stackalloc byte[8];
            if (length < 8 || RandomAccess.Read(_handle, prefix, 0) != 8)
            {
                throw new InvalidDataException($"{path}: too short for a safetensors file");
            }

            var headerLength = BinaryPrimitives.ReadInt64LittleEndian(prefix);
            if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > length)
            {
                throw new InvalidDataException($"{path}: header length {headerLength} does not fit the file ({length} bytes)");
            }

            var headerBytes = new byte[headerLength];
            TensorBytes.ReadExactly(_handle, headerBytes, 8, path);
            _dataStart = 8 + headerLength;
            Parse(headerBytes, length - _dataStart);
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public string Location { get; }

    public IReadOnlyCollection<string> Names => _entries.Keys;

    public TensorInfo Info(string name)
    {
        var entry = Get(name);
        if (!SafeTensorsDType.TryParse(entry.DType, out var type))
        {
            throw new InvalidDataException($"{Location}: tensor '{name}' has dtype {entry.DType}; supported: {SafeTensorsDType.Supported}");
        }

        if (entry.End - entry.Begin != entry.Shape.Aggregate(1L, (a, b) => a * b) * SafeTensorsDType.Size(type))
        {
            throw new InvalidDataException($"{Location}: tensor '{name}' has {entry.End - entry.Begin} bytes for shape [{string.Join(", ", entry.Shape)}] of {entry.DType}");
        }

        return new TensorInfo(type, entry.Shape);
    }

    public Tensor Read(string name)
    {
        var info = Info(name);
        var tensor = empty(info.Shape, info.DType);
        try
        {
            TensorBytes.Read(_handle, tensor, _dataStart + Get(name).Begin, Location);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    public void Dispose() => _handle.Dispose();

    private Entry Get(string name) => _entries.TryGetValue(name, out var e) ? e : throw new KeyNotFoundException($"{Location} has no tensor '{name}'");

    private void Parse(byte[] header, long dataLength)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(Encoding.UTF8.GetString(header))?.AsObject() ?? throw new InvalidDataException($"{Location}: the header is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{Location}: the header is not valid JSON ({e.Message})", e);
        }

        foreach (var (name, node) in root)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            try
            {
                var dtype = (string)node!["dtype"]!;
                var shape = node["shape"]!.AsArray().Select(x => (long)x!).ToArray();
                var offsets = node["data_offsets"]!.AsArray().Select(x => (long)x!).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength || shape.Any(s => s < 0))
                {
                    throw new InvalidDataException($"{Location}: tensor '{name}' has data_offsets [{string.Join(", ", offsets)}] outside the {dataLength} data bytes, or a negative dimension");
                }

                _entries[name] = new Entry(dtype, shape, offsets[0], offsets[1]);
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
            {
                throw new InvalidDataException($"{Location}: tensor '{name}' needs dtype, shape and data_offsets", e);
            }
        }
    }

    private sealed record Entry(string DType, long[] Shape, long Begin, long End);
}
