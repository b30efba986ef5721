using Microsoft.ML.Tokenizers;

namespace GrpcTuner.Agent.Models.Tokenization;

/// <summary>Folders without a tokenizer.json: a SentencePiece tokenizer.model, or a byte-pair vocab.json with merges.txt, through Microsoft.ML.Tokenizers.</summary>
internal sealed class MlTokenizersEncoder(Tokenizer tokenizer, Func<string, int?> idOf) : ITextEncoder
{
    public static MlTokenizersEncoder SentencePiece(string path)
    {
        using var stream = File.OpenRead(path);
        var llama = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false);
        return new MlTokenizersEncoder(llama, t => llama.Vocabulary.TryGetValue(t, out var id) ? id : null);
    }

    public static MlTokenizersEncoder BytePair(string vocab, string merges)
    {
        var bpe = BpeTokenizer.Create(vocab, merges);
        return new MlTokenizersEncoder(bpe, t => bpe.Vocabulary.TryGetValue(t, out var id) ? id : null);
    }

    public IReadOnlyList<int> Encode(string text) => tokenizer.EncodeToIds(text);

    public int? IdOf(string token) => idOf(token);

    public void Dispose()
    {
    }
}
