using System.Text.Json.Nodes;

namespace GrpcTuner.Agent.Models.Tokenization;

/// <summary>One part of a template: special token ids, or the first (A) or second (B) sequence; each with its token type id.</summary>
public sealed record TemplatePiece(IReadOnlyList<int>? SpecialIds, char Sequence, int TypeId)
{
    public static TemplatePiece Special(int id, int typeId = 0) => new([id], ' ', typeId);

    public static TemplatePiece Text(char sequence, int typeId = 0) => new(null, sequence, typeId);
}

/// <summary>
/// Where special tokens go around one sequence or a pair, and which token type each part gets:
/// what tokenizer.json's post_processor (TemplateProcessing, BertProcessing, RobertaProcessing)
/// says, kept apart from the tokenizer so that truncation can make room for the specials.
/// </summary>
public sealed record TokenTemplate(IReadOnlyList<TemplatePiece> Single, IReadOnlyList<TemplatePiece> Pair)
{
    public static TokenTemplate None { get; } = new([TemplatePiece.Text('A')], [TemplatePiece.Text('A'), TemplatePiece.Text('B')]);

    /// <summary>[CLS] A [SEP], and [CLS] A [SEP] B [SEP] with B's part of type 1.</summary>
    public static TokenTemplate Bert(int cls, int sep) => new(
        [TemplatePiece.Special(cls), TemplatePiece.Text('A'), TemplatePiece.Special(sep)],
        [TemplatePiece.Special(cls), TemplatePiece.Text('A'), TemplatePiece.Special(sep), TemplatePiece.Text('B', 1), TemplatePiece.Special(sep, 1)]);

    /// <summary>Special tokens a sequence of this kind (one text or a pair) adds.</summary>
    public int SpecialCount(bool pair) => (pair ? Pair : Single).Sum(p => p.SpecialIds?.Count ?? 0);

    /// <summary>The template of a tokenizer.json post_processor; null when there is none or it adds nothing (ByteLevel).</summary>
    /// <exception cref="NotSupportedException">A post_processor of a kind we do not read.</exception>
    public static TokenTemplate? FromPostProcessor(JsonNode? node)
    {
        var type = (string?)node?["type"];
        switch (type)
        {
            case null or "ByteLevel":
                return null;
            case "BertProcessing":
                return Bert(Id(node!["cls"]), Id(node["sep"]));
            case "RobertaProcessing":
                var (cls, sep) = (Id(node!["cls"]), Id(node["sep"]));
                return new TokenTemplate(
                    [TemplatePiece.Special(cls), TemplatePiece.Text('A'), TemplatePiece.Special(sep)],
                    [TemplatePiece.Special(cls), TemplatePiece.Text('A'), TemplatePiece.Special(sep), TemplatePiece.Special(sep), TemplatePiece.Text('B'), TemplatePiece.Special(sep)]);
            case "TemplateProcessing":
                var specials = node!["special_tokens"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!["ids"]!.AsArray().Select(i => (int)i!).ToList());
                return new TokenTemplate(Pieces(node["single"]!, specials), Pieces(node["pair"]!, specials));
            case "Sequence":
                return node!["processors"]!.AsArray().Select(FromPostProcessor).LastOrDefault(t => t is not null);
            default:
                throw new NotSupportedException($"tokenizer.json post_processor '{type}' is not supported; supported: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence");
        }
    }

    private static int Id(JsonNode? pair) => (int)pair!.AsArray()[1]!;

    private static List<TemplatePiece> Pieces(JsonNode pieces, Dictionary<string, List<int>> specials) => pieces.AsArray().Select(p =>
    {
        if (p!["SpecialToken"] is { } s)
        {
            var name = (string)s["id"]!;
            return new TemplatePiece(specials.TryGetValue(name, out var ids) ? ids : throw new InvalidDataException($"tokenizer.json's template names special token '{name}' without its ids"), ' ', (int)s["type_id"]!);
        }

        var seq = p["Sequence"]!;
        return TemplatePiece.Text(((string)seq["id"]!)[0], (int)seq["type_id"]!);
    }).ToList();
}
