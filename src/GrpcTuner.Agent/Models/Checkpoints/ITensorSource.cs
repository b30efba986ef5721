using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Checkpoints;

/// <summary>
/// A checkpoint's tensors by name, read one at a time, so that loading a model holds at most one
/// tensor beside the model's own weights.
/// </summary>
public interface ITensorSource : IDisposable
{
    /// <summary>Where the tensors come from, for messages.</summary>
    string Location { get; }

    IReadOnlyCollection<string> Names { get; }

    TensorInfo Info(string name);

    /// <summary>The tensor on the CPU in its stored dtype; the caller owns it.</summary>
    Tensor Read(string name);
}

/// <summary>A stored tensor's dtype and shape.</summary>
public sealed record TensorInfo(ScalarType DType, long[] Shape)
{
    public bool IsFloatingPoint => DType is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    public override string ToString() => $"{DType} [{string.Join(", ", Shape)}]";
}
