using GrpcTuner.Agent.Models.Checkpoints;
using GrpcTuner.Agent.Models.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Bert;

/// <summary>
/// Runs a folder's BERT encoder over texts (or sentence pairs) in padded batches and keeps what
/// went in and what came out: input_ids, attention_mask, token_type_ids (Int64) and
/// last_hidden_state (Float32), each padded to the longest example, so another runtime can be fed
/// the same inputs and compared position by position.
/// </summary>
public static class BertEncoding
{
    public static Dictionary<string, Tensor> Encode(string modelDir, IReadOnlyList<string> texts, IReadOnlyList<string>? pairs, int batchSize, int maxLength, Action<string> log)
    {
        if (pairs is not null && pairs.Count != texts.Count)
        {
            throw new ArgumentException($"{texts.Count} texts but {pairs.Count} pairs; give one pair line per text line", nameof(pairs));
        }

        using var tokenizer = TextTokenizer.Load(modelDir);
        using var model = BertModel.FromPretrained(modelDir, log);
        model.eval();
        var limit = Math.Min(maxLength, Math.Min(tokenizer.ModelMaxLength ?? int.MaxValue, model.Config.MaxPositionEmbeddings));
        using var inputs = EncodedBatch.Pad(texts.Select((t, i) => tokenizer.Encode(t, pairs?[i], limit)).ToList(), tokenizer.PadId);
        var hidden = zeros(inputs.Count, inputs.InputIds.shape[1], model.Config.HiddenSize);
        using (torch.no_grad())
        {
            for (long start = 0; start < inputs.Count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var index = inputs.Range(start, batchSize);
                var (ids, mask, types) = inputs.Take(index, CPU);
                var output = model.forward(ids, mask, types);
                hidden.narrow(0, start, output.shape[0]).narrow(1, 0, output.shape[1]).copy_(output);
            }
        }

        return new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["input_ids"] = inputs.InputIds.clone(),
            ["attention_mask"] = inputs.AttentionMask.clone(),
            ["token_type_ids"] = inputs.TokenTypeIds.clone(),
            ["last_hidden_state"] = hidden,
        };
    }

    /// <summary>Encodes every line of a file (and the matching line of a pair file) and writes the tensors as safetensors.</summary>
    public static void EncodeFile(string modelDir, string textFile, string? pairFile, string output, int batchSize, int maxLength, Action<string> log)
    {
        var texts = File.ReadAllLines(textFile);
        var pairs = pairFile is null ? null : File.ReadAllLines(pairFile);
        var tensors = Encode(modelDir, texts, pairs, batchSize, maxLength, log);
        try
        {
            SafeTensors.Save(output, tensors);
            log($"{output}: {texts.Length} {(pairs is null ? "texts" : "pairs")}, last_hidden_state [{string.Join(", ", tensors["last_hidden_state"].shape)}]");
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }
    }
}
