using System;
using System.IO;
using System.Text;

namespace GrpcTuner.Build
{
    /// <summary>
    /// Marks one version-needed entry (a Vernaux of .gnu.version_r) of an ELF64 little-endian
    /// shared library as VER_FLG_WEAK, so that the dynamic loader accepts a libstdc++ that lacks
    /// that version. TorchSharp 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32 only for
    /// _ZSt21ios_base_library_initv, which no relocation uses; Debian 12 stops at 3.4.30.
    /// Kept free of MSBuild types so tests compile the same file.
    /// </summary>
    public static class ElfVersionPatch
    {
        public const ushort VerFlgWeak = 0x2;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Whether a library (libstdc++) defines a version, by its name among the library's strings.</summary>
        public static bool Defines(string libraryPath, string version)
        {
            var bytes = File.ReadAllBytes(libraryPath);
            var needle = Encoding.ASCII.GetBytes(version + "\0");
            return IndexOf(bytes, needle) >= 0;
        }

        /// <summary>The flags of the version-needed entry named <paramref name="version"/>, or null when there is none.</summary>
        public static ushort? NeededFlags(string path, string version)
        {
            var bytes = File.ReadAllBytes(path);
            var at = FindVernaux(bytes, version);
            return at < 0 ? (ushort?)null : BitConverter.ToUInt16(bytes, at + 4);
        }

        /// <summary>Sets VER_FLG_WEAK on the entry; returns false when the entry is absent or already weak.</summary>
        public static bool MarkWeak(string path, string version)
        {
            var bytes = File.ReadAllBytes(path);
            var at = FindVernaux(bytes, version);
            if (at < 0)
            {
                return false;
            }

            var flags = BitConverter.ToUInt16(bytes, at + 4);
            if ((flags & VerFlgWeak) != 0)
            {
                return false;
            }

            using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
            {
                file.Position = at + 4;
                var patched = BitConverter.GetBytes((ushort)(flags | VerFlgWeak));
                file.Write(patched, 0, 2);
            }

            return true;
        }

        /// <summary>File offset of the Vernaux entry named <paramref name="version"/>, or -1.</summary>
        private static int FindVernaux(byte[] elf, string version)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            {
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
            }

            var shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            var shentsize = BitConverter.ToUInt16(elf, 0x3A);
            var shnum = BitConverter.ToUInt16(elf, 0x3C);
            for (var i = 0; i < shnum; i++)
            {
                var sh = (int)(shoff + (i * shentsize));
                if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed)
                {
                    continue;
                }

                var offset = (int)BitConverter.ToUInt64(elf, sh + 0x18);
                var link = BitConverter.ToUInt32(elf, sh + 0x28);
                var count = BitConverter.ToUInt32(elf, sh + 0x2C);
                var strtab = (int)BitConverter.ToUInt64(elf, (int)(shoff + (link * shentsize)) + 0x18);
                var need = offset;
                for (var n = 0; n < count; n++)
                {
                    var auxCount = BitConverter.ToUInt16(elf, need + 2);
                    var aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                    for (var a = 0; a < auxCount; a++)
                    {
                        var name = ReadString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8));
                        if (name == version)
                        {
                            return aux;
                        }

                        aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                    }

                    need += (int)BitConverter.ToUInt32(elf, need + 12);
                }
            }

            return -1;
        }

        private static string ReadString(byte[] bytes, int at)
        {
            var end = Array.IndexOf(bytes, (byte)0, at);
            return Encoding.ASCII.GetString(bytes, at, end - at);
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (var i = 0; i <= haystack.Length - needle.Length; i++)
            {
                var j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j])
                {
                    j++;
                }

                if (j == needle.Length)
                {
                    return i;
                }
            }

            return -1;
        }
    }

#if !GRPCTUNER_ELFPATCH_TESTS
    /// <summary>MSBuild task: patch every libLibTorchSharp.so under a folder when the host's libstdc++ lacks the version.</summary>
    public sealed class PatchTorchSharpGlibcxx : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public string Directory { get; set; } = "";

        public string Version { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            var libstdcxx = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" };
            var host = Array.Find(libstdcxx, File.Exists);
            if (host == null || !System.IO.Directory.Exists(Directory) || ElfVersionPatch.Defines(host, Version))
            {
                return true;
            }

            foreach (var library in System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                if (ElfVersionPatch.MarkWeak(library, Version))
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, $"{library}: marked {Version} weak ({host} lacks it)");
                }
            }

            return true;
        }
    }
#endif
}
