using System.Text.Json.Serialization;

namespace GrpcTuner.Agent.Models.Bert;

/// <summary>The fields of a Hugging Face BERT config.json that the model needs.</summary>
public sealed record BertConfig
{
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 30522;

    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 768;

    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 12;

    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 12;

    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 3072;

    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 512;

    [JsonPropertyName("type_vocab_size")] public int TypeVocabSize { get; init; } = 2;

    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-12;

    [JsonPropertyName("hidden_dropout_prob")] public double HiddenDropoutProb { get; init; } = 0.1;

    [JsonPropertyName("attention_probs_dropout_prob")] public double AttentionProbsDropoutProb { get; init; } = 0.1;

    [JsonPropertyName("num_labels")] public int NumLabels { get; init; } = 2;

    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "bert";
}
