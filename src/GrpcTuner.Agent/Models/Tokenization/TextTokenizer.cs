using System.Text.Json;
using System.Text.Json.Nodes;

namespace GrpcTuner.Agent.Models.Tokenization;

/// <summary>One text or pair as token ids with their token type ids, special tokens in place.</summary>
public sealed record TokenizedText(IReadOnlyList<int> Ids, IReadOnlyList<int> TypeIds);

/// <summary>
/// A model folder's tokenizer, configured from the folder's own files as transformers'
/// AutoTokenizer would: tokenizer.json first (run by Hugging Face's tokenizers library), else
/// vocab.txt (a WordPiece vocabulary, turned into the tokenizer.json transformers would make of
/// it), else a SentencePiece tokenizer.model or a byte-pair vocab.json with merges.txt.
/// tokenizer_config.json supplies casing, accents, special tokens and model_max_length. Special
/// tokens follow the template, and pairs are truncated longest-first as the fast tokenizers do.
/// </summary>
public sealed class TextTokenizer : IDisposable
{
    private readonly ITextEncoder _encoder;

    private TextTokenizer(ITextEncoder encoder, TokenTemplate template, TokenizerConfig config)
    {
        _encoder = encoder;
        Template = template;
        PadId = encoder.IdOf(config.PadToken) ?? 0;
        ModelMaxLength = config.ModelMaxLength;
    }

    public TokenTemplate Template { get; }

    public int PadId { get; }

    /// <summary>tokenizer_config.json's model_max_length, when it sets a real one.</summary>
    public int? ModelMaxLength { get; }

    public static TextTokenizer Load(string folder)
    {
        string In(string file) => Path.Combine(folder, file);
        var config = TokenizerConfig.Load(folder);
        if (File.Exists(In("tokenizer.json")))
        {
            var json = ReadJson(In("tokenizer.json"));
            return FromJson(json, In("tokenizer.json"), config);
        }

        if (File.Exists(In("vocab.txt")))
        {
            return FromJson(BertTokenizerJson.FromVocab(File.ReadAllLines(In("vocab.txt")), config), In("vocab.txt"), config);
        }

        if (File.Exists(In("tokenizer.model")))
        {
            var encoder = MlTokenizersEncoder.SentencePiece(In("tokenizer.model"));
            return new TextTokenizer(encoder, Around(encoder, config.AddBosToken ?? true ? config.BosToken ?? "<s>" : null, config.AddEosToken ?? false ? config.EosToken ?? "</s>" : null), config);
        }

        if (File.Exists(In("vocab.json")) && File.Exists(In("merges.txt")))
        {
            var encoder = MlTokenizersEncoder.BytePair(In("vocab.json"), In("merges.txt"));
            return new TextTokenizer(encoder, Around(encoder, config.AddBosToken == true ? config.BosToken : null, config.AddEosToken == true ? config.EosToken : null), config);
        }

        throw new FileNotFoundException($"{folder} has no tokenizer: expected tokenizer.json, vocab.txt, tokenizer.model, or vocab.json with merges.txt");
    }

    /// <summary>
    /// Ids of a text, or of a pair, with the template's special tokens, at most
    /// <paramref name="maxLength"/> long: the longer sequence loses tokens from its end first, as
    /// Hugging Face's LongestFirst truncation does.
    /// </summary>
    public TokenizedText Encode(string text, string? pair, int maxLength)
    {
        var a = _encoder.Encode(text);
        var b = pair is null ? null : _encoder.Encode(pair);
        var budget = Math.Max(0, maxLength - Template.SpecialCount(b is not null));
        var (keepA, keepB) = LongestFirst(a.Count, b?.Count ?? 0, budget);
        var ids = new List<int>(keepA + keepB + Template.SpecialCount(b is not null));
        var types = new List<int>(ids.Capacity);
        foreach (var piece in b is null ? Template.Single : Template.Pair)
        {
            var part = piece.SpecialIds ?? (piece.Sequence == 'A' ? a.Take(keepA) : b!.Take(keepB));
            foreach (var id in part)
            {
                ids.Add(id);
                types.Add(piece.TypeId);
            }
        }

        return new TokenizedText(ids, types);
    }

    public void Dispose() => _encoder.Dispose();

    /// <summary>Lengths to keep: the shorter keeps all it can, the longer the rest; if both are over half, they split the budget, the second taking the odd token (tokenizers' truncation.rs).</summary>
    internal static (int A, int B) LongestFirst(int a, int b, int budget)
    {
        if (a + b <= budget)
        {
            return (a, b);
        }

        if (b == 0)
        {
            return (budget, 0);
        }

        var swap = a > b;
        var (n1, n2) = swap ? (b, a) : (a, b);
        n2 = n1 > budget ? n1 : Math.Max(n1, budget - n1);
        if (n1 + n2 > budget)
        {
            n1 = budget / 2;
            n2 = n1 + (budget % 2);
        }

        return swap ? (Math.Min(n2, a), Math.Min(n1, b)) : (Math.Min(n1, a), Math.Min(n2, b));
    }

    private static TextTokenizer FromJson(JsonObject json, string origin, TokenizerConfig config)
    {
        var encoder = new HuggingFaceEncoder(json, origin);
        try
        {
            return new TextTokenizer(encoder, TokenTemplate.FromPostProcessor(json["post_processor"]) ?? TokenTemplate.None, config);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    private static TokenTemplate Around(ITextEncoder encoder, string? bos, string? eos)
    {
        int? Id(string? token) => token is null ? null : encoder.IdOf(token) ?? throw new InvalidDataException($"the vocabulary has no token '{token}'");
        var (b, e) = (Id(bos), Id(eos));
        var single = new List<TemplatePiece>();
        if (b is { } begin)
        {
            single.Add(TemplatePiece.Special(begin));
        }

        single.Add(TemplatePiece.Text('A'));
        if (e is { } end)
        {
            single.Add(TemplatePiece.Special(end));
        }

        var pair = single.Concat(single.Select(p => p.SpecialIds is null ? TemplatePiece.Text('B', 1) : p with { TypeId = 1 })).ToList();
        return new TokenTemplate(single, pair);
    }

    private static JsonObject ReadJson(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
