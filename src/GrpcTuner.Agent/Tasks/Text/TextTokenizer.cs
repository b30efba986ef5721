using Microsoft.ML.Tokenizers;

namespace GrpcTuner.Agent.Tasks.Text;

/// <summary>
/// The tokenizer of a decoder's Hugging Face folder: SentencePiece tokenizer.model (LLaMA and
/// most of its family) or byte-pair vocab.json plus merges.txt.
/// </summary>
internal static class TextTokenizer
{
    public static Tokenizer Load(string modelDir)
    {
        var sentencePiece = Path.Combine(modelDir, "tokenizer.model");
        if (File.Exists(sentencePiece))
        {
            using var stream = File.OpenRead(sentencePiece);
            return LlamaTokenizer.Create(stream);
        }

        var vocab = Path.Combine(modelDir, "vocab.json");
        var merges = Path.Combine(modelDir, "merges.txt");
        if (File.Exists(vocab) && File.Exists(merges))
        {
            return BpeTokenizer.Create(vocab, merges);
        }

        throw new FileNotFoundException($"{modelDir} has no tokenizer: expected tokenizer.model, or vocab.json with merges.txt");
    }
}
