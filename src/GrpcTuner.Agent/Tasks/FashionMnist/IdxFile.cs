using System.Buffers.Binary;
using System.IO.Compression;

namespace GrpcTuner.Agent.Tasks.FashionMnist;

/// <summary>Reads the IDX format of (Fashion-)MNIST, gzipped as Debian's dataset-fashion-mnist installs it.</summary>
internal static class IdxFile
{
    /// <summary>Images as bytes, row-major, with their count and size.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Columns) ReadImages(string path)
    {
        var bytes = ReadAll(path);
        Expect(bytes, 0x00000803, path);
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        var rows = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        var columns = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        if (bytes.Length != 16 + ((long)count * rows * columns))
        {
            throw new InvalidDataException($"{path}: expected {count} images of {rows}x{columns}, the file has {bytes.Length - 16} pixel bytes");
        }

        return (bytes[16..], count, rows, columns);
    }

    public static byte[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        Expect(bytes, 0x00000801, path);
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        return bytes.Length == 8 + count ? bytes[8..] : throw new InvalidDataException($"{path}: expected {count} labels");
    }

    private static byte[] ReadAll(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static void Expect(byte[] bytes, int magic, string path)
    {
        if (bytes.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(bytes) != magic)
        {
            throw new InvalidDataException($"{path}: not an IDX file with magic 0x{magic:x8}");
        }
    }
}
