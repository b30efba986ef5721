using System.Text.Json.Serialization;

namespace GrpcTuner.Agent.Models.Llama;

/// <summary>The fields of a Hugging Face LLaMA config.json that the model needs.</summary>
public sealed record LlamaConfig
{
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 32000;

    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 4096;

    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 11008;

    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 32;

    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 32;

    /// <summary>Key/value heads (grouped-query attention); 0 means as many as attention heads.</summary>
    [JsonPropertyName("num_key_value_heads")] public int NumKeyValueHeads { get; init; }

    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 2048;

    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; init; } = 1e-6;

    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 10000;

    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }

    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "llama";

    public int KeyValueHeads => NumKeyValueHeads == 0 ? NumAttentionHeads : NumKeyValueHeads;

    public int HeadDim => HiddenSize / NumAttentionHeads;
}
