using System.Text.Json.Nodes;
using HfTokenizer = Tokenizers.DotNet.Tokenizer;

namespace GrpcTuner.Agent.Models.Tokenization;

/// <summary>
/// A tokenizer.json run by Hugging Face's own tokenizers library (through Tokenizers.DotNet),
/// so normalization, pre-tokenization and the model (WordPiece, BPE, Unigram) are exactly
/// Hugging Face's. Its post-processing, truncation and padding are taken out: the template is
/// applied by <see cref="TextTokenizer"/>, which truncates pairs longest-first first.
/// </summary>
internal sealed class HuggingFaceEncoder : ITextEncoder
{
    private readonly HfTokenizer _tokenizer;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public HuggingFaceEncoder(JsonObject tokenizerJson, string origin)
    {
        var plain = tokenizerJson.DeepClone().AsObject();
        plain["post_processor"] = null;
        plain["truncation"] = null;
        plain["padding"] = null;
        ReadIds(plain);
        // The library reads a path only.
        var path = Path.Combine(Path.GetTempPath(), $"grpctuner-tokenizer-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, plain.ToJsonString());
        try
        {
            _tokenizer = new HfTokenizer(path);
        }
        catch (Exception e)
        {
            throw new InvalidDataException($"{origin}: Hugging Face's tokenizers library refused it: {e.Message}", e);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public IReadOnlyList<int> Encode(string text) => Array.ConvertAll(_tokenizer.Encode(text), i => (int)i);

    public int? IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : null;

    public void Dispose() => _tokenizer.Dispose();

    private void ReadIds(JsonObject json)
    {
        switch (json["model"]?["vocab"])
        {
            case JsonObject vocab:
                foreach (var (token, id) in vocab)
                {
                    _ids[token] = (int)id!;
                }

                break;
            case JsonArray pieces:
                // Unigram: [piece, score] pairs, the id being the position.
                for (var i = 0; i < pieces.Count; i++)
                {
                    _ids.TryAdd((string)pieces[i]![0]!, i);
                }

                break;
        }

        foreach (var added in json["added_tokens"]?.AsArray() ?? [])
        {
            _ids[(string)added!["content"]!] = (int)added["id"]!;
        }
    }
}
