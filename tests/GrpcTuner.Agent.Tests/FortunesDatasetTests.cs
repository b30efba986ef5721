using GrpcTuner.Agent.Tasks.Text;

namespace GrpcTuner.Agent.Tests;

public class FortunesDatasetTests
{
    private static readonly string[] Categories = ["computers", "food", "law", "startrek", "sports"];

    [Fact]
    public void FiveCategoriesBalancedSplitByHashWithoutAttributions()
    {
        Assert.True(Directory.Exists(FortunesDataset.Folder), "Debian's fortunes package is missing: tests/run.sh installs it");
        var (train, validation, test) = FortunesDataset.Build(FortunesDataset.Folder, Categories, perClass: null);
        var all = new[] { train, validation, test };
        var total = all.Sum(s => s.Count);
        Assert.True(total >= 5 * 140, $"{total} examples");
        var perClass = all.SelectMany(s => s.Labels).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Categories.Order(), perClass.Keys.Order());
        Assert.Single(perClass.Values.Distinct());
        Assert.InRange(train.Count / (double)total, 0.62, 0.78);
        Assert.InRange(test.Count / (double)total, 0.10, 0.20);
        // No text is in two splits, and no attribution ("-- Kirk, ...") is left to give the label away.
        var texts = all.SelectMany(s => s.Texts).ToList();
        Assert.Equal(texts.Count, texts.Distinct().Count());
        Assert.DoesNotContain(texts, t => t.Split('\n').Any(l => l.Length > 0 && char.IsWhiteSpace(l[0]) && l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        Assert.DoesNotContain(texts, t => t.Contains("stardate", StringComparison.OrdinalIgnoreCase) && t.Contains("-- ", StringComparison.Ordinal));

        var again = FortunesDataset.Build(FortunesDataset.Folder, Categories.Reverse().ToArray(), perClass: null);
        Assert.Equal(test.Texts.Order(), again.Test.Texts.Order());
        Assert.True(test.MajorityShare < 0.35, $"majority baseline {test.MajorityShare}");
    }

    [Fact]
    public void AnUnknownCategoryIsNamed()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FortunesDataset.Build(FortunesDataset.Folder, ["food", "cooking"], perClass: null));
        Assert.Contains("cooking", e.Message);
    }
}
