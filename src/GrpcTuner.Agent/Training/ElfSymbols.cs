using System.Buffers.Binary;
using System.Text;

namespace GrpcTuner.Agent.Training;

/// <summary>
/// Symbols of an ELF64 little-endian file's .symtab, looked up by name. libtorch_cpu.so carries 80 MB
/// of symbol names: they are read in chunks to find where each wanted name starts (a linker may share
/// one string's tail between names), then the symbols whose name starts there are picked out.
/// </summary>
internal static class ElfSymbols
{
    private const uint ShtSymtab = 2;
    private const int SymbolSize = 24;
    private const int Chunk = 1 << 20;

    /// <returns>Value (address) and size of each wanted name that the file defines.</returns>
    public static Dictionary<string, (ulong Value, ulong Size)> Read(string path, IReadOnlyCollection<string> names)
    {
        using var file = File.OpenRead(path);
        var header = ReadAt(file, 0, 64);
        if (header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F' || header[4] != 2 || header[5] != 1)
        {
            throw new InvalidDataException($"{path}: not a 64-bit little-endian ELF file");
        }

        var shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x28));
        var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3A));
        var sections = ReadAt(file, shoff, shentsize * BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3C)));
        var found = new Dictionary<string, (ulong, ulong)>(StringComparer.Ordinal);
        for (var s = 0; s < sections.Length; s += shentsize)
        {
            var section = sections.AsSpan(s);
            if (BinaryPrimitives.ReadUInt32LittleEndian(section[4..]) != ShtSymtab)
            {
                continue;
            }

            var strtab = sections.AsSpan(shentsize * (int)BinaryPrimitives.ReadUInt32LittleEndian(section[0x28..]));
            var starts = NameStarts(file, (long)BinaryPrimitives.ReadUInt64LittleEndian(strtab[0x18..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(strtab[0x20..]), names);
            var offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(section[0x18..]);
            var size = (long)BinaryPrimitives.ReadUInt64LittleEndian(section[0x20..]);
            var buffer = new byte[Chunk / SymbolSize * SymbolSize];
            for (var at = 0L; at < size; at += buffer.Length)
            {
                var symbols = buffer.AsSpan(0, (int)Math.Min(buffer.Length, size - at));
                file.Position = offset + at;
                file.ReadExactly(symbols);
                for (var i = 0; i + SymbolSize <= symbols.Length; i += SymbolSize)
                {
                    if (starts.TryGetValue(BinaryPrimitives.ReadUInt32LittleEndian(symbols[i..]), out var name))
                    {
                        found[name] = (BinaryPrimitives.ReadUInt64LittleEndian(symbols[(i + 8)..]), BinaryPrimitives.ReadUInt64LittleEndian(symbols[(i + 16)..]));
                    }
                }
            }
        }

        return found;
    }

    /// <summary>Every offset in the string table at which one of the names starts, with that name.</summary>
    private static Dictionary<uint, string> NameStarts(FileStream file, long offset, long size, IReadOnlyCollection<string> names)
    {
        var wanted = names.Select(n => (Name: n, Bytes: Encoding.ASCII.GetBytes(n + "\0"))).ToList();
        var overlap = wanted.Max(w => w.Bytes.Length) - 1;
        var buffer = new byte[Chunk + overlap];
        var starts = new Dictionary<uint, string>();
        // Each chunk is read with the tail of the one before: a name that ends past the boundary is found
        // there, one that ends before it was found in the chunk before.
        for (var at = 0L; at < size; at += Chunk)
        {
            var from = Math.Max(0, at - overlap);
            var text = buffer.AsSpan(0, (int)(Math.Min(size, at + Chunk) - from));
            file.Position = offset + from;
            file.ReadExactly(text);
            foreach (var (name, bytes) in wanted)
            {
                for (var i = text.IndexOf(bytes); i >= 0; i = NextIndex(text, bytes, i))
                {
                    if (from + i + bytes.Length > at)
                    {
                        starts[(uint)(from + i)] = name;
                    }
                }
            }
        }

        return starts;
    }

    private static int NextIndex(ReadOnlySpan<byte> text, byte[] bytes, int after)
    {
        var next = text[(after + 1)..].IndexOf(bytes);
        return next < 0 ? -1 : after + 1 + next;
    }

    private static byte[] ReadAt(FileStream file, long offset, int count)
    {
        var bytes = new byte[count];
        file.Position = offset;
        file.ReadExactly(bytes);
        return bytes;
    }
}
