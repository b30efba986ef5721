using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Checkpoints;

/// <summary>The safetensors format's dtype names and element sizes.</summary>
internal static class SafeTensorsDType
{
    private static readonly (string Name, ScalarType Type, int Size)[] Known =
    [
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2), ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4), ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    ];

    public static string Supported => string.Join(", ", Known.Select(k => k.Name));

    public static bool TryParse(string name, out ScalarType type)
    {
        foreach (var k in Known)
        {
            if (k.Name == name)
            {
                type = k.Type;
                return true;
            }
        }

        type = default;
        return false;
    }

    public static string Name(ScalarType type) => Find(type).Name;

    public static int Size(ScalarType type) => Find(type).Size;

    private static (string Name, ScalarType Type, int Size) Find(ScalarType type)
    {
        foreach (var k in Known)
        {
            if (k.Type == type)
            {
                return k;
            }
        }

        throw new ArgumentException($"dtype {type} has no safetensors name; supported: {Supported}", nameof(type));
    }
}
