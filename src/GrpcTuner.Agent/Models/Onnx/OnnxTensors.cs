using System.Runtime.InteropServices;
using GrpcTuner.Agent.Models.Onnx.Proto;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Onnx;

/// <summary>An ONNX TensorProto's values: from raw_data (little-endian), the typed repeated fields, or an external data file beside the model.</summary>
internal static class OnnxTensors
{
    public static bool IsFloat(TensorProto t) => (TensorProto.Types.DataType)t.DataType is TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double
        or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16;

    public static long Count(TensorProto t) => t.Dims.Aggregate(1L, (a, b) => a * b);

    /// <summary>The tensor as TorchSharp holds it: float32 for floating point, int64 for integers.</summary>
    public static Tensor ToTorch(TensorProto t, OnnxGraph graph)
    {
        var shape = t.Dims.ToArray();
        return IsFloat(t) ? tensor(Floats(t, graph), shape) : tensor(Doubles(t, graph).Select(v => (long)v).ToArray(), shape);
    }

    public static float[] Floats(TensorProto t, OnnxGraph graph)
    {
        var type = (TensorProto.Types.DataType)t.DataType;
        if (type == TensorProto.Types.DataType.Float && t.FloatData.Count > 0)
        {
            return t.FloatData.ToArray();
        }

        var raw = Raw(t, graph);
        return type switch
        {
            TensorProto.Types.DataType.Float => MemoryMarshal.Cast<byte, float>(raw).ToArray(),
            TensorProto.Types.DataType.Float16 => MemoryMarshal.Cast<byte, Half>(raw).ToArray().Select(h => (float)h).ToArray(),
            TensorProto.Types.DataType.Bfloat16 => MemoryMarshal.Cast<byte, ushort>(raw).ToArray().Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray(),
            _ => Doubles(t, graph).Select(d => (float)d).ToArray(),
        };
    }

    public static double[] Doubles(TensorProto t, OnnxGraph graph)
    {
        var type = (TensorProto.Types.DataType)t.DataType;
        switch (type)
        {
            case TensorProto.Types.DataType.Int64 when t.Int64Data.Count > 0:
                return t.Int64Data.Select(v => (double)v).ToArray();
            case TensorProto.Types.DataType.Int32 when t.Int32Data.Count > 0:
                return t.Int32Data.Select(v => (double)v).ToArray();
            case TensorProto.Types.DataType.Double when t.DoubleData.Count > 0:
                return t.DoubleData.ToArray();
            case TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16:
                return Floats(t, graph).Select(f => (double)f).ToArray();
        }

        var raw = Raw(t, graph);
        return type switch
        {
            TensorProto.Types.DataType.Int64 => MemoryMarshal.Cast<byte, long>(raw).ToArray().Select(v => (double)v).ToArray(),
            TensorProto.Types.DataType.Int32 => MemoryMarshal.Cast<byte, int>(raw).ToArray().Select(v => (double)v).ToArray(),
            TensorProto.Types.DataType.Double => MemoryMarshal.Cast<byte, double>(raw).ToArray(),
            TensorProto.Types.DataType.Int8 => raw.ToArray().Select(b => (double)(sbyte)b).ToArray(),
            TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Bool => raw.ToArray().Select(b => (double)b).ToArray(),
            _ => throw new InvalidDataException($"{graph.Path}: initializer '{t.Name}' has ONNX data type {type}, which cannot be imported"),
        };
    }

    private static ReadOnlySpan<byte> Raw(TensorProto t, OnnxGraph graph)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw data is little-endian");
        }

        if (t.DataLocation != TensorProto.Types.DataLocation.External)
        {
            return t.RawData.Span;
        }

        var entries = t.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var file = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(graph.Path))!, entries.GetValueOrDefault("location") ?? throw new InvalidDataException($"{graph.Path}: initializer '{t.Name}' has external data without a location"));
        var offset = entries.TryGetValue("offset", out var o) ? long.Parse(o, System.Globalization.CultureInfo.InvariantCulture) : 0;
        using var stream = File.OpenRead(file);
        var length = entries.TryGetValue("length", out var l) ? long.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : stream.Length - offset;
        var bytes = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(bytes);
        return bytes;
    }
}
