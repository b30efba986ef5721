using System.Text.Json;
using GrpcTuner.Agent.Models.Tokenization;
using GrpcTuner.Testing.Models;

namespace GrpcTuner.Agent.Tests.RealModels;

/// <summary>
/// Our tokenization of the imported MiniLM (Hugging Face's tokenizers library, configured from
/// the folder's files) against Hugging Face's BertTokenizer algorithm written out in Python
/// (Peers/bert_tokenizer.py), on over 2,000 real texts in four languages: identical ids for every
/// one, from tokenizer.json and from vocab.txt alone, lower-cased (as MiniLM is) and cased.
/// </summary>
public class TokenizerParityTests
{
    private static readonly Lazy<List<string>> Corpus = new(() =>
        RealTexts.Fortunes("computers", "linux", "perl", "people", "science", "definitions")
            .Concat(RealTexts.Fortunes("de/computer", "de/anekdoten", "de/zitate").Take(500))
            .Concat(RealTexts.Fortunes("es/ciencia.fortunes", "es/informatica.fortunes", "es/refranes.fortunes").Take(400))
            .Concat(RealTexts.Fortunes("tang300", "chinese").Take(200))
            .ToList());

    [Fact]
    public void TheCorpusHasWhatTrippedTokenizersBefore()
    {
        var texts = Corpus.Value;
        Assert.True(texts.Count >= 2000, $"{texts.Count} texts");
        Assert.True(texts.Count(t => t.Contains('\t')) >= 100, "tabs");
        Assert.True(texts.Count(t => t.Contains('\n')) >= 1000, "newlines");
        foreach (var symbol in "$^|~\\=+<>_")
        {
            Assert.True(texts.Count(t => t.Contains(symbol)) >= 3, $"symbol {symbol}");
        }

        foreach (var accented in "éäöüßñá")
        {
            Assert.True(texts.Count(t => t.Contains(accented)) >= 3, $"accent {accented}");
        }

        Assert.True(texts.Count(t => t.Any(c => c is >= '\u4E00' and <= '\u9FFF')) >= 100, "CJK ideographs");
    }

    [Theory]
    [InlineData("tokenizer.json", false)]
    [InlineData("vocab.txt", false)]
    [InlineData("vocab.txt", true)]
    public void IdsAreBertTokenizersOnEveryText(string source, bool cased)
    {
        var folder = MiniLm.CopyTo(Path.Combine(Path.GetTempPath(), $"grpctuner-tok-{Guid.NewGuid():N}"));
        try
        {
            if (source == "vocab.txt")
            {
                File.Delete(Path.Combine(folder, "tokenizer.json"));
            }

            if (cased)
            {
                File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), "{\"do_lower_case\": false}");
            }

            var texts = Corpus.Value;
            using var tokenizer = TextTokenizer.Load(folder);
            var ours = texts.Select(t => tokenizer.Encode(t, null, int.MaxValue).Ids).ToList();
            var input = string.Join('\n', texts.Select(t => JsonSerializer.Serialize(new { text = t }))) + "\n";
            var reference = PythonPeer.Run("bert_tokenizer.py", cased ? ["--vocab", MiniLm.VocabPath, "--cased"] : ["--vocab", MiniLm.VocabPath], input)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<int[]>(l)!).ToList();
            Assert.Equal(texts.Count, reference.Count);
            var differing = Enumerable.Range(0, texts.Count).Where(i => !ours[i].SequenceEqual(reference[i])).ToList();
            Assert.True(differing.Count == 0, $"{differing.Count} of {texts.Count} differ; the first: {JsonSerializer.Serialize(differing.Select(i => texts[i]).FirstOrDefault())}");
            if (cased)
            {
                // The configuration took effect: keeping case changes the ids of most texts.
                using var uncased = TextTokenizer.Load(MiniLm.Folder);
                var changed = texts.Where((t, i) => !uncased.Encode(t, null, int.MaxValue).Ids.SequenceEqual(ours[i])).Count();
                Assert.True(changed > texts.Count / 2, $"do_lower_case false changed only {changed} of {texts.Count}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
