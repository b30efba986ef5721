using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Checkpoints;

/// <summary>
/// A PyTorch checkpoint (pytorch_model.bin, torch.save of a state dict: a zip of a pickle and raw
/// storages), read by TorchSharp.PyBridge's unpickler. Pickle has no index, so the whole state
/// dict is read when opened; Read hands out aliases of those tensors.
/// </summary>
internal sealed class PyTorchStateDict : ITensorSource
{
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    public PyTorchStateDict(string path)
    {
        Location = path;
        Hashtable table;
        try
        {
            table = PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (Exception e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a PyTorch state dict that can be read ({e.Message})", e);
        }

        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string name && entry.Value is Tensor tensor)
            {
                _tensors[name] = tensor;
            }
        }
    }

    public string Location { get; }

    public IReadOnlyCollection<string> Names => _tensors.Keys;

    public TensorInfo Info(string name) => new(Get(name).dtype, Get(name).shape);

    public Tensor Read(string name) => Get(name).alias();

    public void Dispose()
    {
        foreach (var t in _tensors.Values)
        {
            t.Dispose();
        }
    }

    private Tensor Get(string name) => _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{Location} has no tensor '{name}'");
}
