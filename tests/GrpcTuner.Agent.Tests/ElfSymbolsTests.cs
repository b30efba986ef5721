using System.Buffers.Binary;
using System.Text;
using GrpcTuner.Agent.Training;

namespace GrpcTuner.Agent.Tests;

/// <summary>The symbol lookup that finds oneMKL's vendor check in libtorch_cpu.so, on ELF files written here.</summary>
public class ElfSymbolsTests
{
    [Fact]
    public void NamesAreFoundAcrossReadChunksInSharedTailsAndOnlyWhole()
    {
        // A string table over 2 MiB, read in 1 MiB chunks: one name crosses the first chunk's end, one
        // sits in the third chunk, one is the tail of a longer string (as linkers share them), and one
        // symbol's name only starts with a wanted name.
        var strings = new MemoryStream();
        strings.WriteByte(0);
        var at = new Dictionary<string, uint>();
        void Put(string text, long position)
        {
            strings.Write(new byte[position - strings.Length]);
            at[text] = (uint)strings.Length;
            strings.Write(Encoding.ASCII.GetBytes(text + "\0"));
        }

        Put("across_the_chunk_boundary", (1 << 20) - 10);
        Put("prefix_shared_tail", (1 << 20) + 100);
        Put("in_the_third_chunk", (2 << 20) + 5);
        Put("decoy_longer", (2 << 20) + 100);
        var symbols = new (uint Name, ulong Value, ulong Size)[]
        {
            (at["across_the_chunk_boundary"], 0x1000, 4),
            (at["prefix_shared_tail"] + (uint)"prefix_".Length, 0x2000, 8),
            (at["in_the_third_chunk"], 0x3000, 98),
            (at["decoy_longer"], 0x4000, 4),
        };
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, Elf(strings.ToArray(), symbols));
            var found = ElfSymbols.Read(path, ["across_the_chunk_boundary", "shared_tail", "in_the_third_chunk", "decoy", "absent"]);
            Assert.Equal(3, found.Count);
            Assert.Equal((0x1000ul, 4ul), found["across_the_chunk_boundary"]);
            Assert.Equal((0x2000ul, 8ul), found["shared_tail"]);
            Assert.Equal((0x3000ul, 98ul), found["in_the_third_chunk"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AFileThatIsNotElfIsRefusedByName()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, new byte[128]);
            var e = Assert.Throws<InvalidDataException>(() => ElfSymbols.Read(path, ["x"]));
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>An ELF64 little-endian file with a null section, a string table and a symbol table.</summary>
    private static byte[] Elf(byte[] strtab, (uint Name, ulong Value, ulong Size)[] symbols)
    {
        const int Header = 64, SectionHeader = 64, Symbol = 24;
        var symtabOffset = Header + strtab.Length;
        var sectionsOffset = symtabOffset + (symbols.Length * Symbol);
        var elf = new byte[sectionsOffset + (3 * SectionHeader)];
        "\u007fELF"u8.CopyTo(elf);
        elf[4] = 2;
        elf[5] = 1;
        elf[6] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(0x28), (ulong)sectionsOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3A), SectionHeader);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3C), 3);
        strtab.CopyTo(elf, Header);
        for (var i = 0; i < symbols.Length; i++)
        {
            var s = elf.AsSpan(symtabOffset + (i * Symbol));
            BinaryPrimitives.WriteUInt32LittleEndian(s, symbols[i].Name);
            BinaryPrimitives.WriteUInt64LittleEndian(s[8..], symbols[i].Value);
            BinaryPrimitives.WriteUInt64LittleEndian(s[16..], symbols[i].Size);
        }

        void Section(int index, uint type, int offset, int size, uint link)
        {
            var h = elf.AsSpan(sectionsOffset + (index * SectionHeader));
            BinaryPrimitives.WriteUInt32LittleEndian(h[4..], type);
            BinaryPrimitives.WriteUInt64LittleEndian(h[0x18..], (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(h[0x20..], (ulong)size);
            BinaryPrimitives.WriteUInt32LittleEndian(h[0x28..], link);
        }

        Section(1, 3, Header, strtab.Length, 0);
        Section(2, 2, symtabOffset, symbols.Length * Symbol, 1);
        return elf;
    }
}
