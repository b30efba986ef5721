namespace GrpcTuner.Agent.Models.Tokenization;

/// <summary>A tokenizer's text-to-ids step alone: no special tokens, no truncation, no padding; <see cref="TextTokenizer"/> adds those.</summary>
public interface ITextEncoder : IDisposable
{
    IReadOnlyList<int> Encode(string text);

    /// <summary>The id of a token (a special one, usually), or null when the vocabulary lacks it.</summary>
    int? IdOf(string token);
}
