using System.Text.Json;
using System.Text.Json.Nodes;

namespace GrpcTuner.Agent.Models.Tokenization;

/// <summary>
/// tokenizer_config.json and special_tokens_map.json of a Hugging Face folder: casing, accents,
/// CJK splitting, the special tokens and model_max_length, with transformers' defaults for what
/// they leave out.
/// </summary>
public sealed record TokenizerConfig
{
    // transformers writes this for "no limit" (int(1e30)).
    private const double Unlimited = 1e29;

    public bool DoLowerCase { get; init; } = true;

    /// <summary>null means "as do_lower_case", which is BertTokenizer's default.</summary>
    public bool? StripAccents { get; init; }

    public bool TokenizeChineseChars { get; init; } = true;

    public int? ModelMaxLength { get; init; }

    public string ClsToken { get; init; } = "[CLS]";

    public string SepToken { get; init; } = "[SEP]";

    public string PadToken { get; init; } = "[PAD]";

    public string UnkToken { get; init; } = "[UNK]";

    public string MaskToken { get; init; } = "[MASK]";

    public string? BosToken { get; init; }

    public string? EosToken { get; init; }

    public bool? AddBosToken { get; init; }

    public bool? AddEosToken { get; init; }

    public static TokenizerConfig Load(string folder)
    {
        var fields = new JsonObject();
        foreach (var file in new[] { "special_tokens_map.json", "tokenizer_config.json" })
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                foreach (var (key, value) in JsonNode.Parse(File.ReadAllText(path))!.AsObject())
                {
                    fields[key] = value?.DeepClone();
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
        }

        var defaults = new TokenizerConfig();
        return new TokenizerConfig
        {
            DoLowerCase = Bool(fields, "do_lower_case") ?? defaults.DoLowerCase,
            StripAccents = Bool(fields, "strip_accents"),
            TokenizeChineseChars = Bool(fields, "tokenize_chinese_chars") ?? defaults.TokenizeChineseChars,
            ModelMaxLength = fields["model_max_length"] is JsonValue v && v.TryGetValue<double>(out var max) && max < Unlimited ? (int)max : null,
            ClsToken = Token(fields, "cls_token") ?? defaults.ClsToken,
            SepToken = Token(fields, "sep_token") ?? defaults.SepToken,
            PadToken = Token(fields, "pad_token") ?? defaults.PadToken,
            UnkToken = Token(fields, "unk_token") ?? defaults.UnkToken,
            MaskToken = Token(fields, "mask_token") ?? defaults.MaskToken,
            BosToken = Token(fields, "bos_token"),
            EosToken = Token(fields, "eos_token"),
            AddBosToken = Bool(fields, "add_bos_token"),
            AddEosToken = Bool(fields, "add_eos_token"),
        };
    }

    /// <summary>Writes tokenizer_config.json and special_tokens_map.json for a BERT-family vocabulary.</summary>
    public void SaveBert(string folder)
    {
        var specials = new JsonObject { ["cls_token"] = ClsToken, ["mask_token"] = MaskToken, ["pad_token"] = PadToken, ["sep_token"] = SepToken, ["unk_token"] = UnkToken };
        var config = specials.DeepClone().AsObject();
        config["tokenizer_class"] = "BertTokenizer";
        config["do_lower_case"] = DoLowerCase;
        config["strip_accents"] = StripAccents;
        config["tokenize_chinese_chars"] = TokenizeChineseChars;
        config["model_max_length"] = ModelMaxLength;
        var options = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(folder, "special_tokens_map.json"), specials.ToJsonString(options));
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), config.ToJsonString(options));
    }

    private static bool? Bool(JsonObject fields, string key) => fields[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    /// <summary>A special token as a string, or as an AddedToken object ({"content": ...}).</summary>
    private static string? Token(JsonObject fields, string key) => fields[key] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o when o["content"] is JsonValue c && c.TryGetValue<string>(out var s) => s,
        _ => null,
    };
}
