using GrpcTuner.Agent.Tasks.Text;

namespace GrpcTuner.Testing.Models;

/// <summary>Text no one here wrote: fortune cookies from Debian's fortunes packages (English, German, Spanish, Chinese), with their tabs, newlines, symbols and accents.</summary>
public static class RealTexts
{
    public const string Folder = "/usr/share/games/fortunes";

    /// <summary>The entries of these fortune files, attributions included (they carry tabs and names with accents).</summary>
    public static List<string> Fortunes(params string[] files) => files.SelectMany(f =>
    {
        var path = Path.Combine(Folder, f);
        Assert.True(File.Exists(path), $"{path} is missing: tests/run.sh installs Debian's fortunes, fortunes-de, fortunes-es and fortunes-zh");
        return File.ReadAllText(path).Split("\n%\n").Select(e => e.Trim('\n')).Where(e => e.Length > 0);
    }).ToList();

    /// <summary>English sentences of mixed lengths, attributions removed, as the classification task sees them.</summary>
    public static List<string> Sentences(string category, int count) =>
        FortunesDataset.Entries(Path.Combine(Folder, category)).Take(count).ToList();
}
