using System.Security.Cryptography;
using System.Text;

namespace GrpcTuner.Agent.Tasks.Text;

/// <summary>
/// A text-classification data set that no one here wrote: the fortune cookies of Debian's
/// fortunes package, one class per category file. Entries are split on '%' lines and their
/// attribution ("-- Kirk, ...", to the end of the entry) is removed, so the label cannot be read
/// off an author's name; texts found in more than one category are dropped. Classes are balanced
/// to the smallest (or <c>perClass</c>), and each text goes to train (70%), validation (15%) or
/// test (15%) by a hash of the text, so the split never depends on file order or on the run.
/// </summary>
public static class FortunesDataset
{
    public const string Package = "fortunes";

    public const string Folder = "/usr/share/games/fortunes";

    public static (LabeledText Train, LabeledText Validation, LabeledText Test) Build(string folder, IReadOnlyList<string> categories, int? perClass)
    {
        if (categories.Count < 2)
        {
            throw new InvalidDataException("fortune_categories needs at least two categories");
        }

        var byCategory = categories.ToDictionary(c => c, c => Entries(Path.Combine(folder, c)), StringComparer.Ordinal);
        var shared = byCategory.Values.SelectMany(e => e.Distinct()).GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var size = Math.Min(perClass ?? int.MaxValue, byCategory.Values.Min(e => e.Count(t => !shared.Contains(t))));
        var (train, validation, test) = (new Builder(), new Builder(), new Builder());
        foreach (var (category, entries) in byCategory)
        {
            foreach (var text in entries.Where(t => !shared.Contains(t)).Distinct().OrderBy(Hash, StringComparer.Ordinal).Take(size))
            {
                var bucket = Convert.ToUInt32(Hash(text)[..8], 16) % 100;
                (bucket < 70 ? train : bucket < 85 ? validation : test).Add(text, category);
            }
        }

        return (train.Build(), validation.Build(), test.Build());
    }

    /// <summary>The entries of one category file, without their attributions.</summary>
    public static List<string> Entries(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist: not a category of Debian's {Package} package (see {Folder})", path);
        }

        var entries = new List<string>();
        var lines = new List<string>();
        foreach (var line in File.ReadLines(path).Append("%"))
        {
            if (line != "%")
            {
                lines.Add(line);
                continue;
            }

            // The attribution runs from its first line to the end of the entry.
            var end = lines.FindIndex(IsAttribution);
            var text = string.Join('\n', end < 0 ? lines : lines.Take(end)).Trim();
            if (text.Length > 0)
            {
                entries.Add(text);
            }

            lines.Clear();
        }

        return entries;
    }

    /// <summary>An indented line opening with "--": where a fortune names its source.</summary>
    private static bool IsAttribution(string line) => line.Length > 0 && char.IsWhiteSpace(line[0]) && line.TrimStart().StartsWith("--", StringComparison.Ordinal);

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private sealed class Builder
    {
        private readonly List<string> _texts = [];
        private readonly List<string> _labels = [];

        public void Add(string text, string label)
        {
            _texts.Add(text);
            _labels.Add(label);
        }

        public LabeledText Build() => new(_texts, null, _labels);
    }
}
