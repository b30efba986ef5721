using System.Text.Json.Nodes;

namespace GrpcTuner.Agent.Models.Tokenization;

/// <summary>
/// The fast-tokenizer file (tokenizer.json) of a WordPiece vocabulary, as transformers'
/// BertConverter writes it: BertNormalizer (clean text, CJK splitting, accents, lower-casing),
/// BertPreTokenizer (split on whitespace and every punctuation character), WordPiece with "##"
/// and 100 characters per word, and the [CLS] A [SEP] (B [SEP]) template. Hugging Face's
/// tokenizers library then tokenizes exactly as BertTokenizer does.
/// </summary>
public static class BertTokenizerJson
{
    public static JsonObject FromVocab(IReadOnlyList<string> vocab, TokenizerConfig config)
    {
        var ids = new JsonObject();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < vocab.Count; i++)
        {
            if (index.TryAdd(vocab[i], i))
            {
                ids[vocab[i]] = i;
            }
        }

        int Id(string token) => index.TryGetValue(token, out var id) ? id : throw new InvalidDataException($"the vocabulary has no special token '{token}'");
        var specials = new[] { config.PadToken, config.UnkToken, config.ClsToken, config.SepToken, config.MaskToken }
            .Where(index.ContainsKey).Distinct().OrderBy(Id)
            .Select(t => (JsonNode)new JsonObject
            {
                ["id"] = Id(t), ["content"] = t, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
        JsonNode Special(string token, int typeId) => new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = typeId } };
        JsonNode Sequence(string id, int typeId) => new JsonObject { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = typeId } };
        JsonNode SpecialIds(string token) => new JsonObject { ["id"] = token, ["ids"] = new JsonArray(Id(token)), ["tokens"] = new JsonArray(token) };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(specials.ToArray()),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "BertNormalizer",
                ["clean_text"] = true,
                ["handle_chinese_chars"] = config.TokenizeChineseChars,
                ["strip_accents"] = config.StripAccents,
                ["lowercase"] = config.DoLowerCase,
            },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special(config.ClsToken, 0), Sequence("A", 0), Special(config.SepToken, 0)),
                ["pair"] = new JsonArray(Special(config.ClsToken, 0), Sequence("A", 0), Special(config.SepToken, 0), Sequence("B", 1), Special(config.SepToken, 1)),
                ["special_tokens"] = new JsonObject { [config.ClsToken] = SpecialIds(config.ClsToken), [config.SepToken] = SpecialIds(config.SepToken) },
            },
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece",
                ["unk_token"] = config.UnkToken,
                ["continuing_subword_prefix"] = "##",
                ["max_input_chars_per_word"] = 100,
                ["vocab"] = ids,
            },
        };
    }
}
