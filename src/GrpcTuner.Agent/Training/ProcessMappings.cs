using System.Globalization;

namespace GrpcTuner.Agent.Training;

/// <summary>The files this process has mapped (/proc/self/maps): where a shared library was loaded, and whether it was.</summary>
internal static class ProcessMappings
{
    /// <summary>The mappings of a library of this file name (e.g. libjemalloc.so.2), wherever it was loaded from.</summary>
    public static IEnumerable<(nint Start, nint End, bool Writable, string Path)> Of(string fileName) =>
        Read().Where(m => Path.GetFileName(m.Path) == fileName);

    /// <summary>Whether a library of this file name is loaded.</summary>
    public static bool Loaded(string fileName) => Of(fileName).Any();

    private static IEnumerable<(nint Start, nint End, bool Writable, string Path)> Read()
    {
        // start-end perms offset dev inode path
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6)
            {
                continue;
            }

            var range = fields[0].Split('-');
            yield return ((nint)long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                (nint)long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                fields[1].Length > 1 && fields[1][1] == 'w', fields[5].Trim());
        }
    }
}
